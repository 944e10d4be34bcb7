/**
 * A webhook receiver on loopback (node:http) for the alert tests: answers each POST with the next
 * status of a script (then `thereafter`), and records every request it saw, its headers and body.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
  path: string;
}

export interface Receiver {
  url: string;
  requests: Received[];
  /** Requests answered 2xx. */
  accepted(): Received[];
  /** Resolves once `n` requests were answered (at once if they were). */
  waitForRequests(n: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(
  script: number[] = [],
  thereafter = 200,
  path = '/hook',
): Promise<Receiver> {
  const requests: Received[] = [];
  const waiters: { n: number; resolve: (r: Received[]) => void }[] = [];
  const queue = [...script];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = queue.shift() ?? thereafter;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = Buffer.concat(chunks).toString('utf8');
      }
      requests.push({ status, headers: req.headers, body, path: req.url ?? '' });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
      for (const w of [...waiters]) {
        if (requests.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(requests.slice());
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    accepted: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    waitForRequests: (n) =>
      requests.length >= n
        ? Promise.resolve(requests.slice())
        : new Promise((resolve) => waiters.push({ n, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
