import type { PendingCall, Session } from './session';

export type Attribution =
  { session: Session; call: PendingCall | undefined } | { session: undefined; reason: string };

/**
 * Which caller a server request (sampling, elicitation, roots) belongs to, when the server cannot say:
 * the only session or stateless request with a call in flight. Stateless calls that wait for their
 * client's input are left out when they belong to that caller's member, since their server is waiting
 * for an answer rather than working; one of another member's keeps the choice ambiguous, so nothing
 * can cross between members. With nothing else in flight, a lone waiting call is the candidate (a late
 * question of its own). Anything else is ambiguous, and the bridge never guesses.
 */
export function attribute(callers: Iterable<Iterable<Session>>): Attribution {
  let busy = 0;
  let waiting = 0;
  let only: Session | undefined;
  let lastWaiting: Session | undefined;
  const waitingMembers = new Set<Session['member']>();
  for (const group of callers) {
    for (const session of group) {
      if (session.inflight.size === 0) continue;
      if (session.stateless?.waiting) {
        waiting += 1;
        lastWaiting = session;
        waitingMembers.add(session.member);
      } else {
        busy += 1;
        only = session;
      }
    }
  }
  const member = only?.member;
  const chosen =
    busy === 1 && [...waitingMembers].every((m) => m === member)
      ? only
      : busy === 0 && waiting === 1
        ? lastWaiting
        : undefined;
  if (chosen) {
    const call = chosen.inflight.size === 1 ? chosen.inflight.values().next().value : undefined;
    return { session: chosen, call };
  }
  let reason: string;
  if (busy === 0 && waiting === 0)
    reason = 'no client request is in flight, so no client session can be asked';
  else if (busy >= 2)
    reason = `${busy} client sessions have requests in flight, so the bridge cannot tell which one this request belongs to`;
  else if (busy === 0)
    reason = `${waiting} requests wait for their clients' input, so the bridge cannot tell which one this request belongs to`;
  else
    reason =
      "another member's request waits for its client's input, so the bridge cannot tell whose this request is";
  return { session: undefined, reason };
}
