import { FleetError } from '../../shared/errors';
import type { Store } from '../store/store';
import type { HostRecord } from '../store/types';
import { sameFingerprint } from './fingerprint';

/** The refusal for a host key that is not the pinned one; names both so the operator can compare. */
export function hostKeyMismatch(hostName: string, pinned: string, offered: string): FleetError {
  return new FleetError(
    'host_key_mismatch',
    `host key for ${hostName} changed: pinned ${pinned}, offered ${offered}; if the change is expected, remove and re-add the host`,
  );
}

/**
 * Checks the offered key against the pin (set on first use, or given by the operator at add time).
 * Returns null to go on, or the refusal; an unpinned host is accepted here and pinned after login.
 */
export function checkHostKey(host: HostRecord, offered: string): FleetError | null {
  if (host.hostKeySha256 === null) return null;
  return sameFingerprint(host.hostKeySha256, offered)
    ? null
    : hostKeyMismatch(host.name, host.hostKeySha256, offered);
}

/**
 * Trust on first use: pins `offered` unless a pin appeared meanwhile (another process pinned a different
 * key: refused like any mismatch). Throws FleetError('host_key_mismatch'), or not_found when the host went.
 */
export function pinIfUnpinned(store: Store, hostId: string, offered: string, actor: string): void {
  store.transaction(() => {
    const host = store.hosts.getById(hostId);
    if (!host) throw new FleetError('not_found', 'the host was removed while connecting');
    if (host.hostKeySha256 !== null) {
      if (sameFingerprint(host.hostKeySha256, offered)) return;
      throw hostKeyMismatch(host.name, host.hostKeySha256, offered);
    }
    store.hosts.setHostKey(host.name, offered);
    store.audit.append({
      actor,
      action: 'hosts.pin-key',
      target: host.name,
      outcome: 'ok',
      detail: `trusted on first use: ${offered}`,
    });
  });
}

/** Records a refused host key in the audit log: a changed key is worth a trace even when nothing ran. */
export function auditRefusal(store: Store, hostName: string, refusal: FleetError, actor: string): void {
  store.audit.append({
    actor,
    action: 'hosts.connect',
    target: hostName,
    outcome: 'failed',
    detail: refusal.message,
  });
}
