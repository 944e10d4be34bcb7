import ssh2 from 'ssh2';
import type { HostAddInput, HostView } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import type { EventBus } from '../events';
import type { Store } from '../store/store';
import type { HostCredential, HostRecord } from '../store/types';

/** Hosts: machines reached over SSH (or this machine's own Docker socket) where instances run. */
export class HostService {
  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    private readonly actor: string,
  ) {}

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
