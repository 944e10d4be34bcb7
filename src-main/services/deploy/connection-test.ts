/**
 * The connection test of the wizard's last step, run after every start: wait until the bridge says
 * its server is initialized, then initialize + tools/list through the auth layer with a member's
 * token, as an MCP client would. While waiting it watches the container, so a server that cannot run
 * fails at once with the reason (and the limit to relax) instead of at the deadline.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { FleetError } from '../../shared/errors';
import type { DockerHost } from '../docker/docker-host';
import { diagnose } from './diagnose';

export interface ConnectionTestInput {
  docker: DockerHost;
  /** Container name, for watching it and reading its log. */
  container: string;
  /** http://ADDRESS:PORT/mcp */
  url: string;
  token: string;
  timeoutMs?: number;
  /** Secret values of the instance, masked in any log excerpt. */
  secrets?: readonly string[];
}

const POLL_MS = 100;

/** Resolves to the tool names. Throws FleetError('unavailable') naming what went wrong. */
export async function testConnection(input: ConnectionTestInput): Promise<string[]> {
  await waitUntilReady(input);
  return listTools(input);
}

/** Resolves once the bridge's server is initialized (/readyz). Throws FleetError('unavailable') as testConnection does. */
export async function waitUntilReady(input: Omit<ConnectionTestInput, 'token'>): Promise<void> {
  const base = input.url.replace(/\/mcp$/, '');
  const deadline = Date.now() + (input.timeoutMs ?? 60_000);
  for (let round = 0; ; round += 1) {
    if ((await status(`${base}/readyz`)) === 200) break;
    // The container's state costs a round trip to the engine: look every few polls.
    if (round % 5 === 4) await failIfDown(input, base);
    if (Date.now() > deadline) {
      await failIfDown(input, base);
      throw await failure(
        input,
        `it did not become ready within ${Math.round((input.timeoutMs ?? 60_000) / 1000)} s`,
      );
    }
    await sleep(POLL_MS);
  }
}

async function listTools(input: ConnectionTestInput): Promise<string[]> {
  const client = new Client({ name: 'mcp-fleet-connection-test', version: '1.0.0' }, { capabilities: {} });
  const transport = new StreamableHTTPClientTransport(new URL(input.url), {
    requestInit: { headers: { authorization: `Bearer ${input.token}` } },
  });
  try {
    await client.connect(transport, { timeout: 30_000 });
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: 30_000 });
      names.push(...page.tools.map((t) => t.name));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return names;
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const refused = /\b401\b|unauthori[sz]ed/i.test(text);
    throw await failure(
      input,
      refused
        ? 'it refused the member token (401): the members file on the host does not match the store'
        : `initialize + tools/list failed: ${text.slice(0, 300)}`,
    );
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function status(url: string): Promise<number | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return null;
  }
}

/** Throws when the container stopped, restarts, or its server keeps crashing (healthz 503). */
async function failIfDown(input: Omit<ConnectionTestInput, 'token'>, base: string): Promise<void> {
  const info = await input.docker.inspect(input.container);
  if (!info) throw await failure(input, 'the container disappeared');
  const state = info.State;
  if (!state.Running || state.Restarting) {
    const how = state.OOMKilled ? 'was killed for memory' : `exited at once (exit code ${state.ExitCode})`;
    throw await failure(input, `the container ${how}`, state.OOMKilled);
  }
  if ((await status(`${base}/healthz`)) === 503) {
    throw await failure(input, 'its server process keeps exiting');
  }
}

async function failure(
  input: Omit<ConnectionTestInput, 'token'>,
  what: string,
  oomKilled = false,
): Promise<FleetError> {
  const lines: string[] = [];
  try {
    for await (const line of input.docker.logs(input.container, { tail: 60 })) lines.push(line.text);
  } catch {
    // The log is a help, not a requirement: the sentence stands without it.
  }
  const found = diagnose(lines, oomKilled, input.secrets ?? []);
  const parts = [`${input.container} on ${input.docker.where.hostName} failed its connection test: ${what}`];
  if (found.excerpt !== '') parts.push(`last output: ${found.excerpt}`);
  if (found.hint !== null) parts.push(found.hint);
  return new FleetError('unavailable', parts.join('; '));
}
