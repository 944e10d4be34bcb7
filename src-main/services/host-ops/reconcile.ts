/**
 * Reconciliation: what runs on a host (read from container labels) against what the definition wants.
 * Pure, so the same plan drives deploy (act on it) and `instances list` (report it as drift).
 */
import type Dockerode from 'dockerode';
import { LABELS } from '../instance-spec/constants';

/** A container as observed on the host, from its labels and state. */
export interface ObservedContainer {
  id: string;
  name: string;
  server: string;
  /** The instance label; differs from `name` for a container moved aside during a replacement. */
  instance: string | null;
  member: string | null;
  configHash: string | null;
  /** Docker's state: created, running, restarting, exited, paused, dead. */
  state: string;
  /** Host ports it publishes. */
  ports: number[];
  /** A task container of a Swarm service (deploy --swarm): `name` is the service's. */
  swarm?: boolean;
  /** Its bridge serves HTTPS (its command has --tls-cert). */
  tls?: boolean;
}

export interface DesiredInstance {
  name: string;
  configHash: string;
  member: string | null;
}

export type Step<D extends DesiredInstance = DesiredInstance> =
  | { kind: 'keep'; desired: D; current: ObservedContainer }
  | { kind: 'create'; desired: D }
  /** The config differs, or the container is not running (a cut-off deploy): made anew. */
  | { kind: 'replace'; desired: D; current: ObservedContainer; reason: 'config' | 'not-running' }
  | { kind: 'remove'; current: ObservedContainer };

export function observe(info: Dockerode.ContainerInfo): ObservedContainer {
  const labels = info.Labels ?? {};
  const service = labels[LABELS.swarmService];
  return {
    id: info.Id,
    name: service ?? (info.Names[0] ?? info.Id).replace(/^\//, ''),
    ...(service !== undefined ? { swarm: true } : {}),
    server: labels[LABELS.server] ?? '',
    instance: labels[LABELS.instance] ?? null,
    member: labels[LABELS.member] ?? null,
    configHash: labels[LABELS.configHash] ?? null,
    state: info.State,
    ports: [...new Set(info.Ports.flatMap((p) => (p.PublicPort ? [p.PublicPort] : [])))],
    ...(/(^|\s)--tls-cert(\s|=|$)/.test(info.Command ?? '') ? { tls: true } : {}),
  };
}

/**
 * Every listed container as observed; a Swarm service's task containers (the current one and the
 * stopped ones Swarm keeps as history) count once, as the service: its running task, else the newest.
 */
export function observeAll(infos: readonly Dockerode.ContainerInfo[]): ObservedContainer[] {
  const plain = infos.filter((info) => (info.Labels ?? {})[LABELS.swarmService] === undefined);
  return [...plain, ...currentTasks(infos).values()].map(observe);
}

/** Per Swarm service (by its label), the task container that stands for it: running first, then newest. */
export function currentTasks(
  infos: readonly Dockerode.ContainerInfo[],
): Map<string, Dockerode.ContainerInfo> {
  const rank = (c: Dockerode.ContainerInfo): [boolean, number] => [c.State === 'running', c.Created];
  const tasks = new Map<string, Dockerode.ContainerInfo>();
  for (const info of infos) {
    const service = (info.Labels ?? {})[LABELS.swarmService];
    if (service === undefined) continue;
    const other = tasks.get(service);
    const [running, created] = rank(info);
    const [otherRunning, otherCreated] = other ? rank(other) : [false, -1];
    if (!other || (running && !otherRunning) || (running === otherRunning && created > otherCreated))
      tasks.set(service, info);
  }
  return tasks;
}

/**
 * The steps that take `observed` to `desired`: removals first (they free ports and names), then the
 * rest in the order desired lists them. A container counts as the desired instance only by its exact
 * name, so a duplicate or a leftover under another name is removed, never adopted.
 */
export function planReconcile<D extends DesiredInstance>(
  desired: readonly D[],
  observed: readonly ObservedContainer[],
): Step<D>[] {
  const byName = new Map(observed.map((c) => [c.name, c]));
  const wanted = new Set(desired.map((d) => d.name));
  const removals: Step<D>[] = observed
    .filter((c) => !wanted.has(c.name))
    .map((current) => ({ kind: 'remove', current }));
  const rest = desired.map((d): Step<D> => {
    const current = byName.get(d.name);
    if (!current) return { kind: 'create', desired: d };
    if (current.configHash !== d.configHash)
      return { kind: 'replace', desired: d, current, reason: 'config' };
    if (current.state !== 'running') return { kind: 'replace', desired: d, current, reason: 'not-running' };
    return { kind: 'keep', desired: d, current };
  });
  return [...removals, ...rest];
}

/** True when the plan changes nothing. */
export function isNoop(steps: readonly Step[]): boolean {
  return steps.every((s) => s.kind === 'keep');
}
