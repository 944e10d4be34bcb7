import type { Client } from 'ssh2';
import { FleetError } from '../../shared/errors';
import type { Store } from '../store/store';
import { auditRefusal, checkHostKey, pinIfUnpinned } from './host-key-policy';
import type { SshConnector } from './ssh-connector';
import { authFor, requireSshHost } from './ssh-target';

export interface OpenSessionSettings {
  actor: string;
  readyTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  agentSocket: string | undefined;
}

export interface OpenedSession {
  client: Client;
  fingerprint: string;
}

/**
 * One login to a host as the store describes it now: the pinned key enforced during the handshake, an
 * unpinned one pinned after login, a refused key audited. Throws FleetError (see SshConnector.connect).
 */
export async function openSession(
  store: Store,
  connector: SshConnector,
  hostId: string,
  settings: OpenSessionSettings,
): Promise<OpenedSession> {
  const host = requireSshHost(store, hostId, settings.readyTimeoutMs);
  const auth = authFor(store, host.record, settings.agentSocket);
  const audited = (err: unknown): unknown => {
    if (err instanceof FleetError && err.code === 'host_key_mismatch') {
      auditRefusal(store, host.record.name, err, settings.actor);
    }
    return err;
  };
  let opened: OpenedSession;
  try {
    opened = await connector.connect({
      ...host.endpoint,
      username: host.username,
      auth,
      keepaliveIntervalMs: settings.keepaliveIntervalMs,
      keepaliveCountMax: settings.keepaliveCountMax,
      verifyHostKey: (offered) => checkHostKey(host.record, offered),
    });
  } catch (err) {
    throw audited(err);
  }
  try {
    pinIfUnpinned(store, hostId, opened.fingerprint, settings.actor);
  } catch (err) {
    opened.client.end();
    throw audited(err);
  }
  return opened;
}
