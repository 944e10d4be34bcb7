/**
 * Docker's side of health, batched per host: one list call (by the MCP Fleet label) for every
 * instance on the host, and an inspect only where the list is not enough (a container seen for the
 * first time, one not running, or one whose bridge restarted since the last look).
 */
import type Dockerode from 'dockerode';
import type { DockerHost } from '../docker/docker-host';
import { currentTasks } from '../host-ops/reconcile';
import { CONTAINER_PORT, LABELS } from '../instance-spec/constants';
import type { InspectFacts } from './instance-tracker';
import type { ContainerFacts } from './observation';

/** Every MCP Fleet container on the host, by name. Throws FleetError. */
export async function listFleetContainers(docker: DockerHost): Promise<Map<string, Dockerode.ContainerInfo>> {
  const list = await docker.listByLabel({ [LABELS.server]: true });
  const byName = new Map<string, Dockerode.ContainerInfo>();
  for (const info of list) {
    if (info.Labels[LABELS.swarmService] !== undefined) continue;
    for (const name of info.Names) byName.set(name.replace(/^\//, ''), info);
  }
  // A Swarm instance is its service's current task; Swarm keeps stopped ones as history.
  for (const [service, info] of currentTasks(list)) byName.set(service, info);
  return byName;
}

/** The container's facts from the list, with what the last inspect said when it is the same container. */
export function factsFromList(info: Dockerode.ContainerInfo, known: InspectFacts | null): ContainerFacts {
  const same = known?.id === info.Id ? known : null;
  return {
    kind: 'found',
    id: info.Id,
    state: info.State,
    exitCode: same?.exitCode ?? null,
    oomKilled: same?.oomKilled ?? null,
    restartCount: same?.restartCount ?? null,
    startedAt: same?.startedAt ?? null,
    finishedAt: same?.finishedAt ?? null,
    error: same?.error ?? null,
    target: publishedTarget(info),
  };
}

/** The container's facts with inspect's fields filled in. */
export function withInspect(facts: ContainerFacts, inspected: InspectFacts, state: string): ContainerFacts {
  return {
    ...facts,
    state,
    exitCode: inspected.exitCode,
    oomKilled: inspected.oomKilled,
    restartCount: inspected.restartCount,
    startedAt: inspected.startedAt,
    finishedAt: inspected.finishedAt,
    error: inspected.error,
  };
}

/** Inspects one container; null when it vanished in between. Throws FleetError. */
export async function inspectContainer(
  docker: DockerHost,
  id: string,
): Promise<{ facts: InspectFacts; state: string } | null> {
  const info = await docker.inspect(id);
  if (!info) return null;
  const s = info.State;
  return {
    state: s.Status,
    facts: {
      id: info.Id,
      restartCount: info.RestartCount,
      startedAt: dockerTime(s.StartedAt),
      finishedAt: dockerTime(s.FinishedAt),
      exitCode: s.Status === 'running' ? null : s.ExitCode,
      oomKilled: s.OOMKilled,
      error: s.Error ? s.Error : null,
    },
  };
}

/** Docker writes "0001-01-01T00:00:00Z" for never. */
function dockerTime(text: string | undefined): number | null {
  if (!text || text.startsWith('0001-')) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/** Where the bridge's port is published on the host, as an address the host itself can dial. */
function publishedTarget(info: Dockerode.ContainerInfo): { address: string; port: number } | null {
  const ports = info.Ports.filter((p) => p.PrivatePort === CONTAINER_PORT && p.PublicPort > 0);
  const v4 = ports.find((p) => !p.IP.includes(':')) ?? ports[0];
  if (!v4) return null;
  const ip = v4.IP;
  const address = ip === '' || ip === '0.0.0.0' ? '127.0.0.1' : ip === '::' ? '::1' : ip;
  return { address, port: v4.PublicPort };
}
