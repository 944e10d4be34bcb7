import ssh2 from 'ssh2';
import type { HostAddInput, HostChanged, HostSetInput, HostView } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import type { EventBus } from '../events';
import { auditRefusal } from '../ssh/host-key-policy';
import { Ssh2Connector } from '../ssh/ssh-connector';
import type { SshConnector } from '../ssh/ssh-connector';
import type { Store } from '../store/store';
import type { HostCredential, HostRecord } from '../store/types';
import { describeHostSet, planAuth, planHostSet, refuseHostKey } from './host-set-plan';
import type { HostSetPlan } from './host-set-plan';

/** What `hosts set` needs of the held SSH sessions (SshSessionRegistry): the agent, and closing one. */
export interface HostSessions {
  readonly agentSocket: string | undefined;
  /** Ends the host's open session, so the next use logs in with the new settings. */
  close(hostId: string): void;
}

export interface HostServiceOptions {
  /** Opens the trial login of `hosts set`; ssh2 by default. */
  connector?: SshConnector;
  /** Limit for that login (TCP, handshake and login together). */
  readyTimeoutMs?: number;
}

/** Hosts: machines reached over SSH (or this machine's own Docker socket) where instances run. */
export class HostService {
  private readonly connector: SshConnector;
  private readonly readyTimeoutMs: number;

  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    private readonly actor: string,
    options: HostServiceOptions = {},
  ) {
    this.connector = options.connector ?? new Ssh2Connector();
    this.readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  }

  list(): HostView[] {
    return this.store.hosts.list().map((h) => this.view(h));
  }

  /** Throws FleetError('not_found') when no host has that name. */
  get(name: string): HostView {
    return this.view(this.require(name));
  }

  /** Adds a host and its credential. Throws invalid_input for an unreadable key, conflict for a taken name. */
  add(input: HostAddInput): HostView {
    let credential: HostCredential | null = null;
    let record: Omit<HostRecord, 'id' | 'createdAt'>;
    if (input.kind === 'local') {
      record = {
        name: input.name,
        kind: 'local',
        user: null,
        address: null,
        port: null,
        auth: 'none',
        hostKeySha256: null,
      };
    } else {
      const c = input.credential;
      if (c.kind === 'password') credential = { secret: c.password, passphrase: null };
      if (c.kind === 'key') {
        checkPrivateKey(c.privateKey, c.passphrase);
        credential = { secret: c.privateKey, passphrase: c.passphrase ?? null };
      }
      record = {
        name: input.name,
        kind: 'ssh',
        user: input.user,
        address: input.address,
        port: input.port,
        auth: c.kind,
        hostKeySha256: input.hostKeySha256 ?? null,
      };
    }
    const host = this.store.transaction(() => {
      const inserted = this.store.hosts.insert(record, credential);
      this.store.audit.append({
        actor: this.actor,
        action: 'hosts.add',
        target: input.name,
        outcome: 'ok',
        detail:
          input.kind === 'local'
            ? 'local docker socket'
            : `${input.user}@${input.address}:${input.port} (${input.credential.kind})`,
      });
      return inserted;
    });
    this.events.emit('store:changed', { domain: 'hosts' });
    return this.view(host);
  }

  /**
   * Changes an SSH host's address, port, user, login or pinned key. Everything is checked first; unless
   * noCheck, the new settings must log in (presenting the pinned or accepted key) before they are saved.
   * Then the host's open session is closed. Throws not_found, invalid_input, host_key_mismatch (naming the
   * offered key), unauthorized or unavailable (the trial login), conflict (changed meanwhile).
   */
  async set(input: HostSetInput, sessions: HostSessions): Promise<HostChanged> {
    const before = this.require(input.name);
    const stored = this.store.hosts.credential(before.id);
    const plan = planHostSet(before, stored, input);
    if (input.credential?.kind === 'key')
      checkPrivateKey(input.credential.privateKey, input.credential.passphrase);
    if (plan.changed.length === 0) return { host: this.view(before), changed: [], checked: false };
    const checked = input.noCheck !== true;
    let pin = plan.settings.hostKeySha256;
    if (checked) {
      const auth = planAuth(before, plan, stored, sessions.agentSocket);
      const offered = await this.tryLogin(before, plan, auth);
      pin ??= offered;
      if (pin !== before.hostKeySha256 && !plan.changed.includes('hostKey')) plan.changed.push('hostKey');
    }
    const host = this.store.transaction(() => {
      const now = this.require(input.name);
      if (!sameSettings(now, before)) {
        throw new FleetError(
          'conflict',
          `host "${input.name}" was changed by someone else while its new settings were tried; nothing was saved, run again`,
        );
      }
      const updated = this.store.hosts.update(
        before.id,
        { ...plan.settings, hostKeySha256: pin },
        plan.credential,
      );
      this.store.audit.append({
        actor: this.actor,
        action: 'hosts.set',
        target: input.name,
        outcome: 'ok',
        detail: describeHostSet(before, plan, pin, checked),
      });
      return updated;
    });
    sessions.close(before.id);
    this.events.emit('store:changed', { domain: 'hosts' });
    return { host: this.view(host), changed: plan.changed, checked };
  }

  /** One login with the plan's settings; resolves with the key the endpoint presented. Throws FleetError. */
  private async tryLogin(
    host: HostRecord,
    plan: HostSetPlan,
    auth: Parameters<SshConnector['connect']>[0]['auth'],
  ): Promise<string> {
    const { settings } = plan;
    try {
      const { client, fingerprint } = await this.connector.connect({
        name: host.name,
        address: settings.address ?? '',
        port: settings.port ?? 22,
        username: settings.user ?? '',
        auth,
        readyTimeoutMs: this.readyTimeoutMs,
        keepaliveIntervalMs: 0,
        keepaliveCountMax: 0,
        verifyHostKey: (offered) => refuseHostKey(host, plan, offered),
      });
      client.end();
      return fingerprint;
    } catch (err) {
      if (!(err instanceof FleetError)) throw err;
      if (err.code === 'host_key_mismatch') {
        auditRefusal(this.store, host.name, err, this.actor);
        throw err;
      }
      throw new FleetError(
        err.code,
        `${err.message}; nothing was saved (to save without trying the login, use --no-check)`,
        { cause: err },
      );
    }
  }

  /** Removes a host and its credential. Throws not_found, or conflict while instances still run on it. */
  remove(name: string): void {
    const host = this.require(name);
    if (this.store.instances.list().some((i) => i.hostId === host.id)) {
      throw new FleetError('conflict', `host "${name}" still runs instances; remove or move them first`);
    }
    this.store.transaction(() => {
      this.store.hosts.remove(name);
      this.store.audit.append({
        actor: this.actor,
        action: 'hosts.remove',
        target: name,
        outcome: 'ok',
        detail: '',
      });
    });
    this.events.emit('store:changed', { domain: 'hosts' });
  }

  private require(name: string): HostRecord {
    const host = this.store.hosts.getByName(name);
    if (!host) throw new FleetError('not_found', `no host named "${name}"`);
    return host;
  }

  private view(h: HostRecord): HostView {
    return {
      name: h.name,
      kind: h.kind,
      user: h.user,
      address: h.address,
      port: h.port,
      auth: h.auth,
      hasSecret: h.auth === 'password' || h.auth === 'key',
      hostKeySha256: h.hostKeySha256,
      createdAt: h.createdAt,
    };
  }
}

function sameSettings(a: HostRecord, b: HostRecord): boolean {
  return (
    a.id === b.id &&
    a.user === b.user &&
    a.address === b.address &&
    a.port === b.port &&
    a.auth === b.auth &&
    a.hostKeySha256 === b.hostKeySha256
  );
}

/** Throws invalid_input unless the text is a private key ssh2 can use with that passphrase. */
export function checkPrivateKey(text: string, passphrase: string | undefined): void {
  const key = ssh2.utils.parseKey(text, passphrase);
  if (key instanceof Error) {
    const why = /passphrase|decrypt|bad decrypt/i.test(key.message)
      ? passphrase === undefined
        ? 'the key is encrypted: give its passphrase (--passphrase-stdin)'
        : 'the passphrase does not decrypt the key'
      : 'the file is not an SSH private key MCP Fleet can read (OpenSSH, PEM RSA/ECDSA/Ed25519)';
    throw new FleetError('invalid_input', why);
  }
  if (!key.isPrivateKey())
    throw new FleetError('invalid_input', 'the file holds a public key; give the private key');
}
