import type { BridgeMode } from '../ops/cli-args';
import { idKey, type JsonRpcNotification } from '../wire/jsonrpc';
import type { Logger } from '../ops/log';
import type { PendingCalls } from './pending';
import type { Session } from './session';
import type { Upstream } from '../child/upstream';

export interface ClientNotificationDeps {
  mode: BridgeMode;
  upstream: Upstream;
  pending: PendingCalls;
  log: Logger;
}

/**
 * A notification a session sent. The bridge initialized the child itself, so `initialized` ends here;
 * `cancelled` reaches the child only for the session's own call, under the bridge's id for it, so no
 * one can cancel a call of another session whatever id it names. In Shared mode nothing else is passed
 * on: every other client notification (roots/list_changed, progress, anything custom) would be a
 * channel from one member to the server all members share. In Dedicated mode they are forwarded.
 */
export function onClientNotification(
  d: ClientNotificationDeps,
  session: Session,
  notification: JsonRpcNotification,
): void {
  switch (notification.method) {
    case 'notifications/initialized':
      return;
    case 'notifications/cancelled': {
      const requestId = notification.params?.requestId;
      const known = typeof requestId === 'string' || typeof requestId === 'number';
      const call = known ? session.inflight.get(idKey(requestId)) : undefined;
      if (!call) return;
      d.pending.remove(call);
      call.sink.abandon();
      d.pending.record(session, call.method, call.tool, 'cancelled', call.startedAt);
      d.upstream.send({ ...notification, params: { ...notification.params, requestId: call.upstreamId } });
      return;
    }
    default:
      if (d.mode === 'dedicated') d.upstream.send(notification);
      else
        d.log.debug('client_notification_dropped', {
          method: notification.method.slice(0, 100),
          session: session.id,
        });
  }
}
