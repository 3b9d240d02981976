// npm run bench: the service's own benchmark. Starts the built service on a fresh PostgreSQL, seeds
// 1000 users x 20 tasks before each run, drives the harness's workloads with autocannon and prints a
// table. It measures; it asserts nothing. Options (all optional):
//   --workloads read-one,mixed,create,toggle-race,read-one@1   (NAME@C runs NAME at C connections)
//               also big-list@10 (six 200,000-task lists while 10 connections run the mixed load), flood@1000,
//               streams@1000 (open live change streams: the service's memory), feed-latency@50 (a second
//               instance's streams while the mixed load runs on the first: how long a change takes to
//               arrive), feed-read (10,000 changes read through the feed from its beginning) and search@10
//               (one-word searches, pages of 50, over one user's 100,000 tasks)
//   --connections 100  --duration 15  --warmup 3  --instances 1  --users 1000  --per-user 20
//   --auth   run with AUTH_MODE=jwt (HS256) and send each user's bearer token
//   --node-flags='--max-semi-space-size=32 --heap-growing-percent=40'   flags for the service's node (='' for none; npm start's by default)
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import { SignJWT } from 'jose';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '../test/postgres/postgres-sources.js';
import { readServerSentEvents } from '../test/server-sent-events.js';
import { type TaskIds, workload } from './workloads.js';

const { values: args } = parseArgs({
  options: {
    workloads: { type: 'string', default: 'read-one,mixed,create,toggle-race,read-one@1' },
    connections: { type: 'string', default: '100' },
    duration: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    instances: { type: 'string', default: '1' },
    users: { type: 'string', default: '1000' },
    'per-user': { type: 'string', default: '20' },
    auth: { type: 'boolean', default: false },
    'node-flags': { type: 'string', default: '--max-semi-space-size=32 --heap-growing-percent=40' },
  },
});
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const nodeFlags = args['node-flags'].split(/\s+/).filter(Boolean);
const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const AUTH_SECRET = 'bench-only-secret-for-hs256-tokens-0123456789';
const tokens = new Map<string, string>();

/** The request with the bearer token of the user in its path, when the run uses authentication. */
async function tokenFor(user: string): Promise<string> {
  let token = tokens.get(user);
  if (!token) {
    token = await new SignJWT({ sub: user }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('2h').sign(new TextEncoder().encode(AUTH_SECRET));
    tokens.set(user, token);
  }
  return token;
}

interface Instance {
  readonly url: string;
  readonly child: ChildProcess;
  readonly readyMs: number;
}

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

/** A memory figure of a process from /proc, in MB: `VmRSS` (now) or `VmHWM` (its peak so far). */
function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

async function startInstance(databaseUrl: string): Promise<Instance> {
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, [...nodeFlags, `${ROOT}packages/app/dist/main.js`], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...(args.auth ? { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: AUTH_SECRET } : {}),
    },
    stdio: ['ignore', process.env.BENCH_SERVICE_OUTPUT ? 'inherit' : 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, child, readyMs: Date.now() - started };
    await sleep(20);
  }
}

async function seed(db: pg.Client, users: number, perUser: number): Promise<TaskIds> {
  await db.query('truncate tasks, idempotency_keys restart identity');
  await db.query(
    `insert into tasks (user_id, title, description, completed, created_at, updated_at)
     select format('user-%s', lpad(u::text, 4, '0')), format('seeded task %s of user %s', t, u),
            case when t % 2 = 0 then format('seeded description %s: some text to make rows realistic', t) end,
            t % 3 = 0, now() - make_interval(mins => t), now() - make_interval(mins => t)
     from generate_series(0, $1::int - 1) as u, generate_series(1, $2::int) as t order by u, t`,
    [users, perUser],
  );
  await db.query('vacuum analyze tasks');
  const { rows } = await db.query<{ user_id: string; id: string }>('select user_id, id from tasks order by user_id, id');
  const ids = new Map<string, number[]>();
  for (const row of rows) {
    if (args.auth) await tokenFor(row.user_id);
    if (!ids.has(row.user_id)) ids.set(row.user_id, []);
    ids.get(row.user_id)!.push(Number(row.id));
  }
  return { users: [...ids.keys()], ids };
}

/** Counts PATCH /complete updates that left `completed` unchanged: a lost toggle. */
async function withToggleAudit<T>(db: pg.Client, run: () => Promise<T>): Promise<{ result: T; lost: number; total: number }> {
  await db.query(`
    create table if not exists bench_toggle_audit (old_completed bool, new_completed bool);
    create or replace function bench_toggle_audit_fn() returns trigger language plpgsql as $$
      begin insert into bench_toggle_audit values (old.completed, new.completed); return new; end $$;
    create trigger bench_toggle_audit_tg after update on tasks for each row execute function bench_toggle_audit_fn();`);
  try {
    const result = await run();
    await sleep(500);
    const { rows } = await db.query<{ lost: number; total: number }>(
      'select count(*) filter (where old_completed = new_completed)::int as lost, count(*)::int as total from bench_toggle_audit',
    );
    return { result, ...rows[0]! };
  } finally {
    await db.query('drop trigger bench_toggle_audit_tg on tasks; drop function bench_toggle_audit_fn(); drop table bench_toggle_audit;');
  }
}

const BIG_USER = 'big-user';
const BIG_LIST = 200_000;

/**
 * One user with 200,000 tasks of 200-character descriptions, inserted as a bulk import would be: with
 * the tables' triggers off (so timestamps are given at the stored precision) and the user's count set after.
 */
async function seedBigUser(db: pg.Client): Promise<void> {
  await db.query(`begin;
    set local session_replication_role = replica;
    delete from tasks where user_id = '${BIG_USER}';
    insert into tasks (user_id, title, description, completed, created_at, updated_at)
    select '${BIG_USER}', format('big list task %s', t), repeat('x', 200), t % 2 = 0,
           date_trunc('milliseconds', now()) - make_interval(secs => t), date_trunc('milliseconds', now()) - make_interval(secs => t)
    from generate_series(1, ${BIG_LIST}) as t;
    insert into task_counts (user_id, tasks) values ('${BIG_USER}', ${BIG_LIST})
      on conflict (user_id) do update set tasks = excluded.tasks;
    commit;
    analyze tasks;`);
}

/**
 * Six concurrent reads of the 200,000-task list, each parsed and checked, while the mixed workload runs
 * for the other users; prints the lists' times, the other users' p99 and the service's memory.
 */
async function bigList(instance: Instance, tasks: TaskIds, connections: number) {
  const pid = instance.child.pid!;
  await sleep(1_000);
  const idleRss = memoryMb(pid, 'VmRSS');
  let peakRss = idleRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, memoryMb(pid, 'VmRSS'));
  }, 20);
  // Each list is read and parsed in a thread of its own: parsing 76 MB of JSON would otherwise stall
  // the event loop that times the other users' requests, and the stall would be counted as theirs.
  const lists = Array.from({ length: 6 }, () => readInWorker(`${instance.url}/api/${BIG_USER}/tasks`));
  const finished = Promise.all(lists);
  // The other users' load runs from the first list request until the last list has been read; its p99
  // is over every one of their requests in that time.
  const others = await load([instance], 'mixed', tasks, connections, 3_600, finished);
  const results = await finished;
  clearInterval(sampler);
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  return {
    idleRss,
    peakRss,
    times,
    complete: results.filter((r) => r.complete).length,
    others,
  };
}

/** Reads and parses a whole list in a worker thread; how long it took and whether it was complete. */
function readInWorker(url: string): Promise<{ ms: number; complete: boolean }> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      const started = Date.now();
      const response = await fetch(workerData.url);
      const body = await response.json();
      const complete = response.status === 200 && Array.isArray(body) && body.length === workerData.expected
        && new Set(body.map((task) => task.id)).size === workerData.expected;
      parentPort.postMessage({ ms: Date.now() - started, complete });
    })().catch((error) => parentPort.postMessage({ ms: 0, complete: false, error: String(error) }));`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { url, expected: BIG_LIST } });
    worker.once('message', (result: { ms: number; complete: boolean }) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/** An open live stream: the arrival time of each change event, by task id, and how to close it. */
function openStream(url: string): Promise<{ arrivals: Map<number, number>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const arrivals = new Map<number, number>();
    const req = get(url, { agent: false }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      readServerSentEvents(res, (event) => {
        if (event.data === undefined) return;
        const change = JSON.parse(event.data) as { type: string; task?: { id: number }; id?: number };
        arrivals.set(change.task?.id ?? change.id!, Date.now());
      });
      resolve({ arrivals, close: () => res.destroy() });
    });
    req.on('error', reject);
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

/** Opens `count` live streams (one per user) and reports what they cost the service in memory. */
async function manyStreams(instance: Instance, count: number) {
  const pid = instance.child.pid!;
  await sleep(1_000);
  const idleRss = memoryMb(pid, 'VmRSS');
  const streams = [];
  for (let i = 0; i < count; i++) streams.push(await openStream(`${instance.url}/api/stream-${i}/tasks/events`));
  // One change for a tenth of them, so the streams have done some work.
  for (let i = 0; i < count; i += 10) {
    await fetch(`${instance.url}/api/stream-${i}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"ping"}' });
  }
  await sleep(2_000);
  const delivered = streams.filter((s) => s.arrivals.size > 0).length;
  const rss = memoryMb(pid, 'VmRSS');
  for (const stream of streams) stream.close();
  return { idleRss, rss, delivered, expected: Math.ceil(count / 10) };
}

/**
 * Streams on a second instance follow `users` users while the mixed load runs on the first; a change is
 * made through the first instance every 50 ms and timed until it arrives on the second.
 */
async function feedLatency(first: Instance, second: Instance, tasks: TaskIds, users: number, connections: number, seconds: number) {
  const followed = tasks.users.slice(0, users);
  const streams = await Promise.all(followed.map((user) => openStream(`${second.url}/api/${user}/tasks/events`)));
  let running = true;
  const sent = new Map<number, { at: number; stream: number }>();
  const prober = (async () => {
    for (let i = 0; running; i++) {
      const k = i % followed.length;
      const at = Date.now();
      const response = await fetch(`${first.url}/api/${followed[k]}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"title":"probe"}',
      });
      if (response.status === 201) sent.set(((await response.json()) as { id: number }).id, { at, stream: k });
      await sleep(50);
    }
  })();
  const others = await load([first], 'mixed', tasks, connections, seconds);
  running = false;
  await prober;
  await sleep(1_500);
  const delays: number[] = [];
  let lost = 0;
  for (const [id, { at, stream }] of sent) {
    const arrived = streams[stream]!.arrivals.get(id);
    if (arrived === undefined) lost++;
    else delays.push(arrived - at);
  }
  for (const stream of streams) stream.close();
  return { others, probes: sent.size, lost, p50: percentile(delays, 50), p99: percentile(delays, 99), max: Math.max(...delays) };
}

/** One user with 10,000 changes; reads the whole feed from its beginning, page by page, as a client would. */
async function feedRead(db: pg.Client, instance: Instance) {
  await db.query(`insert into tasks (user_id, title) select 'feed-reader', format('change %s', t) from generate_series(1, 10000) as t`);
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    let since: string | undefined;
    let count = 0;
    for (;;) {
      const response = await fetch(`${instance.url}/api/feed-reader/tasks/changes${since ? `?since=${since}` : ''}`);
      const page = (await response.json()) as { changes: unknown[]; next_since: string; has_more: boolean };
      count += page.changes.length;
      since = page.next_since;
      if (!page.has_more) break;
    }
    if (count !== 10_000) throw new Error(`the feed gave ${count} changes, not 10000`);
    times.push(performance.now() - started);
  }
  return times;
}

/**
 * One user with 100,000 tasks of a few words each, one in ten mentioning "report"; one-word searches for a
 * rare word (one task) and for "report" (10,000), pages of 50, at `connections` connections.
 */
async function search(db: pg.Client, instance: Instance, connections: number, seconds: number) {
  await db.query(`begin;
    set local session_replication_role = replica;
    delete from tasks where user_id = 'searcher';
    insert into tasks (user_id, title, description, completed, created_at, updated_at)
    select 'searcher', format('%s %s %s', substr(md5(t::text), 1, 8), substr(md5((t * 7)::text), 1, 6), case when t % 10 = 0 then 'report' else 'note' end),
           format('details %s and more words', substr(md5((t * 13)::text), 1, 10)), t % 3 = 0,
           date_trunc('milliseconds', now()) - make_interval(secs => t), date_trunc('milliseconds', now()) - make_interval(secs => t)
    from generate_series(1, 100000) as t;
    insert into task_counts (user_id, tasks) values ('searcher', 100000) on conflict (user_id) do update set tasks = excluded.tasks;
    commit;`);
  await db.query('vacuum analyze tasks');
  const rare = Array.from({ length: 200 }, (_, i) =>
    createHash('md5')
      .update(String(1 + i * 499))
      .digest('hex')
      .slice(0, 8),
  );
  let n = 0;
  const result = await autocannon({
    url: instance.url,
    connections,
    duration: seconds,
    requests: [{ setupRequest: (request) => ({ ...request, path: `/api/searcher/tasks?limit=50&q=${n++ % 2 ? 'report' : rare[n % rare.length]}` }) }],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, errors: result.non2xx + result.errors };
}

/** A flood of connections on the mixed workload: every answer counted by status. */
async function flood(instance: Instance, tasks: TaskIds, connections: number, seconds: number) {
  const driver = workload('mixed', tasks);
  const result = await autocannon({
    url: instance.url,
    connections,
    duration: seconds,
    timeout: 30,
    requests: [
      { setupRequest: (request) => ({ ...request, ...driver.next() }), onResponse: (status: number, body: string) => driver.onResponse?.(status, body, {}) },
    ],
  });
  const byStatus = result.statusCodeStats as unknown as Record<string, { count: number }>;
  const count = (match: (status: number) => boolean) =>
    Object.entries(byStatus)
      .filter(([status]) => match(Number(status)))
      .reduce((sum, [, stats]) => sum + stats.count, 0);
  return {
    ok: count((s) => s < 400),
    unavailable: count((s) => s === 503),
    other: count((s) => s >= 400 && s !== 503),
    errors: result.errors,
    timeouts: result.timeouts,
    p99: result.latency.p99,
  };
}

/** Runs a workload for `seconds`, or until `until` settles when it is given. */
async function load(instances: Instance[], name: string, tasks: TaskIds, connections: number, seconds: number, until?: Promise<unknown>) {
  const perInstance = Math.max(1, Math.floor(connections / instances.length));
  const results = await Promise.all(
    instances.map((instance) => {
      const driver = workload(name, tasks);
      const run = autocannon({
        url: instance.url,
        connections: perInstance,
        duration: seconds,
        timeout: 10,
        requests: [
          {
            setupRequest: (request) => {
              const next = driver.next();
              if (!args.auth) return { ...request, ...next };
              const user = next.path!.split('/')[2]!;
              return { ...request, ...next, headers: { ...next.headers, authorization: `Bearer ${tokens.get(user)}` } };
            },
            ...(driver.onResponse ? { onResponse: (status: number, body: string) => driver.onResponse!(status, body, {}) } : {}),
          },
        ],
      });
      // Without a callback autocannon answers its tracker, a thenable that also has stop().
      void until?.finally(() => (run as unknown as { stop(): void }).stop());
      return run;
    }),
  );
  return {
    rps: results.reduce((sum, r) => sum + r.requests.average, 0),
    requests: results.reduce((sum, r) => sum + r.requests.total, 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    max: Math.max(...results.map((r) => r.latency.max)),
    errors: results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
  };
}

async function main() {
  const postgres = await startEmbeddedPostgres({ fsync: true });
  const admin = new pg.Client({ connectionString: postgres.adminUrl });
  await admin.connect();
  await admin.query('create database bench');
  await admin.end();
  const databaseUrl = postgres.adminUrl.replace(/\/postgres$/, '/bench');
  const instances: Instance[] = [];
  const db = new pg.Client({ connectionString: databaseUrl });
  try {
    for (let i = 0; i < Number(args.instances); i++) instances.push(await startInstance(databaseUrl));
    await db.connect();
    const rows: string[][] = [];
    for (const spec of args.workloads!.split(',')) {
      const [name, conc] = spec.split('@') as [string, string | undefined];
      const connections = Number(conc ?? args.connections);
      if (name === 'big-list') {
        process.stderr.write(`${spec}: six concurrent lists of ${BIG_LIST} tasks while ${connections} connections run the mixed workload\n`);
        const tasks = await seed(db, Number(args.users), Number(args['per-user']));
        await seedBigUser(db);
        const r = await bigList(instances[0]!, tasks, connections);
        console.log(
          `big-list: ${r.complete}/6 complete; list times ${r.times.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}; ` +
            `RSS idle ${r.idleRss.toFixed(0)} MB, peak ${r.peakRss.toFixed(0)} MB (+${(r.peakRss - r.idleRss).toFixed(0)} MB); ` +
            `other users meanwhile: ${r.others.rps.toFixed(0)} req/s, p50 ${r.others.p50.toFixed(0)} ms, p99 ${r.others.p99.toFixed(0)} ms, max ${r.others.max.toFixed(0)} ms, ${r.others.errors} errors`,
        );
        continue;
      }
      if (name === 'streams') {
        process.stderr.write(`${spec}: ${connections} live change streams open at once\n`);
        const r = await manyStreams(instances[0]!, connections);
        console.log(
          `streams@${connections}: RSS idle ${r.idleRss.toFixed(0)} MB, with the streams open ${r.rss.toFixed(0)} MB (+${(r.rss - r.idleRss).toFixed(0)} MB); ` +
            `${r.delivered}/${r.expected} streams got their change`,
        );
        continue;
      }
      if (name === 'feed-latency') {
        process.stderr.write(`${spec}: streams of ${connections} users on a second instance while the mixed load runs on the first\n`);
        const tasks = await seed(db, Number(args.users), Number(args['per-user']));
        const second = instances[1] ?? (await startInstance(databaseUrl));
        if (!instances[1]) instances.push(second);
        const r = await feedLatency(instances[0]!, second, tasks, connections, 100, Number(args.duration));
        console.log(
          `feed-latency: ${r.probes} changes through one instance, ${r.lost} never arrived on the other; ` +
            `delay p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms; mixed load meanwhile ${r.others.rps.toFixed(0)} req/s, p99 ${r.others.p99} ms, ${r.others.errors} errors`,
        );
        continue;
      }
      if (name === 'feed-read') {
        process.stderr.write(`${spec}: 10,000 changes read through the feed from its beginning, five times\n`);
        const times = await feedRead(db, instances[0]!);
        console.log(`feed-read: 10,000 changes in ${times.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`);
        continue;
      }
      if (name === 'search') {
        process.stderr.write(`${spec}: one-word searches over one user's 100,000 tasks at ${connections} connections for ${args.duration} s\n`);
        const r = await search(db, instances[0]!, connections, Number(args.duration));
        console.log(`search@${connections}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms, ${r.errors} errors`);
        continue;
      }
      if (name === 'flood') {
        process.stderr.write(`${spec}: ${connections} connections on the mixed workload for ${args.duration} s\n`);
        const r = await flood(instances[0]!, await seed(db, Number(args.users), Number(args['per-user'])), connections, Number(args.duration));
        console.log(
          `flood@${connections}: ${r.ok} answered 2xx, ${r.unavailable} answered 503, ${r.other} other statuses, ${r.errors} connection errors, ${r.timeouts} timeouts; p99 ${r.p99} ms; service ${instances[0]!.child.exitCode === null ? 'still running' : 'EXITED'}`,
        );
        continue;
      }
      const seconds = name === 'toggle-race' ? Math.min(5, Number(args.duration)) : Number(args.duration);
      process.stderr.write(`${spec}: warm-up ${args.warmup} s, then ${seconds} s at ${connections} connections\n`);
      await load(instances, name, await seed(db, Number(args.users), Number(args['per-user'])), connections, Number(args.warmup));
      const tasks = await seed(db, Number(args.users), Number(args['per-user']));
      const cpuBefore = instances.map((i) => cpuMs(i.child.pid!));
      const run = () => load(instances, name, tasks, connections, seconds);
      const measured = name === 'toggle-race' ? await withToggleAudit(db, run) : { result: await run(), lost: undefined, total: undefined };
      const cpu = instances.reduce((sum, instance, k) => sum + cpuMs(instance.child.pid!) - cpuBefore[k]!, 0);
      const r = measured.result;
      rows.push([
        spec,
        r.rps.toFixed(0),
        r.p50.toFixed(1),
        r.p99.toFixed(1),
        r.max.toFixed(1),
        String(r.errors),
        ((cpu / r.requests) * 1000).toFixed(0),
        Math.max(...instances.map((i) => memoryMb(i.child.pid!, 'VmHWM'))).toFixed(0),
        measured.lost === undefined ? '' : `${measured.lost}/${measured.total}`,
      ]);
    }
    const header = ['workload', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'srv CPU ms/1k', 'peak RSS MB', 'lost toggles'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
    console.log(
      `\n${instances.length} instance(s)${args.auth ? ', AUTH_MODE=jwt (HS256)' : ''}, ready ${instances.map((i) => `${i.readyMs} ms`).join(', ')} after start; load: autocannon`,
    );
    console.log(line(header));
    for (const row of rows) console.log(line(row));
  } finally {
    await db.end().catch(() => {});
    for (const instance of instances) instance.child.kill('SIGTERM');
    await sleep(500);
    await postgres.stop();
  }
}

await main();
