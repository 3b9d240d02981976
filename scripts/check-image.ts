/**
 * Runs the service's image as a deployment would and checks what its users rely on:
 *
 * - the image runs as a non-root user and holds no development dependency (package-lock.json says which);
 * - started against a PostgreSQL container on a user-defined network, it reports healthy through its
 *   own HEALTHCHECK and serves the API over the published port (create, list, read, update, toggle, delete);
 * - `docker stop` (SIGTERM) while clients keep writing: requests are still answered during the drain, the
 *   process exits 0 within SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS, and every create it acknowledged is
 *   there when the container starts again.
 *
 * Usage: node --import tsx/esm scripts/check-image.ts [IMAGE]   (default tasks:local)
 * POSTGRES_IMAGE chooses the database's image (default postgres:17-alpine; local/postgres:15 where no
 * registry answers, made by scripts/container-images.sh). Everything it starts is removed at the end, and
 * carries the label tasks.check=image.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const image = process.argv[2] ?? 'tasks:local';
const postgresImage = process.env.POSTGRES_IMAGE ?? 'postgres:17-alpine';
const name = `tasks-image-check-${process.pid}`;
/** On everything the check starts, so that what a killed run left behind can be found and removed. */
const LABEL = 'tasks.check=image';
const SHUTDOWN_DELAY_MS = 3_000;
const SHUTDOWN_TIMEOUT_MS = 10_000;

const docker = async (...args: string[]) => (await run('docker', args, { maxBuffer: 64 * 1024 * 1024 })).stdout.trim();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Thrown by a readiness probe when waiting longer cannot help (the container has failed). */
class GaveUp extends Error {}

async function waitFor(what: string, timeoutMs: number, ready: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    const answer = await ready().catch((error: unknown) => {
      if (error instanceof GaveUp) throw error;
      return false;
    });
    if (answer) return Date.now() - started;
    check(Date.now() - started < timeoutMs, `${what}: not within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

/** What the image is: its size, its user, and that no development dependency is in it. */
async function inspectImage(): Promise<void> {
  const [size, user] = (await docker('image', 'inspect', '--format', '{{.Size}} {{.Config.User}}', image)).split(' ');
  console.log(`image ${image}: ${Math.round(Number(size) / 1e6)} MB, user ${user}`);
  const uid = await docker('run', '--rm', '--entrypoint', 'id', image, '-u');
  check(uid !== '0', 'the image runs as root');

  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
    packages: Record<string, { dev?: boolean; optional?: boolean; link?: boolean }>;
  };
  // Optional packages (other platforms' binaries) may rightly be absent; every other one must be there.
  const installed = (dev: boolean, withOptional = true) =>
    Object.entries(lock.packages)
      .filter(([path, entry]) => path.startsWith('node_modules/') && !entry.link && Boolean(entry.dev) === dev)
      .filter(([, entry]) => withOptional || !entry.optional)
      .map(([path]) => path);
  const present = async (paths: string[]) =>
    JSON.parse(
      await docker(
        'run',
        '--rm',
        '--entrypoint',
        'node',
        image,
        '-e',
        `const fs=require('fs');console.log(JSON.stringify(${JSON.stringify(paths)}.filter((p)=>fs.existsSync(p))))`,
      ),
    ) as string[];
  const dev = await present(installed(true));
  check(dev.length === 0, `development dependencies in the image: ${dev.join(', ')}`);
  const required = installed(false, false);
  const found = new Set(await present(required));
  const missing = required.filter((path) => !found.has(path));
  check(missing.length === 0, `production dependencies missing from the image: ${missing.join(', ')}`);
  console.log(`dependencies: ${found.size} production packages, no development one (of ${installed(true).length})`);
}

interface Json {
  [key: string]: unknown;
}

async function call(base: string, method: string, path: string, body?: object): Promise<{ status: number; body: Json | Json[] | null }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as Json) };
}

/** create, list, read, update, toggle, delete, and a 404 and a 422 in the contract's shape. */
async function exerciseApi(base: string): Promise<void> {
  const tasks = '/api/container-check/tasks';
  const created = await call(base, 'POST', tasks, { title: 'Buy milk', description: '2 litres' });
  check(created.status === 201, `create: ${created.status}`);
  const task = created.body as Json;
  check(task.title === 'Buy milk' && task.completed === false && typeof task.id === 'number', `create: ${JSON.stringify(task)}`);
  const list = await call(base, 'GET', tasks);
  check(list.status === 200 && Array.isArray(list.body) && list.body.length === 1 && list.body[0]?.id === task.id, `list: ${JSON.stringify(list)}`);
  const read = await call(base, 'GET', `${tasks}/${task.id}`);
  check(read.status === 200 && (read.body as Json).description === '2 litres', `read: ${read.status}`);
  const updated = await call(base, 'PUT', `${tasks}/${task.id}`, { title: 'Buy oat milk' });
  check(updated.status === 200 && (updated.body as Json).title === 'Buy oat milk', `update: ${updated.status}`);
  const toggled = await call(base, 'PATCH', `${tasks}/${task.id}/complete`);
  check(toggled.status === 200 && (toggled.body as Json).completed === true, `toggle: ${toggled.status}`);
  const invalid = await call(base, 'POST', tasks, { title: '' });
  check(invalid.status === 422 && Array.isArray((invalid.body as Json).detail), `invalid create: ${invalid.status}`);
  const deleted = await call(base, 'DELETE', `${tasks}/${task.id}`);
  check(deleted.status === 204 && deleted.body === null, `delete: ${deleted.status}`);
  const gone = await call(base, 'GET', `${tasks}/${task.id}`);
  check(gone.status === 404 && (gone.body as Json).detail === 'Task not found', `read after delete: ${gone.status}`);
  console.log('API over the published port: create, list, read, update, toggle, 422, delete, 404 as the contract says');
}

/**
 * Writers create tasks until the service stops answering; `docker stop` is sent while they run. Returns
 * the ids the service acknowledged, and how many of them were answered after SIGTERM.
 */
async function stopUnderLoad(base: string): Promise<void> {
  const tasks = '/api/container-stop/tasks';
  const acknowledged: number[] = [];
  const unexpected: string[] = [];
  let stopSentAt = Number.POSITIVE_INFINITY;
  let answeredAfterStop = 0;
  const writer = async (n: number) => {
    for (let i = 0; ; i++) {
      let response: Response;
      try {
        response = await fetch(`${base}${tasks}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title: `writer ${n} task ${i}` }),
        });
      } catch {
        return; // the service has stopped listening: nothing more can be acknowledged
      }
      const body = (await response.json().catch(() => null)) as Json | null;
      if (response.status === 201 && typeof body?.id === 'number') {
        acknowledged.push(body.id);
        if (Date.now() > stopSentAt) answeredAfterStop++;
      } else {
        unexpected.push(`${response.status} ${JSON.stringify(body)}`);
        return;
      }
    }
  };
  const writers = Array.from({ length: 8 }, (_, n) => writer(n));
  await sleep(1_000);
  stopSentAt = Date.now();
  await docker('stop', '--time', '60', name);
  const stopMs = Date.now() - stopSentAt;
  await Promise.all(writers);

  const [exitCode, oomKilled] = (await docker('inspect', '--format', '{{.State.ExitCode}} {{.State.OOMKilled}}', name)).split(' ');
  console.log(
    `docker stop: exit code ${exitCode} after ${(stopMs / 1000).toFixed(1)} s (drain ${SHUTDOWN_DELAY_MS / 1000} s + up to ${SHUTDOWN_TIMEOUT_MS / 1000} s); ` +
      `${acknowledged.length} creates acknowledged, ${answeredAfterStop} of them after SIGTERM`,
  );
  check(unexpected.length === 0, `answers other than 201 while stopping: ${unexpected.slice(0, 5).join('; ')}`);
  check(exitCode === '0' && oomKilled === 'false', `the service did not exit cleanly: exit code ${exitCode}`);
  check(stopMs < SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS, `stopping took ${stopMs} ms`);
  check(stopMs >= SHUTDOWN_DELAY_MS - 500, `stopped after ${stopMs} ms, before the drain delay ended`);
  check(answeredAfterStop > 0, 'no request was answered during the drain');

  await docker('start', name);
  const port = await publishedPort();
  const again = `http://127.0.0.1:${port}`;
  await waitFor('ready again', 60_000, async () => (await fetch(`${again}/readyz`)).ok);
  const stored = new Set<number>();
  for (let url: string | undefined = `${again}${tasks}?limit=100`; url !== undefined; ) {
    const response: Response = await fetch(url);
    check(response.status === 200, `list after restart: ${response.status}`);
    for (const task of (await response.json()) as { id: number }[]) stored.add(task.id);
    const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
    url = next === undefined ? undefined : new URL(next, again).toString();
  }
  const lost = acknowledged.filter((id) => !stored.has(id));
  check(lost.length === 0, `acknowledged but lost: ${lost.join(', ')}`);
  console.log(`after a restart: all ${acknowledged.length} acknowledged tasks are there`);
}

async function publishedPort(): Promise<number> {
  const mapping = await docker('port', name, '8000/tcp');
  const port = Number(/:(\d+)\s*$/m.exec(mapping)?.[1]);
  check(port > 0, `no published port: ${mapping}`);
  return port;
}

/** Starts a labelled container on the check's network. */
async function runDetached(container: string, from: string, env: Record<string, string>, options: string[] = []): Promise<void> {
  const environment = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  await docker('run', '-d', '--label', LABEL, '--name', container, '--network', name, ...options, ...environment, from);
}

async function main(): Promise<void> {
  await inspectImage();
  const network = name;
  const database = `${name}-db`;
  const password = `pw-${process.pid}`;
  try {
    await docker('network', 'create', '--label', LABEL, network);
    await runDetached(database, postgresImage, { POSTGRES_PASSWORD: password, POSTGRES_DB: 'tasks' });
    await waitFor('PostgreSQL', 60_000, async () => {
      await docker('exec', database, 'pg_isready', '-q', '-h', '127.0.0.1', '-U', 'postgres');
      return true;
    });
    await runDetached(
      name,
      image,
      {
        DATABASE_URL: `postgres://postgres:${password}@${database}:5432/tasks`,
        SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
        LOG_LEVEL: 'warn',
      },
      ['-p', '127.0.0.1::8000'],
    );
    const healthyMs = await waitFor('HEALTHCHECK healthy', 90_000, async () => {
      const [status, health] = (await docker('inspect', '--format', '{{.State.Status}} {{.State.Health.Status}}', name)).split(' ');
      if (status !== 'running' || health === 'unhealthy') throw new GaveUp(`the container is ${status}, ${health}`);
      return health === 'healthy';
    });
    console.log(`healthy ${(healthyMs / 1000).toFixed(1)} s after start (the first health check runs after its 10 s interval)`);
    const base = `http://127.0.0.1:${await publishedPort()}`;
    check((await fetch(`${base}/readyz`)).ok, '/readyz is not ready');
    await exerciseApi(base);
    await stopUnderLoad(base);
    console.log('image check: ok');
  } catch (error) {
    for (const container of [database, name]) {
      const logs = await run('docker', ['logs', '--tail', '50', container]).catch(() => ({ stdout: '', stderr: '(no logs)' }));
      console.error(`--- ${container}\n${logs.stdout}${logs.stderr}`);
    }
    throw error;
  } finally {
    // -v: the official postgres image declares a volume; it goes with its container.
    await docker('rm', '-f', '-v', name, database).catch(() => undefined);
    await docker('network', 'rm', network).catch(() => undefined);
  }
}

await main();
