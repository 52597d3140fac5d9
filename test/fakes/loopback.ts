/** Loopback helpers shared by the fake servers, the test servers and the benchmarks. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on 127.0.0.1 at a port the system picks; resolves with the base URL (`http://127.0.0.1:<port>`). */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** A loopback port nothing listens on (bound, then released): for a listener to come, or a refused connection. */
export async function freePort(): Promise<number> {
  const server = createServer();
  const url = await listenOnLoopback(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return Number(new URL(url).port);
}
