import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from './postgres/postgres-sources.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The service's real entry point running as a child process, on the TypeScript sources. */
export interface ServiceProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote so far. */
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited(): Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `packages/app/src/main.ts` with the given environment and waits until it answers HTTP. Its
 * output goes to a pipe, or with `outputFile` to that file, as a process manager would redirect it.
 */
export async function startServiceProcess(
  env: Record<string, string>,
  options: { cwd?: string; readyTimeoutMs?: number; outputFile?: string } = {},
): Promise<ServiceProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const file = options.outputFile === undefined ? undefined : openSync(options.outputFile, 'w');
  const child = spawn(process.execPath, ['--conditions=@tasks/source', '--import', 'tsx/esm', `${ROOT}packages/app/src/main.ts`], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', file ?? 'pipe', file ?? 'pipe'],
  });
  if (file !== undefined) closeSync(file);
  let piped = '';
  child.stdout?.on('data', (chunk) => (piped += chunk));
  child.stderr?.on('data', (chunk) => (piped += chunk));
  const output = () => (options.outputFile === undefined ? piped : readFileSync(options.outputFile, 'utf8'));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A service that ends after it was ready without being told to is what a failing test must explain.
  let ready = false;
  let stopped = false;
  child.once('exit', (code, signal) => {
    if (ready && !stopped) console.error(`[tests] the service on port ${port} ended by itself (code ${code}, signal ${signal}):\n${output().slice(-6_000)}`);
  });
  const service: ServiceProcess = {
    url: `http://127.0.0.1:${port}`,
    child,
    output,
    exited: () => exit,
    async stop(signal = 'SIGTERM') {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exit;
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${service.url}/api/ready-probe/tasks`);
      if (response.status === 200) {
        ready = true;
        return service;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await service.stop('SIGKILL');
  throw new Error(`service did not answer within the timeout:\n${output()}`);
}
