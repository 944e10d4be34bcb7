/**
 * `deploy --swarm`: each instance runs as a Swarm service on a manager host instead of a plain
 * container. The service is built from the same InstanceSpec (so the same bridge flags, user, limits,
 * capabilities and port); its env and members files are Docker secrets (swarm-shape.ts, shared with the
 * stack export) instead of files on the host, so nothing secret is written to the host's disk. Ports are
 * published in host mode (the routing mesh would hide the client's address from --allow-cidr). The
 * runtime image is built on the manager, so the service is placed there: without a registry, no other
 * node has the image.
 */
import type Dockerode from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { FleetError } from '../../shared/errors';
import { mapDockerError } from '../docker/docker-errors';
import type { DockerHost } from '../docker/docker-host';
import { LABELS } from '../instance-spec/constants';
import { stateVolumeName } from '../instance-spec/names';
import { prepareContainer } from '../instance-spec/prepare';
import {
  SWARM_SECRET_OWNER,
  SWARM_SECRET_TARGETS,
  swarmArgs,
  swarmSecretNames,
  tmpfsBytes,
} from '../instance-spec/swarm-shape';
import { testConnection } from './connection-test';
import {
  bounded,
  instanceUrl,
  removeInstance,
  runOnce,
  type HostTarget,
  type PlannedInstance,
  type Progress,
} from './instance-ops';
import type { ObservedContainer } from './reconcile';
import type { InstanceOps } from './run-steps';

/** How long a new task may take to reach "running" (image present: seconds). */
const TASK_TIMEOUT_MS = 90_000;

/** The manager's node id. Throws FleetError('invalid_input') when the host cannot take services. */
export async function swarmManager(docker: DockerHost): Promise<string> {
  const info = (await bounded(
    docker,
    call(docker, 'the engine', () => docker.docker.info()),
    'docker info',
  )) as {
    Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string };
  };
  const swarm = info.Swarm ?? {};
  const host = docker.where.hostName;
  if (swarm.LocalNodeState !== 'active') {
    throw new FleetError(
      'invalid_input',
      `${host} is not part of a Swarm (its engine says "${swarm.LocalNodeState ?? 'inactive'}"): ` +
        'run `docker swarm init` there, or deploy without --swarm',
    );
  }
  if (swarm.ControlAvailable !== true || !swarm.NodeID) {
    throw new FleetError(
      'invalid_input',
      `${host} is a Swarm worker, not a manager: deploy --swarm to a manager host`,
    );
  }
  return swarm.NodeID;
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
  const info = (await call(docker, 'the engine', () => docker.docker.info())) as {
    Swarm?: { ControlAvailable?: boolean };
  };
  return info.Swarm?.ControlAvailable === true ? observeServices(docker, server) : [];
}

/** Creates the instance's secrets and service, waits for its task and tests it; undoes all on failure. */
export async function createService(
  target: HostTarget,
  inst: PlannedInstance,
  nodeId: string,
  progress: Progress,
): Promise<string[]> {
  const { docker } = target;
  const volumeIsNew =
    inst.spec.stateVolume !== null && !(await volumeExists(docker, inst.spec.stateVolume.name));
  let serviceId: string | null = null;
  try {
    const secrets = await ensureSecrets(docker, inst, progress);
    await prepareVolume(docker, inst);
    progress(`starting the Swarm service ${inst.name}`);
    const created = await bounded(
      docker,
      call(docker, `service ${inst.name}`, () =>
        docker.docker.createService(serviceSpec(inst, secrets, nodeId)),
      ),
      `creating service ${inst.name}`,
    );
    serviceId = (created as { id?: string; ID?: string }).id ?? (created as { ID?: string }).ID ?? inst.name;
    return await testTask(target, inst, serviceId);
  } catch (err) {
    if (serviceId !== null) await removeServiceAndWait(docker, serviceId, inst.name).catch(() => undefined);
    await removeSecrets(docker, inst.name, new Set()).catch(() => undefined);
    if (volumeIsNew && inst.spec.stateVolume)
      await docker.removeVolume(inst.spec.stateVolume.name).catch(() => false);
    throw err;
  }
}

/**
 * Moves a service to the new definition (Swarm stops the old task, then starts the new one: the host
 * port allows one at a time). When the new task fails, the service is rolled back to its previous spec.
 */
export async function updateService(
  target: HostTarget,
  inst: PlannedInstance,
  current: ObservedContainer,
  nodeId: string,
  progress: Progress,
): Promise<string[]> {
  const { docker } = target;
  const secrets = await ensureSecrets(docker, inst, progress);
  await prepareVolume(docker, inst);
  progress(`updating the Swarm service ${inst.name}`);
  const service = docker.docker.getService(current.id);
  const version = await serviceVersion(docker, current.id, inst.name);
  await bounded(
    docker,
    call(docker, `service ${inst.name}`, () =>
      service.update({ _query: { version }, _body: serviceSpec(inst, secrets, nodeId) }),
    ),
    `updating service ${inst.name}`,
  );
  try {
    const tools = await testTask(target, inst, current.id);
    await removeSecrets(docker, inst.name, new Set([secrets.env.name, secrets.members.name]));
    return tools;
  } catch (err) {
    const restored = await rollBack(docker, current.id, inst.name);
    const why = err instanceof FleetError ? err.message : 'unexpected error';
    throw new FleetError(
      err instanceof FleetError ? err.code : 'internal',
      `${why}; ${restored ? 'the service was rolled back to its previous version' : 'the service could not be rolled back (deploy again)'}`,
      { cause: err },
    );
  }
}

/** Removes a service, then (once its tasks are gone) its secrets; with `all`, its state volume too. */
export async function removeService(
  docker: DockerHost,
  service: { id: string; instance: string },
  all: boolean,
): Promise<void> {
  await removeServiceAndWait(docker, service.id, service.instance);
  await removeSecrets(docker, service.instance, new Set());
  if (all && /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(service.instance)) {
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
export async function restartService(docker: DockerHost, name: string): Promise<void> {
  const info = await inspectService(docker, name);
  if (!info) throw new FleetError('not_found', `no Swarm service named "${name}"`);
  const spec = info.Spec as Dockerode.ServiceSpec & { TaskTemplate: { ForceUpdate?: number } };
  spec.TaskTemplate.ForceUpdate = (spec.TaskTemplate.ForceUpdate ?? 0) + 1;
  spec.Mode = { Replicated: { Replicas: 1 } };
  await call(docker, `service ${name}`, () =>
    docker.docker.getService(info.ID).update({ _query: { version: info.Version?.Index }, _body: spec }),
  );
}

/** Scales a service to 0 (its definition stays; deploy or restart brings it back). Throws FleetError. */
export async function stopService(docker: DockerHost, name: string): Promise<void> {
  const info = await inspectService(docker, name);
  if (!info) throw new FleetError('not_found', `no Swarm service named "${name}"`);
  const spec = { ...info.Spec, Mode: { Replicated: { Replicas: 0 } } };
  await call(docker, `service ${name}`, () =>
    docker.docker.getService(info.ID).update({ _query: { version: info.Version?.Index }, _body: spec }),
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

/** The Engine's service spec of an instance: its container spec, with secrets instead of host files. */
export function serviceSpec(
  inst: PlannedInstance,
  secrets: { env: SecretRef; members: SecretRef },
  nodeId: string,
): Dockerode.CreateServiceOptions {
  const c = inst.spec.container;
  const labels = { ...c.labels, [LABELS.configHash]: inst.configHash, [LABELS.swarmService]: inst.name };
  const secretRef = (ref: SecretRef, target: string) => ({
    SecretID: ref.id,
    SecretName: ref.name,
    File: {
      Name: target,
      UID: SWARM_SECRET_OWNER.uid,
      GID: SWARM_SECRET_OWNER.gid,
      Mode: SWARM_SECRET_OWNER.mode,
    },
  });
  const containerSpec = {
    Image: c.image,
    ...(c.entrypoint !== null ? { Command: [c.entrypoint] } : {}),
    Args: swarmArgs(c.cmd),
    User: c.user,
    ...(c.workdir !== null ? { Dir: c.workdir } : {}),
    Env: Object.entries(c.env).map(([k, v]) => `${k}=${v}`),
    Labels: labels,
    ReadOnly: c.readOnlyRootfs,
    Init: c.init,
    CapabilityDrop: c.capDrop,
    CapabilityAdd: c.capAdd,
    Mounts: [
      ...Object.entries(c.tmpfs).map(([target, options]) => ({
        Type: 'tmpfs',
        Target: target,
        TmpfsOptions: { SizeBytes: tmpfsBytes(options) },
      })),
      ...c.mounts.flatMap((m) =>
        m.type === 'volume'
          ? [{ Type: 'volume', Source: m.source, Target: m.target, ReadOnly: m.readOnly }]
          : [],
      ),
    ],
    Secrets: [
      secretRef(secrets.env, SWARM_SECRET_TARGETS.env),
      secretRef(secrets.members, SWARM_SECRET_TARGETS.members),
    ],
  };
  return {
    Name: inst.name,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: containerSpec,
      Resources: { Limits: { NanoCPUs: c.nanoCpus, MemoryBytes: c.memoryBytes, Pids: c.pidsLimit } },
      RestartPolicy: { Condition: 'any', Delay: 2_000_000_000 },
      Placement: { Constraints: [`node.id==${nodeId}`] },
    },
    Mode: { Replicated: { Replicas: 1 } },
    UpdateConfig: { Parallelism: 1, Order: 'stop-first', FailureAction: 'pause' },
    EndpointSpec: {
      Ports: c.ports.map((p) => ({
        Protocol: 'tcp',
        TargetPort: p.containerPort,
        PublishedPort: p.hostPort,
        PublishMode: 'host',
      })),
    },
  } as Dockerode.CreateServiceOptions;
}

interface SecretRef {
  id: string;
  name: string;
}

/** This version's two secrets, made when absent (a re-run finds them by name). */
async function ensureSecrets(
  docker: DockerHost,
  inst: PlannedInstance,
  progress: Progress,
): Promise<{ env: SecretRef; members: SecretRef }> {
  const names = swarmSecretNames(inst.name, inst.configHash);
  const existing = await call(docker, 'secrets', () =>
    docker.docker.listSecrets({ filters: { label: [`${LABELS.instance}=${inst.name}`] } }),
  );
  const one = async (name: string, content: string): Promise<SecretRef> => {
    const found = existing.find((s) => s.Spec?.Name === name);
    if (found) return { id: found.ID, name };
    progress(`creating the secret ${name}`);
    const made: unknown = await call(docker, `secret ${name}`, () =>
      docker.docker.createSecret({
        Name: name,
        Labels: { [LABELS.server]: inst.spec.server, [LABELS.instance]: inst.name },
        Data: Buffer.from(content, 'utf8').toString('base64'),
      }),
    );
    return { id: (made as { id: string }).id, name };
  };
  return {
    env: await one(names.env, inst.spec.files.env.content),
    members: await one(names.members, inst.spec.files.members.content),
  };
}

/** Removes the instance's secrets except `keep`; one still in use (a task shutting down) is left. */
async function removeSecrets(docker: DockerHost, instance: string, keep: ReadonlySet<string>): Promise<void> {
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

/** A new state volume belongs to root: the one-shot prepare container hands it to the container user. */
async function prepareVolume(docker: DockerHost, inst: PlannedInstance): Promise<void> {
  const volume = inst.spec.stateVolume;
  if (!volume) return;
  await docker.createVolume(volume.name, { [LABELS.server]: inst.spec.server, [LABELS.instance]: inst.name });
  const spec = prepareContainer({
    image: inst.spec.container.image,
    instance: inst.name,
    configDir: null,
    stateVolume: volume,
  });
  const code = await runOnce(docker, spec);
  if (code !== 0) {
    throw new FleetError(
      'unavailable',
      `handing the state volume of ${inst.name} to the container user failed on ${docker.where.hostName} (exit code ${code})`,
    );
  }
}

/** Waits for a running task of this version, then runs the connection test against it. */
async function testTask(target: HostTarget, inst: PlannedInstance, serviceId: string): Promise<string[]> {
  const { docker } = target;
  const deadline = Date.now() + TASK_TIMEOUT_MS;
  for (;;) {
    const tasks = await call(docker, `service ${inst.name}`, () =>
      docker.docker.listTasks({ filters: { service: [serviceId] } }),
    );
    const mine = (tasks as Task[]).filter((t) => taskHash(t) === inst.configHash);
    // Until the previous version's task is down, the port may still answer from its container.
    const previous = (tasks as Task[]).filter((t) => taskHash(t) !== inst.configHash && isUp(t));
    const up = mine.find((t) => isUp(t) && t.Status?.ContainerStatus?.ContainerID);
    const container = up?.Status?.ContainerStatus?.ContainerID ?? '';
    if (up && previous.length === 0 && (await docker.inspect(container))?.State.Running === true) {
      return testConnection({
        docker,
        container,
        url: instanceUrl(target.address, inst.spec.port),
        token: inst.token,
        secrets: inst.secrets,
      });
    }
    // A task Swarm gave up on (rejected: no such image, port taken; failed: exited at once).
    const failed = mine.find((t) => t.Status?.State === 'rejected' || t.Status?.State === 'failed');
    if (failed || Date.now() > deadline) {
      const why = failed?.Status?.Err ?? failed?.Status?.Message ?? 'no task reached "running"';
      throw new FleetError(
        'unavailable',
        `the Swarm service ${inst.name} on ${docker.where.hostName} did not start: ${why}`,
      );
    }
    await sleep(250);
  }
}

async function rollBack(docker: DockerHost, id: string, name: string): Promise<boolean> {
  try {
    const version = await serviceVersion(docker, id, name);
    const info = await inspectService(docker, id);
    if (!info) return false;
    await docker.docker
      .getService(id)
      .update({ _query: { version, rollback: 'previous' }, _body: info.Spec });
    return true;
  } catch {
    return false;
  }
}

async function removeServiceAndWait(docker: DockerHost, id: string, name: string): Promise<void> {
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

async function serviceVersion(docker: DockerHost, id: string, name: string): Promise<number> {
  const info = await inspectService(docker, id);
  if (!info) throw new FleetError('not_found', `the Swarm service ${name} disappeared during the deploy`);
  return info.Version?.Index ?? 0;
}

interface Task {
  ServiceID?: string;
  Spec?: { ContainerSpec?: { Labels?: Record<string, string> } };
  Status?: { State?: string; Err?: string; Message?: string; ContainerStatus?: { ContainerID?: string } };
  DesiredState?: string;
}

function taskHash(t: Task): string | null {
  return t.Spec?.ContainerSpec?.Labels?.[LABELS.configHash] ?? null;
}

async function runningTasks(docker: DockerHost, serviceIds: string[]): Promise<Task[]> {
  const tasks = (await call(docker, 'tasks', () =>
    docker.docker.listTasks({ filters: { service: serviceIds, 'desired-state': ['running'] } }),
  )) as Task[];
  return tasks.filter(isUp);
}

/**
 * A task whose container runs. Swarm says "starting" until the image's HEALTHCHECK first passes (30 s
 * in); the connection test asks the bridge itself, so it need not wait for that.
 */
function isUp(t: Task): boolean {
  return t.Status?.State === 'running' || t.Status?.State === 'starting';
}

async function volumeExists(docker: DockerHost, name: string): Promise<boolean> {
  try {
    await docker.docker.getVolume(name).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw mapDockerError(err, docker.where, `volume ${name}`);
  }
}

async function call<T>(docker: DockerHost, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw mapDockerError(err, docker.where, what);
  }
}

/** The step handlers of a Swarm deploy onto the manager `nodeId`. */
export function swarmOps(nodeId: string): InstanceOps {
  return {
    create: (target, inst, progress) => createService(target, inst, nodeId, progress),
    replace: (target, inst, current, progress) => updateService(target, inst, current, nodeId, progress),
    remove: (target, current, all) => removeService(target.docker, current, all),
    keep: () => Promise.resolve(),
  };
}
