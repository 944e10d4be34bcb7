/**
 * Running the one-shot prepare container (instance-spec/prepare.ts) on a host, and sweeping the ones a
 * cut-off deploy left behind.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FleetError } from '../../shared/errors';
import { mapDockerError } from '../docker/docker-errors';
import type { DockerHost } from '../docker/docker-host';
import { LABELS } from '../instance-spec/constants';
import { toDockerCreateOptions } from '../instance-spec/render-docker';
import type { ContainerSpec } from '../instance-spec/types';
import { bounded, isUnanswered } from './engine-call';

/**
 * Removes the prepare containers of these instances that a cut-off deploy left behind (its connection
 * dropped before it could remove them). Deploy sweeps every instance of the server, not only those it
 * re-prepares: an instance the re-run finds up to date would otherwise keep its leftover for good.
 */
export async function removePrepareLeftovers(
  docker: DockerHost,
  instances: readonly string[],
): Promise<void> {
  const names = new Set(instances);
  for (const left of await docker.listByLabel({ [LABELS.prepare]: true })) {
    if (names.has(left.Labels[LABELS.prepare] ?? '')) await docker.remove(left.Id);
  }
}

/**
 * Runs a one-shot container to its end and removes it; resolves to its exit code. Removed here rather
 * than by the engine (the spec's --rm), so its exit code is still there to read. Its end is found by
 * polling short inspects, not by one long `wait`: a long-poll caught on a connection as it drops was
 * seen to sit out its whole time limit, where a poll is simply asked again on a fresh channel.
 */
export async function runOnce(docker: DockerHost, spec: ContainerSpec): Promise<number> {
  const options = toDockerCreateOptions(spec);
  const id = await bounded(
    docker,
    docker.create({ ...options, HostConfig: { ...options.HostConfig, AutoRemove: false } }),
    'creating the prepare container',
  );
  try {
    await bounded(docker, docker.start(id), 'starting the prepare container');
    return await exitCodeOf(docker, id);
  } catch (err) {
    throw mapDockerError(err, docker.where, 'the prepare container');
  } finally {
    await bounded(docker, docker.remove(id), 'removing the prepare container').catch(() => false);
  }
}

async function exitCodeOf(docker: DockerHost, id: string, limitMs = 90_000): Promise<number> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const info = await bounded(docker, docker.inspect(id), 'inspecting the prepare container', 10_000).catch(
      (err: unknown) => {
        // An inspect that went unanswered is asked again; any other failure is the answer.
        if (isUnanswered(err)) return undefined;
        throw err;
      },
    );
    if (info === null)
      throw new FleetError('unavailable', 'the prepare container disappeared before it ended');
    if (info && !info.State.Running && info.State.Status !== 'created') return info.State.ExitCode;
    if (Date.now() > deadline) {
      throw new FleetError(
        'unavailable',
        `the prepare container on ${docker.where.hostName} did not end within ${limitMs / 1000} s`,
      );
    }
    await sleep(100);
  }
}
