import { createServer } from 'node:net';

/** The listening TCP ports in `ss -Hltn` output or in /proc/net/tcp{,6} (ports in hex, state 0A). */
export function parseListeningPorts(text: string): Set<number> {
  const ports = new Set<number>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // ss: State Recv-Q Send-Q Local:Port Peer:Port
    if (fields[0] === 'LISTEN' && fields[3] !== undefined) {
      const port = Number(fields[3].slice(fields[3].lastIndexOf(':') + 1));
      if (Number.isInteger(port)) ports.add(port);
      continue;
    }
    // /proc/net/tcp: sl local_address rem_address st ...
    if (/^\d+:$/.test(fields[0] ?? '') && fields[3] === '0A' && fields[1] !== undefined) {
      const port = Number.parseInt(fields[1].slice(fields[1].lastIndexOf(':') + 1), 16);
      if (Number.isInteger(port)) ports.add(port);
    }
  }
  return ports;
}

/** The first `count` ports in [from, to] not in `taken`. */
export function pickFree(taken: ReadonlySet<number>, from: number, to: number, count: number): number[] {
  const free: number[] = [];
  for (let port = from; port <= to && free.length < count; port += 1) {
    if (!taken.has(port)) free.push(port);
  }
  return free;
}

/** Whether this machine can listen on the port on all interfaces right now. */
export function canListenHere(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
