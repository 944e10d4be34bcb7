/**
 * The connection test of the wizard's last step, run after every start: wait until the bridge says
 * its server is initialized, then initialize + tools/list through the auth layer with a member's
 * token, as an MCP client would. While waiting it watches the container, so a server that cannot run
 * fails at once with the reason (and the limit to relax) instead of at the deadline.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FleetError } from '../../shared/errors';
import { toFailure } from '../bridge-client/bridge-http';
import type { BridgeClient, BridgeTarget } from '../bridge-client/bridge-client';
import type { DockerHost } from '../docker/docker-host';
import { diagnose } from './diagnose';

export interface ConnectionTestInput {
  docker: DockerHost;
  /** Container name, for watching it and reading its log. */
  container: string;
  /** The app's bridge client and where the bridge answers, over the host's road (host-access.ts). */
  client: BridgeClient;
  target: BridgeTarget;
  token: string;
  /** Whose token it is, for messages (never the token). */
  member: string;
  timeoutMs?: number;
  /** Secret values of the instance, masked in any log excerpt. */
  secrets?: readonly string[];
}

/** What the test saw: the tools, and when it passed (handed to the health monitor). */
export interface ConnectionTestResult {
  tools: string[];
  at: number;
  /** How long initialize + tools/list took, ms. */
  elapsedMs: number;
}

const POLL_MS = 100;

/** Resolves to the tool names. Throws FleetError('unavailable') naming what went wrong. */
export async function testConnection(input: ConnectionTestInput): Promise<ConnectionTestResult> {
  await waitUntilReady(input);
  const started = performance.now();
  try {
    const tools = await input.client.listTools(input.target, { token: input.token, member: input.member });
    return { tools, at: Date.now(), elapsedMs: performance.now() - started };
  } catch (err) {
    const failed = toFailure(err);
    throw await failure(
      input,
      failed.kind === 'unauthorized'
        ? 'it refused the member token (401): the members file on the host does not match the store'
        : `initialize + tools/list failed: ${failed.message.slice(0, 300)}`,
    );
  }
}

/** Resolves once the bridge's server is initialized (/readyz). Throws FleetError('unavailable') as testConnection does. */
export async function waitUntilReady(input: Omit<ConnectionTestInput, 'token' | 'member'>): Promise<void> {
  const deadline = Date.now() + (input.timeoutMs ?? 60_000);
  for (let round = 0; ; round += 1) {
    if ((await readyz(input)) === 200) break;
    // The container's state costs a round trip to the engine: look every few polls.
    if (round % 5 === 4) await failIfDown(input);
    if (Date.now() > deadline) {
      await failIfDown(input);
      throw await failure(
        input,
        `it did not become ready within ${Math.round((input.timeoutMs ?? 60_000) / 1000)} s`,
      );
    }
    await sleep(POLL_MS);
  }
}

async function readyz(input: Omit<ConnectionTestInput, 'token' | 'member'>): Promise<number | null> {
  try {
    return await input.client.probePath(input.target, '/readyz');
  } catch (err) {
    throw await failure(input, toFailure(err).message);
  }
}

/** Throws when the container stopped, restarts, or its server keeps crashing (healthz 503). */
async function failIfDown(input: Omit<ConnectionTestInput, 'token' | 'member'>): Promise<void> {
  const info = await input.docker.inspect(input.container);
  if (!info) throw await failure(input, 'the container disappeared');
  const state = info.State;
  if (!state.Running || state.Restarting) {
    const how = state.OOMKilled ? 'was killed for memory' : `exited at once (exit code ${state.ExitCode})`;
    throw await failure(input, `the container ${how}`, state.OOMKilled);
  }
  if ((await input.client.probePath(input.target, '/healthz')) === 503) {
    throw await failure(input, 'its server process keeps exiting');
  }
}

async function failure(
  input: Omit<ConnectionTestInput, 'token' | 'member'>,
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
