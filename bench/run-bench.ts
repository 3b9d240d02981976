// npm run bench: the service's own benchmark. Starts the built service on a fresh PostgreSQL, seeds
// 1000 users x 20 tasks before each run, drives the harness's workloads with autocannon and prints a
// table. It measures; it asserts nothing. Options (all optional):
//   --workloads read-one,mixed,create,toggle-race,read-one@1   (NAME@C runs NAME at C connections)
//   --connections 100  --duration 15  --warmup 3  --instances 1  --users 1000  --per-user 20
//   --auth   run with AUTH_MODE=jwt (HS256) and send each user's bearer token
//   --node-flags='--max-semi-space-size=32'   flags for the service's node (='' for none; npm start's by default)
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { SignJWT } from 'jose';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '../test/postgres/postgres-sources.js';
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
    'node-flags': { type: 'string', default: '--max-semi-space-size=32' },
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

function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
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
    stdio: ['ignore', 'ignore', 'inherit'],
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
  await db.query('truncate tasks restart identity');
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

async function load(instances: Instance[], name: string, tasks: TaskIds, connections: number, seconds: number) {
  const perInstance = Math.max(1, Math.floor(connections / instances.length));
  const results = await Promise.all(
    instances.map((instance) => {
      const driver = workload(name, tasks);
      return autocannon({
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
        Math.max(...instances.map((i) => peakRssMb(i.child.pid!))).toFixed(0),
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
