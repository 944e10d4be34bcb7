/**
 * `hosts set` before anything is saved or contacted: what the input changes, the credential it stores,
 * and the refusals of a host key the new endpoint presents. Pure, apart from reading the old credential.
 */
import type { HostSetField, HostSetInput } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { sameFingerprint } from '../ssh/fingerprint';
import type { SshAuth } from '../ssh/ssh-connector';
import type { HostSettings } from '../store/host-repository';
import type { HostCredential, HostRecord } from '../store/types';

export interface HostSetPlan {
  settings: HostSettings;
  /** The credential to store; undefined keeps the stored one, null deletes it (agent logins). */
  credential: HostCredential | null | undefined;
  changed: HostSetField[];
  /** The operator's explicit pin, if any: the endpoint must present exactly this key. */
  accepted: string | null;
}

/**
 * What the input makes of the host. Throws FleetError('invalid_input') for a local host or an input that
 * names nothing to change. The caller checks a new key (checkPrivateKey) before contacting anyone.
 */
export function planHostSet(
  host: HostRecord,
  stored: HostCredential | null,
  input: HostSetInput,
): HostSetPlan {
  if (host.kind !== 'ssh') {
    throw new FleetError(
      'invalid_input',
      `host "${host.name}" is this machine (the local Docker socket): it has no address, login or host key to set`,
    );
  }
  const given =
    input.user !== undefined ||
    input.address !== undefined ||
    input.port !== undefined ||
    input.credential !== undefined ||
    input.acceptHostKeySha256 !== undefined;
  if (!given) {
    throw new FleetError(
      'invalid_input',
      'nothing to change: give an address, port, user, login (password, key or agent) or a host key to accept',
    );
  }
  let auth = host.auth;
  let credential: HostCredential | null | undefined;
  const c = input.credential;
  if (c !== undefined) {
    auth = c.kind;
    if (c.kind === 'key') credential = { secret: c.privateKey, passphrase: c.passphrase ?? null };
    else credential = c.kind === 'password' ? { secret: c.password, passphrase: null } : null;
  }
  const accepted = input.acceptHostKeySha256 ?? null;
  const settings: HostSettings = {
    user: input.user ?? host.user,
    address: input.address ?? host.address,
    port: input.port ?? host.port ?? 22,
    auth,
    hostKeySha256: accepted ?? host.hostKeySha256,
  };
  const changed: HostSetField[] = [];
  if (settings.user !== host.user) changed.push('user');
  if (settings.address !== host.address) changed.push('address');
  if (settings.port !== (host.port ?? 22)) changed.push('port');
  if (credential !== undefined && (auth !== host.auth || !sameCredential(credential, stored)))
    changed.push('credential');
  const pinChanged =
    accepted !== null && (host.hostKeySha256 === null || !sameFingerprint(accepted, host.hostKeySha256));
  if (pinChanged) changed.push('hostKey');
  return { settings, credential, changed, accepted };
}

function sameCredential(a: HostCredential | null, b: HostCredential | null): boolean {
  if (a === null || b === null) return a === b;
  return a.secret === b.secret && a.passphrase === b.passphrase;
}

/** The login the plan's settings make, for the trial connect. Throws FleetError('unavailable') without an agent. */
export function planAuth(
  host: HostRecord,
  plan: HostSetPlan,
  stored: HostCredential | null,
  agentSocket: string | undefined,
): SshAuth {
  const credential = plan.credential === undefined ? stored : plan.credential;
  switch (plan.settings.auth) {
    case 'agent':
      if (agentSocket === undefined || agentSocket === '') {
        throw new FleetError(
          'unavailable',
          `host "${host.name}" would log in through the SSH agent, but no agent is reachable here (SSH_AUTH_SOCK is not set); nothing was saved`,
        );
      }
      return { kind: 'agent', socket: agentSocket };
    case 'password':
    case 'key':
      if (credential === null) {
        throw new FleetError('invalid_input', `no login is stored for host "${host.name}": give one`);
      }
      return plan.settings.auth === 'password'
        ? { kind: 'password', password: credential.secret }
        : { kind: 'key', privateKey: credential.secret, passphrase: credential.passphrase };
    case 'none':
      throw new FleetError('invalid_input', `host "${host.name}" has no SSH login: give one`);
    default: {
      const never: never = plan.settings.auth;
      throw new FleetError('internal', `unknown auth ${String(never)}`);
    }
  }
}

/**
 * Decides on the key the new endpoint presents: the accepted fingerprint if one was given, else the
 * pinned one (no trust on first use after a change); an unpinned host takes what it presents, as its
 * first contact would. Returns null to go on, or the refusal naming the offered fingerprint.
 */
export function refuseHostKey(host: HostRecord, plan: HostSetPlan, offered: string): FleetError | null {
  const wanted = plan.settings.hostKeySha256;
  if (wanted === null || sameFingerprint(wanted, offered)) return null;
  const where = `${plan.settings.address ?? '?'}:${plan.settings.port ?? 22}`;
  if (plan.accepted !== null) {
    return new FleetError(
      'host_key_mismatch',
      `host key for ${host.name} at ${where} is not the accepted one: accepted ${plan.accepted}, offered ${offered}; nothing was saved`,
    );
  }
  return new FleetError(
    'host_key_mismatch',
    `host key for ${host.name} at ${where} is not the pinned one: pinned ${wanted}, offered ${offered}; nothing was saved. If the key changed legitimately, run again with --accept-host-key ${offered}`,
  );
}

/** The audit detail: which fields changed, old and new values except the credential's (only its kind). */
export function describeHostSet(
  host: HostRecord,
  plan: HostSetPlan,
  pinned: string | null,
  checked: boolean,
): string {
  const parts = plan.changed.map((field) => {
    switch (field) {
      case 'user':
        return `user ${host.user ?? '-'} → ${plan.settings.user ?? '-'}`;
      case 'address':
        return `address ${host.address ?? '-'} → ${plan.settings.address ?? '-'}`;
      case 'port':
        return `port ${host.port ?? 22} → ${plan.settings.port ?? 22}`;
      case 'credential':
        return host.auth === plan.settings.auth
          ? `credential (${plan.settings.auth}) replaced`
          : `credential ${host.auth} → ${plan.settings.auth}`;
      case 'hostKey':
        return `host key ${host.hostKeySha256 ?? 'none'} → ${pinned ?? 'none'} (${plan.accepted !== null ? 'accepted' : 'first contact'})`;
      default: {
        const never: never = field;
        return String(never);
      }
    }
  });
  parts.push(checked ? 'tried with a login first' : 'saved without a login (no check)');
  return parts.join('; ');
}
