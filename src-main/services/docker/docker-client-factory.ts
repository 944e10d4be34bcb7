import { userInfo } from 'node:os';
import Dockerode from 'dockerode';
import type { ConnectConfig } from 'ssh2';
import { FleetError } from '../../shared/errors';
import { localDockerEndpoint } from '../platform-defaults';
import { sameFingerprint, sha256Fingerprint } from '../ssh/fingerprint';
import type { SshSessionRegistry } from '../ssh/ssh-session-registry';
import { authFor } from '../ssh/ssh-target';
import type { Store } from '../store/store';
import type { HostRecord } from '../store/types';
import { dockerMissing, permissionDenied } from './docker-errors';
import type { DockerWhere } from './docker-errors';
import { DockerHost } from './docker-host';
import { StreamAgent } from './forwarding-agent';

/** The engine's socket on SSH hosts (Linux). */
export const DOCKER_SOCKET = '/var/run/docker.sock';

/**
 * How requests reach the engine: a Unix socket forwarded over the held SSH session (the normal case),
 * dockerode's `docker system dial-stdio` over a fresh SSH login per request (when the server refuses
 * socket forwarding), this machine's socket, or whatever DOCKER_HOST names.
 */
export type DockerTransport = 'forwarded-socket' | 'ssh-dial-stdio' | 'local-socket' | 'docker-host-env';

export interface DockerClient {
  docker: Dockerode;
  transport: DockerTransport;
  where: DockerWhere;
}

/** Docker clients per host id. Implementations cache; `forget` drops a host's (removed, credential changed). */
export interface DockerClientFactory {
  /** Throws FleetError: the SSH errors, or unauthorized/unavailable when the login may not use Docker or none runs. */
  client(hostId: string): Promise<DockerClient>;
  forget(hostId: string): void;
}

export interface DefaultDockerClientFactoryOptions {
  store: Store;
  ssh: SshSessionRegistry;
  /** The engine's socket on SSH hosts. */
  remoteSocketPath?: string;
  /** This machine's socket; without it DOCKER_HOST, else the OS's usual one (services/platform-defaults). */
  localSocketPath?: string;
  /** Keeps idle forwarded channels for the next request (about 1 ms a call instead of 2–3 ms). */
  keepAlive?: boolean;
  log?: (line: string) => void;
}

// Tells apart, in one round trip, a missing engine from a login that may not open its socket.
const SOCKET_CHECK =
  'if [ ! -S "$1" ]; then echo missing; elif [ -r "$1" ] && [ -w "$1" ]; then echo ok; else echo denied; fi';

export class DefaultDockerClientFactory implements DockerClientFactory {
  private readonly cache = new Map<string, Promise<DockerClient>>();
  private readonly remoteSocket: string;
  private readonly log: (line: string) => void;

  constructor(private readonly options: DefaultDockerClientFactoryOptions) {
    this.remoteSocket = options.remoteSocketPath ?? DOCKER_SOCKET;
    this.log = options.log ?? ((line) => console.warn(line));
  }

  client(hostId: string): Promise<DockerClient> {
    let pending = this.cache.get(hostId);
    if (!pending) {
      pending = this.create(hostId);
      this.cache.set(hostId, pending);
      // A failure is not cached: the next call looks again (Docker installed, login added to the group).
      pending.catch(() => {
        if (this.cache.get(hostId) === pending) this.cache.delete(hostId);
      });
    }
    return pending;
  }

  /** A DockerHost service for the host. Throws what client() throws. */
  async host(hostId: string): Promise<DockerHost> {
    return new DockerHost(await this.client(hostId));
  }

  forget(hostId: string): void {
    const pending = this.cache.get(hostId);
    this.cache.delete(hostId);
    pending?.then(
      (c) => (c.docker.modem as { agent?: { destroy(): void } }).agent?.destroy(),
      () => undefined,
    );
  }

  private async create(hostId: string): Promise<DockerClient> {
    const host = this.options.store.hosts.getById(hostId);
    if (!host) throw new FleetError('not_found', 'no such host; it may have been removed');
    return host.kind === 'local' ? this.local() : this.overSsh(host);
  }

  private local(): DockerClient {
    const where = { hostName: 'this machine', login: userInfo().username };
    const given = this.options.localSocketPath;
    const endpoint = given === undefined ? localDockerEndpoint() : { kind: 'socket' as const, path: given };
    if (endpoint.kind === 'docker-host-env') {
      // docker-modem reads DOCKER_HOST (unix://, npipe://, tcp://, ssh://) and the TLS variables itself.
      return { docker: new Dockerode(), transport: 'docker-host-env', where };
    }
    return { docker: new Dockerode({ socketPath: endpoint.path }), transport: 'local-socket', where };
  }

  private async overSsh(host: HostRecord): Promise<DockerClient> {
    const { ssh } = this.options;
    const where = { hostName: host.name, login: host.user ?? 'the login' };
    const open = () => ssh.forwardUnixSocket(host.id, this.remoteSocket);
    try {
      (await open()).destroy();
      const agent = new StreamAgent(open, { keepAlive: this.options.keepAlive ?? true });
      // host/port are placeholders for the request line: the agent decides where bytes go.
      const docker = new Dockerode({
        protocol: 'http',
        host: 'docker',
        port: 80,
        agent,
      } as Dockerode.DockerOptions);
      return { docker, transport: 'forwarded-socket', where };
    } catch (err) {
      // Not logged in at all: the SSH error says why, and no diagnosis can run.
      if (!ssh.isConnected(host.id)) throw err;
    }
    const check = await ssh.exec(host.id, ['sh', '-c', SOCKET_CHECK, 'sh', this.remoteSocket], {
      timeoutMs: 15_000,
    });
    const state = check.stdout.trim();
    if (state === 'missing') throw dockerMissing(where, this.remoteSocket);
    if (state === 'denied') throw permissionDenied(where);
    this.log(
      `docker: ${host.name} refuses Unix socket forwarding (sshd AllowStreamLocalForwarding no?); ` +
        'falling back to `docker system dial-stdio`, one SSH login per request (much slower)',
    );
    return { docker: this.dialStdio(host), transport: 'ssh-dial-stdio', where };
  }

  private dialStdio(host: HostRecord): Dockerode {
    const pinned = this.options.store.hosts.getById(host.id)?.hostKeySha256 ?? null;
    if (pinned === null) throw new FleetError('internal', `host "${host.name}" has no pinned host key yet`);
    const auth = authFor(this.options.store, host, this.options.ssh.agentSocket);
    const sshOptions: ConnectConfig = {
      readyTimeout: 20_000,
      // The same pin as the held session: this path logs in afresh on every request.
      hostVerifier: (key: Buffer) => sameFingerprint(sha256Fingerprint(key), pinned),
    };
    let password: string | undefined;
    if (auth.kind === 'password') password = auth.password;
    if (auth.kind === 'agent') sshOptions.agent = auth.socket;
    if (auth.kind === 'key') {
      sshOptions.privateKey = auth.privateKey;
      if (auth.passphrase !== null) sshOptions.passphrase = auth.passphrase;
    }
    // docker-modem overwrites sshOptions.password with its own top-level `password`, so it goes there.
    return new Dockerode({
      protocol: 'ssh',
      host: host.address ?? '',
      port: host.port ?? 22,
      username: host.user ?? '',
      sshOptions,
      ...(password === undefined ? {} : { password }),
    });
  }
}
