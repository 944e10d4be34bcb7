// What one of member B's messages costs the MCP server alone: the server the noisy row puts behind the
// bridge, spawned directly (no bridge, no HTTP), sent B's echo calls one after another over its stdin,
// each timed until its answer's line is read back. Any call of member A that reaches the one child
// while such a message is in its pipe waits for it, whatever the bridge does; the noisy row prints
// this beside its goal.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { percentile } from './measure';

export interface ChildAlone {
  calls: number;
  bodyBytes: number;
  p50Ms: number;
  p99Ms: number;
}

/** `calls` sequential echo calls of `bodyBytes` straight through `command`'s stdio, after initialize. */
export async function childAlone(command: string[], bodyBytes: number, calls: number): Promise<ChildAlone> {
  const [file, ...args] = command;
  if (file === undefined) throw new Error('no server command');
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting = new Map<number, (line: string) => void>();
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const id = /"id":(\d+)/.exec(line.slice(0, 200))?.[1] ?? /"id":(\d+)/.exec(line.slice(-200))?.[1];
      if (id !== undefined) waiting.get(Number(id))?.(line);
    }
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`))),
  );
  const request = (id: number, method: string, params: unknown): Promise<string> => {
    const answered = new Promise<string>((resolve) => waiting.set(id, resolve));
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    return Promise.race([answered, exited]);
  };
  try {
    await request(0, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'bench-child-alone', version: '1' },
    });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    const times: number[] = [];
    for (let id = 1; id <= calls; id += 1) {
      const message = `${randomBytes(8).toString('hex')}${'x'.repeat(Math.max(0, bodyBytes - 16))}`;
      const started = performance.now();
      const line = await request(id, 'tools/call', { name: 'echo', arguments: { message } });
      times.push(performance.now() - started);
      if (!line.includes(message.slice(0, 16))) throw new Error(`call ${id}: the answer is not its echo`);
    }
    times.sort((a, b) => a - b);
    return { calls, bodyBytes, p50Ms: percentile(times, 0.5), p99Ms: percentile(times, 0.99) };
  } finally {
    child.kill();
  }
}
