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
import { FleetError } from '../../shared/errors';
import { FileLocks } from '../host-ops/file-lock';
import { DeployService } from './deploy-service';
import { HostTargets } from '../host-ops/host-targets';
import { RuntimeImages, type RuntimeImageSettings } from './runtime-images';
import type { RunOptions } from './types';

export interface DeployWiringOptions {
  store: Store;
  events: EventBus;
  actor: string;
  /** The data directory: the runtime-image tag cache lives there. */
  home: string;
  runtime: () => Promise<RuntimeImageSettings>;
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
  const deploy = new DeployService({ store, events, actor, targets, images, locks, tls });
  const members = new MemberService({ store, events, actor, deploy, targets });
  const rotation = new TokenRotation({ store, events, actor, members });
  const instances = new InstanceService({ store, events, actor, targets, deploy, images, tls });
  return {
    ssh,
    docker,
    access,
    targets,
    ca,
    tls,
    images,
    deploy,
    members,
    rotation,
    instances,
    checkHost: (name) => checkHost({ store, ssh, docker }, targets.host(name).id),
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
 * Runtime-image settings from the install's paths and the environment: MCP_FLEET_BASE_IMAGE (the
 * base), MCP_FLEET_BAKE (npm-install, the default: the package is installed here; npm-in-image;
 * copy-installed: copied from MCP_FLEET_BAKE_ROOT/node_modules, else the install's own, for hosts
 * without a registry), MCP_FLEET_WITH_UV=0 (no uv, so nothing is pulled from ghcr.io).
 */
export function runtimeSettingsFromEnv(
  paths: { resourcesDir: string; bridgeBundle(): Promise<string>; baseImage: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): () => Promise<RuntimeImageSettings> {
  const root = path.dirname(path.dirname(paths.resourcesDir));
  let bake: BakeMethod | undefined;
  switch (env.MCP_FLEET_BAKE ?? '') {
    case '':
    case 'npm-install':
      bake = undefined;
      break;
    case 'npm-in-image':
      bake = { kind: 'npm-in-image' };
      break;
    case 'copy-installed':
      bake = { kind: 'copy-installed', root: env.MCP_FLEET_BAKE_ROOT || root };
      break;
    default:
      throw new FleetError(
        'invalid_input',
        'MCP_FLEET_BAKE must be npm-install, npm-in-image or copy-installed',
      );
  }
  return async () => ({
    resourcesDir: paths.resourcesDir,
    bridgeBundle: env.MCP_FLEET_BRIDGE_BUNDLE || (await paths.bridgeBundle()),
    ...(paths.baseImage === undefined ? {} : { baseImage: paths.baseImage }),
    ...(bake === undefined ? {} : { bake }),
    ...(env.MCP_FLEET_WITH_UV === '0' ? { withUv: false } : {}),
  });
}
