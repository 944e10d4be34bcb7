/** What the connection-cap suites share: raw sockets from chosen loopback sources, and member alice. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { ConnectionFigures } from '../access/fair-share-report';
import { INITIALIZE, MCP_HEADERS, requestFrom, sha256, waitFor } from '../test-helpers';

export const ALICE = 'tok-alice-connections-001';

/** Descriptors this process holds: the test bridge runs in it, so its sockets are counted here. */
export const fdCount = (): number => readdirSync('/proc/self/fd').length;

export interface Probe {
  socket: Socket;
  /** The bridge ended its side (a hostile client, allowHalfOpen, never ends its own). */
  ended: boolean;
  closed: boolean;
  data: string;
}

/** n sockets from one loopback address, holding on to whatever they are sent and whether they closed. */
export function open(
  port: number,
  n: number,
  localAddress: string,
  options: { allowHalfOpen?: boolean } = {},
): Probe[] {
  return Array.from({ length: n }, () => {
    const probe: Probe = {
      socket: connect({
        port,
        host: '127.0.0.1',
        localAddress,
        allowHalfOpen: options.allowHalfOpen ?? false,
      }),
      ended: false,
      closed: false,
      data: '',
    };
    probe.socket.on('end', () => (probe.ended = true));
    probe.socket.on('data', (chunk: Buffer) => (probe.data += chunk.toString()));
    probe.socket.on('error', () => undefined);
    probe.socket.on('close', () => (probe.closed = true));
    return probe;
  });
}

export const endedCount = (probes: Probe[]): number => probes.filter((p) => p.ended).length;

/** An authenticated keep-alive request on the probe's own socket; resolves once the answer is in. */
export async function authenticate(probe: Probe, port: number): Promise<void> {
  probe.socket.write(
    `GET /status HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nauthorization: Bearer ${ALICE}\r\n\r\n`,
  );
  await waitFor(() => probe.data.startsWith('HTTP/1.1 200') || probe.closed, 'the authenticated answer');
  assert.match(probe.data, /^HTTP\/1\.1 200/);
}

/** Alice's initialize and an echo call, each on a connection of its own from 127.0.0.1. */
export async function aliceCalls(url: string, tag: string): Promise<void> {
  const headers = { ...MCP_HEADERS, authorization: `Bearer ${ALICE}` };
  const init = await requestFrom(url, { method: 'POST', headers, body: JSON.stringify(INITIALIZE) });
  assert.equal(init.status, 200, init.text);
  const session = String(init.headers['mcp-session-id']);
  const echo = await requestFrom(url, {
    method: 'POST',
    headers: { ...headers, 'mcp-session-id': session },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: tag } },
    }),
  });
  assert.equal(echo.status, 200, echo.text);
  assert.match(echo.text, new RegExp(`Echo: ${tag}`));
}

export async function statusOf(url: string): Promise<{
  child: { pid: number; state: string };
  connections: ConnectionFigures;
}> {
  const res = await requestFrom(url.replace('/mcp', '/status'), {
    headers: { authorization: `Bearer ${ALICE}` },
  });
  return JSON.parse(res.text) as Awaited<ReturnType<typeof statusOf>>;
}

export const members = [{ name: 'alice', tokenSha256: sha256(ALICE), tools: ['*'] }];
