import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, ClientChannel } from 'ssh2';
import { FleetError } from '../../shared/errors';
import { defaultSshAgent } from '../platform-defaults';
import type { Store } from '../store/store';
import { sameFingerprint } from './fingerprint';
import { openSession } from './open-session';
import type { OpenedSession } from './open-session';
import { runExec } from './run-exec';
import type { ExecOptions, ExecResult } from './run-exec';
import { shellJoin } from './shell-quote';
import { Ssh2Connector } from './ssh-connector';
import type { SshConnector, SshEndpoint } from './ssh-connector';
import { requireSshHost } from './ssh-target';

export interface SshSessionRegistryOptions {
  store: Store;
  connector?: SshConnector;
  /** Who the audit log names for pins and refusals. */
  actor?: string;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Connection attempts per operation while a host is unreachable, with exponential backoff between them. */
  connectAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  commandTimeoutMs?: number;
  maxOutputBytes?: number;
  /** Defaults to SSH_AUTH_SOCK, or on Windows the OpenSSH agent's pipe or Pageant (platform-defaults). */
  agentSocket?: string;
}

export type SessionEvent =
  | { hostId: string; state: 'connected'; fingerprint: string }
  | { hostId: string; state: 'disconnected'; cause: string | null };

export interface HostKeyProbe {
  fingerprint: string;
  pinned: string | null;
  /** Whether the offered key is the pinned one; null while none is pinned. */
  matches: boolean | null;
}

interface Session {
  client: Client | null;
  pending: Promise<Client> | null;
  closed: boolean;
}

const CONNECTION_GONE = /^(Not connected|No response from server)$/;

/**
 * One SSH session per host id, opened on first use and shared by every operation; a dropped session is
 * replaced by the next operation, which waits for it. Host keys are pinned on first use and enforced after.
 */
export class SshSessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly listeners = new Set<(event: SessionEvent) => void>();
  /** Forwarded streams per live client: ssh2 only ends their read side when the connection dies. */
  private readonly streams = new WeakMap<Client, Set<Duplex>>();
  private readonly store: Store;
  private readonly connector: SshConnector;
  private readonly opts: Required<Omit<SshSessionRegistryOptions, 'store' | 'connector' | 'agentSocket'>>;
  /** The SSH agent hosts with agent logins use; also what Docker's dial-stdio fallback logs in with. */
  readonly agentSocket: string | undefined;
  private disposed = false;

  constructor(options: SshSessionRegistryOptions) {
    this.store = options.store;
    this.connector = options.connector ?? new Ssh2Connector();
    this.agentSocket = options.agentSocket ?? defaultSshAgent();
    this.opts = {
      actor: options.actor ?? 'app',
      readyTimeoutMs: options.readyTimeoutMs ?? 20_000,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: options.keepaliveCountMax ?? 3,
      connectAttempts: options.connectAttempts ?? 3,
      backoffBaseMs: options.backoffBaseMs ?? 250,
      backoffMaxMs: options.backoffMaxMs ?? 4_000,
      commandTimeoutMs: options.commandTimeoutMs ?? 60_000,
      maxOutputBytes: options.maxOutputBytes ?? 1024 * 1024,
    };
  }

  /** Subscribes to connects and drops; returns the unsubscribe function. */
  onChange(listener: (event: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isConnected(hostId: string): boolean {
    return this.sessions.get(hostId)?.client != null;
  }

  /** The held session, opened (with retries) when there is none. Throws FleetError. */
  client(hostId: string): Promise<Client> {
    if (this.disposed) return Promise.reject(new FleetError('unavailable', 'the app is shutting down'));
    let session = this.sessions.get(hostId);
    if (!session) {
      session = { client: null, pending: null, closed: false };
      this.sessions.set(hostId, session);
    }
    if (session.client) return Promise.resolve(session.client);
    if (session.pending) return session.pending;
    const s = session;
    const pending = this.connectWithBackoff(hostId, s).finally(() => {
      s.pending = null;
    });
    s.pending = pending;
    return pending;
  }

  /**
   * Runs argv on the host, each word single-quoted, so no operator value is ever read by the remote
   * shell. A non-zero exit is a result, not an error. Throws FleetError (connect errors, a timeout, a drop).
   */
  async exec(hostId: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const command = shellJoin(argv);
    const run = async (client: Client): Promise<ExecResult> => {
      return runExec(client, command, options, {
        hostName: this.hostName(hostId),
        program: argv[0] ?? '',
        timeoutMs: options.timeoutMs ?? this.opts.commandTimeoutMs,
        maxOutputBytes: options.maxOutputBytes ?? this.opts.maxOutputBytes,
      });
    };
    // Only a session already found dead is retried: nothing reached the host, so nothing ran twice.
    return this.retryIfGone(hostId, run, (err) => err instanceof Error && err.message === 'Not connected');
  }

  /**
   * A stream to a Unix socket on the host (OpenSSH streamlocal forwarding) over the held session.
   * Throws FleetError('unavailable') when the server refuses; its cause carries ssh2's error.
   */
  async forwardUnixSocket(hostId: string, socketPath: string): Promise<Duplex> {
    const open = async (client: Client): Promise<Duplex> => {
      const stream = await new Promise<ClientChannel>((resolve, reject) => {
        try {
          client.openssh_forwardOutStreamLocal(socketPath, (err, channel) =>
            err ? reject(err) : resolve(channel),
          );
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      // Closed under the open: a destroyed channel handed to an HTTP request would leave it waiting
      // forever (it never sees the close), so this fails like any channel on a gone connection.
      if (!this.track(client, stream)) throw new Error('Not connected');
      return stream;
    };
    try {
      // A channel that failed to open carried nothing, so it is safe to retry on a fresh session.
      return await this.retryIfGone(
        hostId,
        open,
        (err) => err instanceof Error && CONNECTION_GONE.test(err.message),
      );
    } catch (err) {
      if (err instanceof FleetError) throw err;
      const why = err instanceof Error ? err.message.replace(/^\(SSH\) /, '') : String(err);
      throw new FleetError('unavailable', `"${this.hostName(hostId)}" did not open ${socketPath}: ${why}`, {
        cause: err,
      });
    }
  }

  /** The fingerprint the host offers now, without logging in, beside the pinned one. Throws FleetError. */
  async probe(hostId: string): Promise<HostKeyProbe> {
    const host = requireSshHost(this.store, hostId, this.opts.readyTimeoutMs);
    const fingerprint = await this.connector.hostKey(host.endpoint);
    const pinned = host.record.hostKeySha256;
    return { fingerprint, pinned, matches: pinned === null ? null : sameFingerprint(pinned, fingerprint) };
  }

  /** The fingerprint at an address not yet saved as a host (the add-host wizard shows it). Throws FleetError. */
  probeAddress(endpoint: Omit<SshEndpoint, 'readyTimeoutMs'>): Promise<string> {
    return this.connector.hostKey({ ...endpoint, readyTimeoutMs: this.opts.readyTimeoutMs });
  }

  /** Closes and forgets one host's session (host removed, credential or pin changed). */
  close(hostId: string): void {
    const session = this.sessions.get(hostId);
    if (!session) return;
    session.closed = true;
    this.sessions.delete(hostId);
    session.client?.end();
  }

  /** Closes every session; waits (briefly) for their sockets to close. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const clients = [...this.sessions.values()].flatMap((s) => (s.client ? [s.client] : []));
    for (const id of [...this.sessions.keys()]) this.close(id);
    await Promise.race([
      Promise.all(clients.map((c) => new Promise<void>((resolve) => c.once('close', () => resolve())))),
      // Unref: a CLI command must exit as soon as the sockets close, not when this cap runs out.
      sleep(2_000, undefined, { ref: false }),
    ]);
    this.listeners.clear();
  }

  /** Runs op on the host's session; once more on a fresh one if that session was found gone. */
  private async retryIfGone<T>(
    hostId: string,
    op: (client: Client) => Promise<T>,
    gone: (err: unknown) => boolean,
  ): Promise<T> {
    const client = await this.client(hostId);
    try {
      return await op(client);
    } catch (err) {
      if (!gone(err)) throw err;
      this.forgetClient(hostId, 'the connection was found closed', client);
      return op(await this.client(hostId));
    }
  }

  /** Ties a channel's life to its connection's; false (and the channel destroyed) if that has closed. */
  private track(client: Client, stream: Duplex): boolean {
    const live = this.streams.get(client);
    if (!live || stream.destroyed) {
      // The connection closed while the channel opened: nothing would close it later.
      stream.destroy();
      return false;
    }
    live.add(stream);
    stream.once('close', () => live.delete(stream));
    return true;
  }

  /** Drops the host's session if it is still `dead` (a concurrent caller may have replaced it already). */
  private forgetClient(hostId: string, cause: string | null, dead: Client): void {
    const session = this.sessions.get(hostId);
    if (!session?.client || session.client !== dead) return;
    const client = session.client;
    session.client = null;
    client.end();
    this.emit({ hostId, state: 'disconnected', cause });
  }

  private async connectWithBackoff(hostId: string, session: Session): Promise<Client> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const opened = await openSession(this.store, this.connector, hostId, {
          ...this.opts,
          agentSocket: this.agentSocket,
        });
        return this.adopt(hostId, session, opened);
      } catch (err) {
        const retryable = err instanceof FleetError && err.code === 'unavailable';
        if (!retryable || attempt >= this.opts.connectAttempts || this.disposed || session.closed) throw err;
        const delay = Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** (attempt - 1));
        await sleep(delay);
      }
    }
  }

  private adopt(hostId: string, session: Session, opened: OpenedSession): Client {
    const { client } = opened;
    if (session.closed || this.disposed) {
      client.end();
      throw new FleetError('unavailable', 'the session was closed while it was being opened');
    }
    let lastError: string | null = null;
    client.on('error', (err: Error) => {
      lastError = err.message;
    });
    const live = new Set<Duplex>();
    this.streams.set(client, live);
    client.once('close', () => {
      // Destroyed, not just ended, so an HTTP agent drops them from its pool of idle connections.
      this.streams.delete(client);
      for (const stream of live) stream.destroy();
      if (session.client !== client) return;
      session.client = null;
      this.emit({ hostId, state: 'disconnected', cause: lastError });
    });
    session.client = client;
    this.emit({ hostId, state: 'connected', fingerprint: opened.fingerprint });
    return client;
  }

  private hostName(hostId: string): string {
    return this.store.hosts.getById(hostId)?.name ?? hostId;
  }

  private emit(event: SessionEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener must not break the session.
      }
    }
  }
}
