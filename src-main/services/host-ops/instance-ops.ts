/**
 * The steps on one host for one instance: create it, replace it (with the previous version put back
 * when the new one fails its connection test), remove it. Each leaves nothing half-made running.
 */
import { FleetError } from '../../shared/errors';
import { mapDockerError } from '../docker/docker-errors';
import type { DockerHost } from '../docker/docker-host';
import { LABELS } from '../instance-spec/constants';
import { instanceConfigDir, isPlainInstanceName, stateVolumeName } from '../instance-spec/names';
import { toDockerCreateOptions } from '../instance-spec/render-docker';
import type { ContainerSpec, InstanceSpec } from '../instance-spec/types';
import type http from 'node:http';
import type { BridgeClient, BridgeTarget } from '../bridge-client/bridge-client';
import { ANY_CERTIFICATE } from '../bridge-client/bridge-http';
import { listFiles } from '../instance-spec/instance-spec';
import { testConnection, waitUntilReady, type ConnectionTestResult } from './connection-test';
import { bounded } from './engine-call';
import { connectExtraNetworks } from './extra-networks';
import { removePrepareLeftovers, runOnce } from './prepare-run';
import type { HostFiles } from './host-files';
import type { DesiredInstance, ObservedContainer } from './reconcile';

/** One host as deploy works on it. */
export interface HostTarget {
  hostId: string;
  hostName: string;
  docker: DockerHost;
  files: HostFiles;
  /** The address clients reach the host's published ports at (the host's address as added). */
  address: string;
  /** The app's road to the bridges: an agent over the host's SSH session (host-access.ts). */
  agent: http.Agent;
  /** The app's bridge client for connection tests. */
  client: BridgeClient;
  /** The home folder of the login that owns the instance folders. */
  home: string;
}

export interface PlannedInstance extends DesiredInstance {
  spec: InstanceSpec;
  /** A member token the connection test uses, and whose it is. */
  token: string;
  tokenMember: string;
  /** SHA-256 of the certificate the bridge will serve (pinned by the test), null without TLS. */
  pin: string | null;
  /** Secret values of the instance, masked in any log excerpt. */
  secrets: string[];
}

export type Progress = (line: string) => void;

export function instanceUrl(address: string, port: number, tls: boolean): string {
  return `${tls ? 'https' : 'http'}://${address.includes(':') ? `[${address}]` : address}:${port}/mcp`;
}

/** The address the host itself dials a published port at: loopback for all interfaces. */
export function dialAddress(hostIp: string): string {
  return hostIp === '' || hostIp === '0.0.0.0' ? '127.0.0.1' : hostIp === '::' ? '::1' : hostIp;
}

/** Where the app reaches an instance's bridge: its published port, from the host, over the host's road. */
export function bridgeTarget(target: HostTarget, inst: PlannedInstance, port?: number): BridgeTarget {
  const published = inst.spec.container.ports[0];
  return {
    agent: target.agent,
    address: dialAddress(published?.hostIp ?? ''),
    port: port ?? published?.hostPort ?? inst.spec.port,
    pin: inst.pin,
  };
}

export function filePaths(spec: InstanceSpec): string[] {
  return listFiles(spec.files).map((f) => f.hostPath);
}

/** Creates, starts and tests a new instance; on failure removes what it made. Resolves to the tool names. */
export async function createInstance(
  target: HostTarget,
  inst: PlannedInstance,
  progress: Progress,
): Promise<ConnectionTestResult> {
  const { docker, files } = target;
  const { spec } = inst;
  const volumeIsNew = spec.stateVolume !== null && !(await volumeExists(docker, spec.stateVolume.name));
  try {
    await writeAndPrepare(target, inst, progress);
    progress(`starting ${inst.name}`);
    await createAndStart(docker, spec.container);
    const tools = await test(target, inst);
    await files.discardAside(filePaths(spec));
    return tools;
  } catch (err) {
    await docker.remove(inst.name).catch(() => false);
    await files.removeDir(spec.configDir).catch(() => undefined);
    if (volumeIsNew && spec.stateVolume) await docker.removeVolume(spec.stateVolume.name).catch(() => false);
    throw err;
  }
}

/**
 * Replaces a running instance: the old container is renamed aside and stopped, its files moved aside;
 * when the new one fails, it is removed and the old one put back and started. Resolves to the tool names.
 */
export async function replaceInstance(
  target: HostTarget,
  inst: PlannedInstance,
  current: ObservedContainer,
  progress: Progress,
): Promise<ConnectionTestResult> {
  const { docker, files } = target;
  if (current.state !== 'running') {
    // Nothing serves from it (a cut-off deploy, a stopped instance): made anew, nothing to keep.
    await docker.remove(current.id);
    return createInstance(target, inst, progress);
  }
  const paths = filePaths(inst.spec);
  progress(`replacing ${inst.name}`);
  await rename(docker, current.id, `${inst.name}.previous`);
  await docker.stop(current.id, 10);
  await files.moveAside(paths);
  try {
    await writeAndPrepare(target, inst, progress);
    progress(`starting ${inst.name}`);
    await createAndStart(docker, inst.spec.container);
    const tools = await test(target, inst);
    await docker.remove(current.id);
    await files.discardAside(paths);
    return tools;
  } catch (err) {
    const restored = await putBack(target, inst, current, paths);
    const why = err instanceof FleetError ? err.message : 'unexpected error';
    throw new FleetError(
      err instanceof FleetError ? err.code : 'internal',
      `${why}; ${restored ? 'the previous version runs again' : 'the previous version could not be put back (deploy again)'}`,
      { cause: err },
    );
  }
}

/** Removes an instance's container; with `all`, its folder and state volume too. */
export async function removeInstance(
  target: HostTarget,
  container: { id: string; instance: string },
  all: boolean,
): Promise<void> {
  await target.docker.remove(container.id);
  if (!all || !isPlainInstanceName(container.instance)) return;
  await target.files.removeDir(instanceConfigDir(target.home, container.instance));
  await target.docker.removeVolume(stateVolumeName(container.instance));
}

/** Removes the failed new container and starts the previous one again; true once it serves. */
async function putBack(
  target: HostTarget,
  inst: PlannedInstance,
  old: ObservedContainer,
  paths: string[],
): Promise<boolean> {
  try {
    await target.docker.remove(inst.name);
    await target.files.restore(paths);
    await rename(target.docker, old.id, inst.name);
    await target.docker.start(old.id);
    // The previous version serves its own, earlier certificate (or none): its readiness is all
    // that is read, with no token, so any certificate will do.
    await waitUntilReady({
      docker: target.docker,
      container: inst.name,
      client: target.client,
      target: { ...bridgeTarget(target, inst, old.ports[0]), pin: old.tls === true ? ANY_CERTIFICATE : null },
      secrets: inst.secrets,
    });
    return true;
  } catch {
    return false;
  }
}

async function writeAndPrepare(target: HostTarget, inst: PlannedInstance, progress: Progress): Promise<void> {
  const { docker, files } = target;
  const { spec } = inst;
  await removePrepareLeftovers(docker, [inst.name]);
  progress(`writing the files of ${inst.name}`);
  await files.write(spec.configDir, listFiles(spec.files));
  // The approved set is no secret and is read by the container user through its folder's mount.
  if (spec.approved) await files.writePublic(spec.approved.dir, spec.approved);
  if (spec.stateVolume) {
    await docker.createVolume(spec.stateVolume.name, {
      [LABELS.server]: spec.server,
      [LABELS.instance]: inst.name,
    });
  }
  const code = await runOnce(docker, spec.prepare);
  if (code !== 0) {
    throw new FleetError(
      'unavailable',
      `handing the files of ${inst.name} to the container user failed on ${target.hostName} (exit code ${code})`,
    );
  }
}

async function test(target: HostTarget, inst: PlannedInstance): Promise<ConnectionTestResult> {
  return testConnection({
    docker: target.docker,
    container: inst.name,
    client: target.client,
    target: bridgeTarget(target, inst),
    token: inst.token,
    member: inst.tokenMember,
    secrets: inst.secrets,
  });
}

async function createAndStart(docker: DockerHost, spec: ContainerSpec): Promise<void> {
  const id = await bounded(
    docker,
    docker.create(toDockerCreateOptions(spec)),
    `creating ${spec.name ?? 'a container'}`,
  );
  await connectExtraNetworks(docker, id, spec);
  await bounded(docker, docker.start(id), `starting ${spec.name ?? 'a container'}`);
}

async function rename(docker: DockerHost, id: string, name: string): Promise<void> {
  try {
    await docker.docker.getContainer(id).rename({ name });
  } catch (err) {
    throw mapDockerError(err, docker.where, `container ${id.slice(0, 12)}`);
  }
}

export async function volumeExists(docker: DockerHost, name: string): Promise<boolean> {
  try {
    await docker.docker.getVolume(name).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw mapDockerError(err, docker.where, `volume ${name}`);
  }
}
