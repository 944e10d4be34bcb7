/**
 * A host as deploy, members and instances work on it: its Docker engine (over the held SSH session, or
 * this machine's socket), its files, the address its ports are reached at, the login's home folder.
 */
import os from 'node:os';
import { FleetError } from '../../shared/errors';
import type { DockerClientFactory } from '../docker/docker-client-factory';
import { DockerHost } from '../docker/docker-host';
import { hostHome } from '../export/export-service';
import { BridgeClient } from '../bridge-client/bridge-client';
import type { HostAccess } from '../bridge-client/host-access';
import type { SshSessionRegistry } from '../ssh/ssh-session-registry';
import type { Store } from '../store/store';
import type { HostRecord } from '../store/types';
import { LocalHostFiles, SshHostFiles } from './host-files';
import type { HostTarget } from './instance-ops';

/** initialize + tools/list of a server that just started may take a while (npx resolving, etc.). */
const TEST_TIMEOUT_MS = 30_000;

export class HostTargets {
  private readonly client = new BridgeClient(TEST_TIMEOUT_MS, 'deploy');

  constructor(
    private readonly store: Store,
    private readonly ssh: SshSessionRegistry,
    private readonly docker: DockerClientFactory,
    /** The app's road to bridges, shared with the health monitor. */
    readonly access: HostAccess,
    private readonly localHome: string = os.homedir(),
  ) {}

  /** Throws FleetError('not_found') for an unknown host name. */
  host(name: string): HostRecord {
    const host = this.store.hosts.getByName(name);
    if (!host) throw new FleetError('not_found', `no host named "${name}"`);
    return host;
  }

  /** Connects (SSH login, Docker check) and describes the host. Throws the SSH and Docker FleetErrors. */
  async target(host: HostRecord): Promise<HostTarget> {
    const docker = new DockerHost(await this.docker.client(host.id));
    return {
      hostId: host.id,
      hostName: host.name,
      docker,
      files: host.kind === 'local' ? new LocalHostFiles() : new SshHostFiles(this.ssh, host.id, host.name),
      address: host.kind === 'local' ? '127.0.0.1' : (host.address ?? '127.0.0.1'),
      agent: this.access.agent(host),
      client: this.client,
      home: hostHome(host, this.localHome),
    };
  }

  get sessions(): SshSessionRegistry {
    return this.ssh;
  }
}
