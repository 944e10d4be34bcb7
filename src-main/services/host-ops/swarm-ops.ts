/**
 * `deploy --swarm`: each instance runs as a Swarm service on a manager host instead of a plain
 * container. The service is built from the same InstanceSpec (so the same bridge flags, user, limits,
 * capabilities and port); its env and members files are Docker secrets (swarm-shape.ts, shared with the
 * stack export) instead of files on the host, so nothing secret is written to the host's disk. Ports are
 * published in host mode (the routing mesh would hide the client's address from --allow-cidr). The
 * runtime image is built on the manager, so the service is placed there: without a registry, no other
 * node has the image.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FleetError } from '../../shared/errors';
import type { DockerHost } from '../docker/docker-host';
import { LABELS } from '../instance-spec/constants';
import { prepareContainer } from '../instance-spec/prepare';
import { swarmSecretFiles, type SwarmSecretFile } from '../instance-spec/swarm-shape';
import { testConnection, type ConnectionTestResult } from './connection-test';
import { bounded } from './engine-call';
import {
  bridgeTarget,
  volumeExists,
  type HostTarget,
  type PlannedInstance,
  type Progress,
} from './instance-ops';
import { runOnce } from './prepare-run';
import type { ObservedContainer } from './reconcile';
import type { InstanceOps } from './run-steps';
import { serviceSpec, type SecretRef } from './swarm-spec';
import {
  call,
  changeService,
  isUp,
  removeSecrets,
  removeService,
  removeServiceAndWait,
  taskHash,
  type Task,
} from './swarm-services';

/** How long a new task may take to reach "running" (image present: seconds). */
const TASK_TIMEOUT_MS = 90_000;

/** Creates the instance's secrets and service, waits for its task and tests it; undoes all on failure. */
export async function createService(
  target: HostTarget,
  inst: PlannedInstance,
  nodeId: string,
  progress: Progress,
): Promise<ConnectionTestResult> {
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
): Promise<ConnectionTestResult> {
  const { docker } = target;
  const secrets = await ensureSecrets(docker, inst, progress);
  await prepareVolume(docker, inst);
  progress(`updating the Swarm service ${inst.name}`);
  await bounded(
    docker,
    changeService(docker, inst.name, () => serviceSpec(inst, secrets, nodeId)),
    `updating service ${inst.name}`,
  );
  try {
    const tools = await testTask(target, inst, current.id);
    await removeSecrets(docker, inst.name, new Set(secrets.map((s) => s.name)));
    return tools;
  } catch (err) {
    const restored = await rollBack(docker, inst.name);
    const why = err instanceof FleetError ? err.message : 'unexpected error';
    throw new FleetError(
      err instanceof FleetError ? err.code : 'internal',
      `${why}; ${restored ? 'the service was rolled back to its previous version' : 'the service could not be rolled back (deploy again)'}`,
      { cause: err },
    );
  }
}

/** This version's secrets, made when absent (a re-run finds them by name). */
async function ensureSecrets(
  docker: DockerHost,
  inst: PlannedInstance,
  progress: Progress,
): Promise<SecretRef[]> {
  const existing = await call(docker, 'secrets', () =>
    docker.docker.listSecrets({ filters: { label: [`${LABELS.instance}=${inst.name}`] } }),
  );
  const one = async ({ name, target, content }: SwarmSecretFile): Promise<SecretRef> => {
    const found = existing.find((s) => s.Spec?.Name === name);
    if (found) return { id: found.ID, name, target };
    progress(`creating the secret ${name}`);
    const made: unknown = await call(docker, `secret ${name}`, () =>
      docker.docker.createSecret({
        Name: name,
        Labels: { [LABELS.server]: inst.spec.server, [LABELS.instance]: inst.name },
        Data: Buffer.from(content, 'utf8').toString('base64'),
      }),
    );
    return { id: (made as { id: string }).id, name, target };
  };
  const refs: SecretRef[] = [];
  for (const file of swarmSecretFiles(inst.spec, inst.name, inst.configHash)) refs.push(await one(file));
  return refs;
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
    files: [],
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
async function testTask(
  target: HostTarget,
  inst: PlannedInstance,
  serviceId: string,
): Promise<ConnectionTestResult> {
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
        client: target.client,
        target: bridgeTarget(target, inst),
        token: inst.token,
        member: inst.tokenMember,
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

async function rollBack(docker: DockerHost, name: string): Promise<boolean> {
  try {
    await changeService(docker, name, (spec) => spec, true);
    return true;
  } catch {
    return false;
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
