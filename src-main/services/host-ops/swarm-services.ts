/**
 * Swarm services that run MCP Fleet instances (deploy --swarm): whether a host can take them, how they
 * look to reconciliation, and the lifecycle actions on one (restart, stop, remove) and its tasks.
 */
import type Dockerode from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { FleetError } from '../../shared/errors';
import { mapDockerError } from '../docker/docker-errors';
import type { DockerHost } from '../docker/docker-host';
import { LABELS } from '../instance-spec/constants';
import { isPlainInstanceName, stateVolumeName } from '../instance-spec/names';
import { bounded } from './engine-call';
import { removeInstance, type HostTarget } from './instance-ops';
import type { ObservedContainer } from './reconcile';

/** The manager's node id. Throws FleetError('invalid_input') when the host cannot take services. */
export async function swarmManager(docker: DockerHost): Promise<string> {
  const swarm = await bounded(docker, docker.swarm(), 'docker info');
  const host = docker.where.hostName;
  if (swarm.role === 'inactive') {
    throw new FleetError(
      'invalid_input',
      `${host} is not part of a Swarm (its engine says "${swarm.state}"): ` +
        'run `docker swarm init` there, or deploy without --swarm',
    );
  }
  if (swarm.role !== 'manager' || swarm.nodeId === null) {
    throw new FleetError(
      'invalid_input',
      `${host} is a Swarm worker, not a manager: deploy --swarm to a manager host`,
    );
  }
  return swarm.nodeId;
}

/**
 * The server's services on the manager (every MCP Fleet service with `server` null), as reconciliation
 * sees instances: "running" when a task of the service's current version runs.
 */
export async function observeServices(
  docker: DockerHost,
  server: string | null,
): Promise<ObservedContainer[]> {
  const label = server === null ? LABELS.server : `${LABELS.server}=${server}`;
  const services = await call(docker, 'services', () =>
    docker.docker.listServices({ filters: { label: [label] } }),
  );
  if (services.length === 0) return [];
  const tasks = await runningTasks(
    docker,
    services.map((s) => s.ID),
  );
  return services.map((s) => {
    const labels = s.Spec?.Labels ?? {};
    const name = s.Spec?.Name ?? s.ID;
    const hash = labels[LABELS.configHash] ?? null;
    return {
      id: s.ID,
      name,
      server: labels[LABELS.server] ?? '',
      swarm: true,
      instance: labels[LABELS.instance] ?? name,
      member: labels[LABELS.member] ?? null,
      configHash: hash,
      // A task of an older version still running mid-update does not count as the instance running.
      state: tasks.some((t) => t.ServiceID === s.ID && taskHash(t) === hash) ? 'running' : 'not running',
      ports: (s.Endpoint?.Spec?.Ports ?? s.Spec?.EndpointSpec?.Ports ?? []).flatMap((p) =>
        p.PublishedPort ? [p.PublishedPort] : [],
      ),
    };
  });
}

/** The server's services when the host is a Swarm manager, else none (a plain deploy must not fight them). */
export async function servicesIfManager(
  docker: DockerHost,
  server: string | null,
): Promise<ObservedContainer[]> {
  return (await docker.swarm()).role === 'manager' ? observeServices(docker, server) : [];
}

/** Removes a service, then (once its tasks are gone) its secrets; with `all`, its state volume too. */
export async function removeService(
  docker: DockerHost,
  service: { id: string; instance: string },
  all: boolean,
): Promise<void> {
  await removeServiceAndWait(docker, service.id, service.instance);
  await removeSecrets(docker, service.instance, new Set());
  if (all && isPlainInstanceName(service.instance)) {
    await docker.removeVolume(stateVolumeName(service.instance));
  }
}

/** Removes an instance with its files and state, whether it runs as a Swarm service or a container. */
export async function removeNamedInstance(target: HostTarget, name: string): Promise<void> {
  if (await inspectService(target.docker, name)) {
    await removeService(target.docker, { id: name, instance: name }, true);
    return;
  }
  await removeInstance(target, { id: name, instance: name }, true);
}

/** Restarts a service's task (`docker service update --force`). Throws FleetError. */
export function restartService(docker: DockerHost, name: string): Promise<void> {
  return changeService(docker, name, (spec) => {
    const task = spec.TaskTemplate as { ForceUpdate?: number } | undefined;
    return {
      ...spec,
      TaskTemplate: { ...task, ForceUpdate: (task?.ForceUpdate ?? 0) + 1 },
      Mode: { Replicated: { Replicas: 1 } },
    };
  });
}

/** Scales a service to 0 (its definition stays; deploy or restart brings it back). Throws FleetError. */
export function stopService(docker: DockerHost, name: string): Promise<void> {
  return changeService(docker, name, (spec) => ({ ...spec, Mode: { Replicated: { Replicas: 0 } } }));
}

/**
 * Updates a service to `change(its current spec)` at its current version; `rollback` asks Swarm for
 * its previous spec instead. Throws FleetError('not_found') when there is no such service.
 */
export async function changeService(
  docker: DockerHost,
  name: string,
  change: (spec: Dockerode.ServiceSpec) => Dockerode.ServiceSpec,
  rollback = false,
): Promise<void> {
  const info = await inspectService(docker, name);
  if (!info?.Spec) throw new FleetError('not_found', `no Swarm service named "${name}"`);
  const query = { version: info.Version?.Index ?? 0, ...(rollback ? { rollback: 'previous' } : {}) };
  const body = change(info.Spec);
  await call(docker, `service ${name}`, () =>
    docker.docker.getService(info.ID).update({ _query: query, _body: body }),
  );
}

/** The service of that name, or null. Throws FleetError for anything but "no such service". */
export async function inspectService(docker: DockerHost, name: string): Promise<Dockerode.Service | null> {
  try {
    return (await docker.docker.getService(name).inspect()) as Dockerode.Service;
  } catch (err) {
    const code = (err as { statusCode?: number }).statusCode;
    // 503: the engine is not a Swarm manager, so it has no services at all.
    if (code === 404 || code === 503) return null;
    throw mapDockerError(err, docker.where, `service ${name}`);
  }
}

/** The container of the service's current task (for logs), or null while none runs. */
export async function currentTaskContainer(docker: DockerHost, name: string): Promise<string | null> {
  const info = await inspectService(docker, name);
  if (!info) return null;
  const tasks = await runningTasks(docker, [info.ID]);
  return (
    tasks.find((t) => t.Status?.ContainerStatus?.ContainerID)?.Status?.ContainerStatus?.ContainerID ?? null
  );
}

/** Removes the instance's secrets except `keep`; one still in use (a task shutting down) is left. */
export async function removeSecrets(
  docker: DockerHost,
  instance: string,
  keep: ReadonlySet<string>,
): Promise<void> {
  const list = await call(docker, 'secrets', () =>
    docker.docker.listSecrets({ filters: { label: [`${LABELS.instance}=${instance}`] } }),
  );
  for (const s of list) {
    if (keep.has(s.Spec?.Name ?? '')) continue;
    await docker.docker
      .getSecret(s.ID)
      .remove()
      .catch(() => undefined);
  }
}

export async function removeServiceAndWait(docker: DockerHost, id: string, name: string): Promise<void> {
  try {
    await docker.docker.getService(id).remove();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404)
      throw mapDockerError(err, docker.where, `service ${name}`);
  }
  // Its task containers stop after the service is gone; the volume and secrets are free only then.
  const deadline = Date.now() + 30_000;
  while ((await docker.listByLabel({ [LABELS.swarmService]: name })).length > 0 && Date.now() < deadline) {
    await sleep(250);
  }
}

export interface Task {
  ServiceID?: string;
  Spec?: { ContainerSpec?: { Labels?: Record<string, string> } };
  Status?: { State?: string; Err?: string; Message?: string; ContainerStatus?: { ContainerID?: string } };
  DesiredState?: string;
}

export function taskHash(t: Task): string | null {
  return t.Spec?.ContainerSpec?.Labels?.[LABELS.configHash] ?? null;
}

export async function runningTasks(docker: DockerHost, serviceIds: string[]): Promise<Task[]> {
  const tasks = (await call(docker, 'tasks', () =>
    docker.docker.listTasks({ filters: { service: serviceIds, 'desired-state': ['running'] } }),
  )) as Task[];
  return tasks.filter(isUp);
}

/**
 * A task whose container runs. Swarm says "starting" until the image's HEALTHCHECK first passes (30 s
 * in); the connection test asks the bridge itself, so it need not wait for that.
 */
export function isUp(t: Task): boolean {
  return t.Status?.State === 'running' || t.Status?.State === 'starting';
}

export async function call<T>(docker: DockerHost, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw mapDockerError(err, docker.where, what);
  }
}

/**
 * What a deploy reconciles against: the server's services on a manager (`swarm`), else its containers.
 * One server runs on a host either as plain containers or as Swarm services, never both (they would
 * fight over its ports): finding the other kind is refused, and switching is the operator's call.
 */
export async function observedFor(
  docker: DockerHost,
  server: string,
  host: string,
  containers: readonly ObservedContainer[],
  swarm: boolean,
): Promise<{ observed: ObservedContainer[]; nodeId: string | null }> {
  if (swarm) {
    const nodeId = await swarmManager(docker);
    refuseOtherKind(
      server,
      host,
      containers.filter((c) => !c.swarm),
      'plain containers',
      'without --swarm (--no-swarm)',
    );
    return { observed: await observeServices(docker, server), nodeId };
  }
  // A service whose task is not up yet has no container: ask the manager too.
  const services = [...containers.filter((c) => c.swarm), ...(await servicesIfManager(docker, server))];
  refuseOtherKind(server, host, services, 'Swarm services', 'with --swarm');
  return { observed: [...containers], nodeId: null };
}

function refuseOtherKind(
  server: string,
  host: string,
  others: readonly ObservedContainer[],
  kind: string,
  how: string,
): void {
  if (others.length === 0) return;
  const names = [...new Set(others.map((o) => o.name))].join(', ');
  throw new FleetError(
    'conflict',
    `${server} runs on ${host} as ${kind} (${names}): deploy it ${how}, ` +
      `or remove them first (mcp-fleet instances remove NAME --host ${host})`,
  );
}
