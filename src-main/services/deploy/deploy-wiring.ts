/**
 * Builds the services that reach hosts (SSH sessions, Docker clients, deploy, members, instances,
 * token rotation) for the composition root, so it stays one call and one close.
 */
import path from 'node:path';
import { checkHost, type HostCheckResult } from '../docker/check-host';
import { DefaultDockerClientFactory } from '../docker/docker-client-factory';
import type { EventBus } from '../events';
import type { BakeMethod } from '../instance-spec/image-plan';
import { InstanceService } from '../instance/instance-service';
import { MemberService } from '../member/member-service';
import { TokenRotation } from '../member/token-rotation';
import { SshSessionRegistry } from '../ssh/ssh-session-registry';
import { FleetHostAccess } from '../bridge-client/host-access';
import { FleetCa } from '../tls/fleet-ca';
import { InstanceTls } from '../tls/instance-tls';
import type { Store } from '../store/store';
import { FileLocks } from '../host-ops/file-lock';
import { DeployService } from './deploy-service';
import { HostTargets } from '../host-ops/host-targets';
import type { SettingsService } from '../settings/settings-service';
import { DEFAULT_BASE_IMAGE } from '../runtime-image/runtime-image-context';
import { RuntimeImages, type RuntimeImageSettings, type RuntimeSettingsFor } from './runtime-images';
import { ImagePusher } from './image-push';
import { RegistryCredentials } from './registry-credentials';
import type { RunOptions } from './types';

export interface DeployWiringOptions {
  store: Store;
  events: EventBus;
  actor: string;
  /** The data directory: the runtime-image tag cache lives there. */
  home: string;
  /** Runtime-image settings per host (see runtimeSettings). */
  runtime: RuntimeSettingsFor;
  /** The effective settings; `hosts check` looks for the host's base image. */
  settings?: Pick<SettingsService, 'effective'>;
  localHome?: string;
}

export interface DeployServices {
  ssh: SshSessionRegistry;
  docker: DefaultDockerClientFactory;
  /** The one road to hosts and bridges (SSH session, Docker, tunnels), shared with the health monitor. */
  access: FleetHostAccess;
  targets: HostTargets;
  /** The fleet CA and the certificate each instance serves. */
  ca: FleetCa;
  tls: InstanceTls;
  images: RuntimeImages;
  /** Runtime images pushed to the push-registry setting (`images push`, `deploy --swarm`, exports). */
  pusher: ImagePusher;
  /** The credentials pushes log in with (`images login`). */
  credentials: RegistryCredentials;
  deploy: DeployService;
  members: MemberService;
  rotation: TokenRotation;
  instances: InstanceService;
  /** `hosts check NAME`. Throws FleetError('not_found'); a host's own faults are in the result. */
  checkHost(name: string): Promise<HostCheckResult>;
  /** Run options that send progress lines as `deploy:progress` events under `streamId`. */
  progressTo(streamId: string | undefined): RunOptions;
  /** Ends every SSH session (synchronously; the promise is for callers that await). */
  dispose(): Promise<void>;
}

export function createDeployServices(o: DeployWiringOptions): DeployServices {
  const { store, events, actor } = o;
  const ssh = new SshSessionRegistry({ store, actor });
  const opened = new Set<string>();
  ssh.onChange((event) => {
    if (event.state === 'connected') opened.add(event.hostId);
  });
  const docker = new DefaultDockerClientFactory({ store, ssh });
  const access = new FleetHostAccess(ssh, docker);
  const targets = new HostTargets(store, ssh, docker, access, o.localHome);
  const images = new RuntimeImages(o.runtime, path.join(o.home, 'cache', 'runtime-image-tags.json'));
  const locks = new FileLocks(path.join(o.home, 'locks'));
  const ca = new FleetCa({ store });
  const tls = new InstanceTls(store, ca);
  const credentials = new RegistryCredentials(store, actor);
  const settings = o.settings;
  const pusher: ImagePusher = new ImagePusher({
    store,
    targets,
    images,
    credentials,
    registryFor: (hostId) => settings?.effective(hostId)['push-registry'].value ?? null,
    hostsOf: (server) => deploy.hostsOf(server),
    cacheFile: path.join(o.home, 'cache', 'pushed-images.json'),
  });
  const deploy = new DeployService({ store, events, actor, targets, images, locks, tls, pusher });
  const members = new MemberService({ store, events, actor, deploy, targets });
  const rotation = new TokenRotation({ store, events, actor, members });
  const instances = new InstanceService({
    store,
    events,
    actor,
    targets,
    deploy,
    images,
    tls,
    pushedImage: (hostId, tag) => pusher.pinnedFor(hostId, tag),
  });
  return {
    ssh,
    docker,
    access,
    targets,
    ca,
    tls,
    images,
    pusher,
    credentials,
    deploy,
    members,
    rotation,
    instances,
    checkHost: (name) => {
      const settings = o.settings;
      const baseImage =
        settings === undefined
          ? undefined
          : (hostId: string) => {
              const base = settings.effective(hostId)['base-image'];
              return { ref: base.value ?? DEFAULT_BASE_IMAGE, source: base.source };
            };
      return checkHost(
        { store, ssh, docker, ...(baseImage === undefined ? {} : { baseImage }) },
        targets.host(name).id,
      );
    },
    progressTo: (streamId) =>
      streamId === undefined
        ? {}
        : { onProgress: (line) => events.emit('deploy:progress', { streamId, line }) },
    // Not ssh.dispose(): its 2 s grace timer is not unref'd and would hold a CLI process open that long.
    // Works after the store closed: the hosts come from the registry's own connect events.
    dispose: () => {
      access.dispose();
      for (const hostId of opened) ssh.close(hostId);
      return Promise.resolve();
    },
  };
}

/**
 * Runtime-image settings for a host from the install's paths and the settings (the store's fleet value
 * and host override, each key's environment variable before both; see SettingsService), read at every
 * deploy so a changed setting applies to the next one. bake copy-installed copies from
 * MCP_FLEET_BAKE_ROOT/node_modules, else the install's own (for hosts without a registry); uv off
 * leaves uv out, so nothing is pulled from ghcr.io. Throws FleetError('invalid_input') when a
 * variable or a stored value breaks its key's rule.
 */
export function runtimeSettings(
  paths: { resourcesDir: string; bridgeBundle(): Promise<string> },
  settings: Pick<SettingsService, 'effective'>,
  env: NodeJS.ProcessEnv = process.env,
): RuntimeSettingsFor {
  const root = path.dirname(path.dirname(paths.resourcesDir));
  return async (hostId) => {
    const s = settings.effective(hostId);
    let bake: BakeMethod | undefined;
    switch (s.bake.value) {
      case 'npm-in-image':
        bake = { kind: 'npm-in-image' };
        break;
      case 'copy-installed':
        bake = { kind: 'copy-installed', root: env.MCP_FLEET_BAKE_ROOT || root };
        break;
      default:
        bake = undefined;
    }
    const out: RuntimeImageSettings = {
      resourcesDir: paths.resourcesDir,
      bridgeBundle: env.MCP_FLEET_BRIDGE_BUNDLE || (await paths.bridgeBundle()),
      baseImage: s['base-image'].value ?? DEFAULT_BASE_IMAGE,
      ...(bake === undefined ? {} : { bake }),
      ...(s.uv.value === 'off' ? { withUv: false } : {}),
      ...(s['npm-registry'].value === null ? {} : { npmRegistry: s['npm-registry'].value }),
      ...(s['pypi-index'].value === null ? {} : { pypiIndex: s['pypi-index'].value }),
    };
    return out;
  };
}
