import { attribute } from './attribution';
import type { BridgeMode } from '../ops/cli-args';
import type { JsonRpcNotification } from '../wire/jsonrpc';
import type { Logger } from '../ops/log';
import { severity, wantsLevel, type LogLevelName } from './log-levels';
import type { Session } from './session';
import type { SessionRegistry } from './sessions';
import type { StatelessRegistry } from './stateless-registry';

export interface LogRouteDeps {
  mode: BridgeMode;
  sessions: SessionRegistry;
  stateless: StatelessRegistry;
  log: Logger;
}

/**
 * Where a server's log line (notifications/message) goes. Over stdio a line names no request, and in
 * Shared mode it may carry one member's data, so it goes to one caller only: the one that set the
 * level the server runs at (the only session, or stateless request in flight, that asked for the
 * most verbose level), and only while that caller alone has a request at the server. Anything else,
 * lines written while nobody is in flight included (a server's timer, the bridge's own requests),
 * goes to nobody. In Dedicated mode every line belongs to the one member: each of its sessions gets
 * what its own level admits.
 */
export function routeLogLine(d: LogRouteDeps, message: JsonRpcNotification): void {
  const level = message.params?.level;
  if (d.mode === 'dedicated') {
    for (const session of d.sessions.values())
      if (wantsLevel(session.logLevel, level)) session.deliver(message);
    // A stateless request gets lines only when it asked for a level and is the one request in flight.
    const target = attribute([d.sessions.values(), d.stateless.callers]);
    const asked = target.session?.stateless?.logLevel;
    if (target.session && target.call && asked !== undefined && wantsLevel(asked, level))
      target.call.sink.related(message);
    return;
  }
  const owner = levelOwner(d);
  const lone = loneCaller(d);
  if (owner === undefined || lone !== owner) {
    const reason = !owner ? 'no single owner' : lone ? 'another caller is in flight' : 'nothing in flight';
    d.log.debug('child_log_dropped', { reason });
    return;
  }
  if (!wantsLevel(levelOf(owner), level)) return;
  if (!owner.stateless) {
    owner.deliver(message);
    return;
  }
  const call = owner.inflight.size === 1 ? owner.inflight.values().next().value : undefined;
  call?.sink.related(message);
}

function levelOf(caller: Session): LogLevelName | undefined {
  return caller.stateless ? caller.stateless.logLevel : caller.logLevel;
}

/** The one caller that asked for the most verbose level; undefined when none did, or several. */
export function levelOwner(d: Pick<LogRouteDeps, 'sessions' | 'stateless'>): Session | undefined {
  let owner: Session | undefined;
  let lowest = Number.POSITIVE_INFINITY;
  let tied = false;
  const consider = (caller: Session): void => {
    const level = levelOf(caller);
    if (level === undefined) return;
    const rank = severity(level);
    if (rank < lowest) [owner, lowest, tied] = [caller, rank, false];
    else if (rank === lowest) tied = true;
  };
  for (const session of d.sessions.values()) consider(session);
  // A stateless request's level counts only while its request is at the server.
  for (const caller of d.stateless.callers) if (caller.inflight.size > 0) consider(caller);
  return tied ? undefined : owner;
}

/** The only session or stateless request with a request at the server, if exactly one has. */
function loneCaller(d: Pick<LogRouteDeps, 'sessions' | 'stateless'>): Session | undefined {
  let lone: Session | undefined;
  for (const group of [d.sessions.values(), d.stateless.callers]) {
    for (const caller of group) {
      if (caller.inflight.size === 0) continue;
      if (lone) return undefined;
      lone = caller;
    }
  }
  return lone;
}
