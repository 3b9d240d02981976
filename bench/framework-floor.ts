// What one request costs the HTTP framework alone, with no database and no middleware: a bare node:http
// server and a bare Express 5 app answer the same constant task as JSON. Prints CPU time per request
// of each server process. Run: node --import tsx/esm bench/framework-floor.ts [seconds]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { freePort } from '../test/postgres/postgres-sources.js';

const seconds = Number(process.argv[2] ?? 10);
const servers = {
  'node:http': `
    const body = JSON.stringify(${'TASK'});
    require('node:http').createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }).listen(Number(process.env.PORT), '127.0.0.1');`,
  'express 5': `
    const app = require('express')();
    app.disable('x-powered-by'); app.set('etag', false); app.set('query parser', false);
    const body = JSON.stringify(${'TASK'});
    app.get('/api/:userId/tasks/:id', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    app.listen(Number(process.env.PORT), '127.0.0.1');`,
};
const task = JSON.stringify({
  id: 1,
  user_id: 'user-0001',
  title: 'seeded task 1 of user 1',
  description: null,
  completed: false,
  created_at: '2026-11-28T10:22:28.157Z',
  updated_at: '2026-11-28T10:22:28.157Z',
});

const cpuMs = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

for (const [name, source] of Object.entries(servers)) {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', source.replace('TASK', task)], { env: { ...process.env, PORT: String(port) }, stdio: 'inherit' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = cpuMs(child.pid!);
  const result = await autocannon({ url: `http://127.0.0.1:${port}/api/user-0001/tasks/1`, connections: 100, duration: seconds });
  const cpu = cpuMs(child.pid!) - before;
  child.kill();
  console.log(
    `${name.padEnd(10)} ${result.requests.average.toFixed(0).padStart(7)} req/s  ${((cpu * 1000) / result.requests.total).toFixed(1).padStart(6)} µs CPU per request`,
  );
}
