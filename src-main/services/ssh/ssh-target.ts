import { FleetError } from '../../shared/errors';
import type { Store } from '../store/store';
import type { HostRecord } from '../store/types';
import type { SshAuth, SshEndpoint } from './ssh-connector';

/** An SSH host as the registry needs it: the record's nullable fields checked once. */
export interface SshHost {
  record: HostRecord;
  endpoint: SshEndpoint;
  username: string;
}

/** Reads the host afresh (pins and credentials change). Throws FleetError('not_found' | 'invalid_input'). */
export function requireSshHost(store: Store, hostId: string, readyTimeoutMs: number): SshHost {
  const record = store.hosts.getById(hostId);
  if (!record) throw new FleetError('not_found', 'no such host; it may have been removed');
  if (record.kind !== 'ssh') {
    throw new FleetError(
      'invalid_input',
      `host "${record.name}" is this machine: it is reached through the local Docker socket, not SSH`,
    );
  }
  if (record.address === null || record.user === null) {
    throw new FleetError('invalid_input', `host "${record.name}" has no address or user: add it again`);
  }
  return {
    record,
    username: record.user,
    endpoint: { name: record.name, address: record.address, port: record.port ?? 22, readyTimeoutMs },
  };
}

/** The login for a host from its stored credential. Throws FleetError when it cannot be formed. */
export function authFor(store: Store, host: HostRecord, agentSocket: string | undefined): SshAuth {
  switch (host.auth) {
    case 'password':
    case 'key': {
      const credential = store.hosts.credential(host.id);
      if (!credential) {
        throw new FleetError(
          'invalid_input',
          `no ${host.auth === 'key' ? 'SSH key' : 'password'} is stored for host "${host.name}": add the host again`,
        );
      }
      return host.auth === 'password'
        ? { kind: 'password', password: credential.secret }
        : { kind: 'key', privateKey: credential.secret, passphrase: credential.passphrase };
    }
    case 'agent':
      if (agentSocket === undefined || agentSocket === '') {
        throw new FleetError(
          'unavailable',
          `host "${host.name}" logs in through the SSH agent, but no agent is reachable here (SSH_AUTH_SOCK is not set)`,
        );
      }
      return { kind: 'agent', socket: agentSocket };
    case 'none':
      throw new FleetError('invalid_input', `host "${host.name}" has no SSH login configured: add it again`);
    default: {
      const never: never = host.auth;
      throw new FleetError('internal', `unknown auth ${String(never)}`);
    }
  }
}
