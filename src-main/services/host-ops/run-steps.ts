/**
 * Carries out a reconcile plan on one host and records what came of it in the store.
 */
import { FleetError, type ErrorCode } from '../../shared/errors';
import type { Store } from '../store/store';
import type { HostRecord, ServerRecord } from '../store/types';
import {
  createInstance,
  filePaths,
  instanceUrl,
  removeInstance,
  replaceInstance,
  type HostTarget,
  type PlannedInstance,
  type Progress,
} from './instance-ops';
import type { ConnectionTestResult } from './connection-test';
import type { ObservedContainer, Step } from './reconcile';
import type { InstanceOutcome } from '../deploy/types';

/** What each kind of step does: plain containers by default, Swarm services for deploy --swarm. */
export interface InstanceOps {
  create(target: HostTarget, inst: PlannedInstance, progress: Progress): Promise<ConnectionTestResult>;
  replace(
    target: HostTarget,
    inst: PlannedInstance,
    current: ObservedContainer,
    progress: Progress,
  ): Promise<ConnectionTestResult>;
  remove(target: HostTarget, current: { id: string; instance: string }, all: boolean): Promise<void>;
  /** An instance left as it is (plain: drops files a cut-off replacement moved aside). */
  keep(target: HostTarget, inst: PlannedInstance): Promise<void>;
}

export const containerOps: InstanceOps = {
  create: createInstance,
  replace: replaceInstance,
  remove: removeInstance,
  keep: (target, d) => target.files.discardAside(filePaths(d.spec)),
};

export interface ExecuteOptions {
  ops?: InstanceOps;
  progress: Progress;
  /** One at a time, the rest skipped after the first failure. */
  rolling: boolean;
  concurrency: number;
  /** Tools recorded for an instance left as it is. */
  tools: (name: string) => string[] | null;
}

/** Removals first, one by one (they free names and ports); then the rest. Never throws for one instance. */
export async function executeSteps(
  target: HostTarget,
  steps: readonly Step<PlannedInstance>[],
  opts: ExecuteOptions,
): Promise<InstanceOutcome[]> {
  const ops = opts.ops ?? containerOps;
  const outcomes: InstanceOutcome[] = [];
  const wanted = new Set(steps.flatMap((s) => (s.kind === 'remove' ? [] : [s.desired.name])));
  for (const step of steps) {
    if (step.kind !== 'remove') continue;
    const c = step.current;
    const instance = c.instance ?? c.name;
    const outcome: InstanceOutcome = {
      name: c.name,
      member: c.member,
      host: target.hostName,
      port: c.ports[0] ?? null,
      url: null,
      action: 'removed',
      tools: null,
    };
    try {
      opts.progress(`removing ${c.name} (not in the definition)`);
      // A container moved aside by a cut-off replacement shares its folder with the wanted instance.
      await ops.remove(target, { id: c.id, instance }, !wanted.has(instance));
    } catch (err) {
      outcome.action = 'failed';
      outcome.error = messageOf(err);
      outcome.errorCode = codeOf(err);
    }
    outcomes.push(outcome);
  }
  const rest = steps.filter((s) => s.kind !== 'remove');
  let stop = outcomes.some((o) => o.action === 'failed') && opts.rolling;
  const one = async (step: Exclude<Step<PlannedInstance>, { kind: 'remove' }>): Promise<InstanceOutcome> => {
    const d = step.desired;
    const outcome: InstanceOutcome = {
      name: d.name,
      member: d.member,
      host: target.hostName,
      port: d.spec.port,
      url: instanceUrl(target.address, d.spec.port, d.spec.tls),
      action: 'unchanged',
      tools: null,
    };
    if (stop) return { ...outcome, action: 'skipped' };
    try {
      if (step.kind === 'keep') {
        // A replacement cut off after its new container started leaves the old files aside.
        await ops.keep(target, d);
        outcome.tools = opts.tools(d.name);
      } else {
        const tested =
          step.kind === 'create'
            ? await ops.create(target, d, opts.progress)
            : await ops.replace(target, d, step.current, opts.progress);
        outcome.action = step.kind === 'create' ? 'created' : 'replaced';
        outcome.tools = tested.tools;
        outcome.tested = { at: tested.at, elapsedMs: tested.elapsedMs };
      }
      if (outcome.action !== 'unchanged')
        opts.progress(`${d.name}: ${outcome.action}, ${outcome.tools?.length ?? 0} tools`);
    } catch (err) {
      outcome.action = 'failed';
      outcome.error = messageOf(err);
      outcome.errorCode = codeOf(err);
      opts.progress(`${d.name}: failed: ${outcome.error}`);
      if (opts.rolling) stop = true;
    }
    return outcome;
  };
  outcomes.push(...(await mapLimited(rest, opts.rolling ? 1 : opts.concurrency, one)));
  return outcomes;
}

/** Instance rows follow the outcomes: made or kept → upserted with their tools; removed → deleted. */
export function recordOutcomes(
  store: Store,
  server: ServerRecord,
  host: HostRecord,
  outcomes: readonly InstanceOutcome[],
  hashes: ReadonlyMap<string, string>,
): void {
  const members = new Map(store.members.listByServer(server.id).map((m) => [m.name, m.id]));
  const rows = new Map(store.instances.listByHost(host.id).map((i) => [i.containerName, i]));
  store.transaction(() => {
    for (const o of outcomes) {
      const row = rows.get(o.name);
      if (o.action === 'removed') {
        if (row) store.instances.remove(row.id);
        store.tls.removeLeaf(host.id, o.name);
        continue;
      }
      if (o.action === 'failed' || o.action === 'skipped') {
        if (row) store.instances.setStatus(row.id, o.action === 'failed' ? 'failed' : row.status);
        continue;
      }
      const configHash = hashes.get(o.name);
      if (o.port === null || configHash === undefined) continue;
      const saved = store.instances.upsert({
        serverId: server.id,
        memberId: o.member === null ? null : (members.get(o.member) ?? null),
        hostId: host.id,
        containerName: o.name,
        port: o.port,
        configHash,
        status: 'running',
      });
      if (o.tools !== null) store.deployState.setInstanceTools(saved.id, o.tools);
    }
  });
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

function codeOf(err: unknown): ErrorCode {
  return err instanceof FleetError ? err.code : 'internal';
}

function messageOf(err: unknown): string {
  return err instanceof FleetError ? err.message : 'unexpected error; see the log for details';
}
