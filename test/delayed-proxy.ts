import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy to a PostgreSQL server that holds each new connection for `delayMs` before passing it on:
 * a database waking from scale-to-zero, as a client sees it.
 */
export async function startDelayedProxy(
  targetPort: number,
  delayMs: number,
  targetHost = '127.0.0.1',
): Promise<{ port: number; setDelay(ms: number): void; close(): Promise<void> }> {
  let delay = delayMs;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.pause();
    setTimeout(() => {
      if (client.destroyed) return;
      const upstream = connect(targetPort, targetHost);
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      client.pipe(upstream).pipe(client);
      client.resume();
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    }, delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy has no address');
  return {
    port: address.port,
    setDelay: (ms) => {
      delay = ms;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
