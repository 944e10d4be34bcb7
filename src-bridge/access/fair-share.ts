import type { ServerResponse } from 'node:http';
import { sendJson } from '../front-door/http-util';
import type { Classified, JsonRpcId, JsonRpcRequest } from '../wire/jsonrpc';
import type { Logger } from '../ops/log';
import type { Member } from './members';
import { TokenBucket } from './rate-limit';
import { RefusalLog } from './fair-share-report';
import type { Session } from '../core/session';
import type { SessionRegistry } from '../core/sessions';

/**
 * A notification or response this small is never refused for a full lane: a cancellation, or the answer
 * to an elicitation its call at the child waits for, is how a member's held requests get going again.
 */
export const SMALL_MESSAGE_CHARS = 64 * 1024;

/** JSON-RPC error code of a 429: the member is over one of its own limits. */
export const RATE_LIMITED = -32005;

export type LimitKind = 'sessions' | 'inflight' | 'rps' | 'queue';

export interface MemberLimits {
  sessions: number;
  inflight: number;
  rps: number;
}

export interface FairShareDefaults {
  memberSessions: number;
  memberInflight: number;
  memberRps: number;
  memberQueueChars: number;
}

/** What the member is refused for, and when trying again makes sense. */
export interface Refusal {
  kind: LimitKind;
  retryAfter: number;
  message: string;
}

/** The part of Upstream this needs: the member's turn at the child's stdin. */
export interface StdinLanes {
  queued(owner: string): number;
  unanswered(owner: string): number;
  onBehalfOf<T>(owner: string, fn: () => T): T;
}

/** A request in flight; it stops counting once ended, or once its session has ended. */
export interface CallTicket {
  end: () => void;
}

interface Ticket extends CallTicket {
  session: Session | undefined;
}

interface MemberState {
  limits: MemberLimits;
  bucket: TokenBucket;
  /** Request bodies arriving now. */
  reading: number;
  calls: Set<Ticket>;
  /** initialize requests being answered and subscriptions/listen streams open: session slots in use. */
  held: number;
}

/** What /status and /metrics show of one member: its limits, what it uses, what it was refused. */
export interface MemberUsage {
  limits: MemberLimits;
  sessions: number;
  inFlight: number;
  /** Request bodies arriving now. */
  receiving: number;
  queuedChars: number;
  /** Characters of its requests written to the child and not answered yet (its share of the child). */
  unansweredChars: number;
  refused: Record<LimitKind, number>;
}

/**
 * Each member's fair share of one shared server: sessions, requests in flight and requests a second,
 * each capped per member (the server's --member-* defaults, or the member's own "limits"), plus a
 * bound on its messages waiting for the child's stdin. A member over a limit gets 429 for that
 * request; no other member is affected, since nothing here is shared between members.
 */
export class FairShare {
  private readonly members = new Map<Member, MemberState>();
  private readonly refusals: RefusalLog;

  constructor(
    members: readonly Member[],
    private readonly defaults: FairShareDefaults,
    private readonly sessions: SessionRegistry,
    private readonly lanes: StdinLanes,
    log: Logger,
    now: () => number = Date.now,
  ) {
    this.refusals = new RefusalLog(log, now);
    for (const member of members) {
      const limits: MemberLimits = {
        sessions: member.limits.sessions ?? defaults.memberSessions,
        inflight: member.limits.inflight ?? defaults.memberInflight,
        rps: member.limits.rps ?? defaults.memberRps,
      };
      this.members.set(member, {
        limits,
        bucket: new TokenBucket(limits.rps, Math.max(1, Math.ceil(limits.rps * 2)), now),
        reading: 0,
        calls: new Set(),
        held: 0,
      });
    }
  }

  /** Every authenticated request takes one of the member's tokens. */
  takeToken(member: Member): Refusal | undefined {
    const state = this.state(member);
    const wait = state.bucket.take();
    if (wait === 0) return undefined;
    const { rps } = state.limits;
    return {
      kind: 'rps',
      retryAfter: wait,
      message: `Too many requests: member "${member.name}" may send ${rps} a second (bursts of ${Math.max(1, Math.ceil(rps * 2))}).`,
    };
  }

  /** A POST body starts arriving: at most `inflight` of a member's bodies are held in memory at once. */
  beginBody(member: Member): Refusal | (() => void) {
    const state = this.state(member);
    if (state.reading >= state.limits.inflight)
      return this.inflightRefusal(member, state, 'request bodies arriving');
    state.reading += 1;
    return once(() => (state.reading -= 1));
  }

  /** A JSON-RPC request goes to work; in a session it counts until answered or the session ends. */
  beginCall(member: Member, session?: Session): Refusal | CallTicket {
    const state = this.state(member);
    if (this.activeCalls(state) >= state.limits.inflight)
      return this.inflightRefusal(member, state, 'requests in flight');
    const ticket: Ticket = { session, end: () => state.calls.delete(ticket) };
    state.calls.add(ticket);
    return ticket;
  }

  /** A session slot (initialize, subscriptions/listen) held until the returned function is called. */
  holdSession(member: Member): Refusal | (() => void) {
    const state = this.state(member);
    if (this.sessions.countOf(member) + state.held >= state.limits.sessions)
      return {
        kind: 'sessions',
        retryAfter: 30,
        message: `Member "${member.name}" has ${state.limits.sessions} sessions open, its limit; end unused ones (DELETE /mcp) and retry.`,
      };
    state.held += 1;
    return once(() => (state.held -= 1));
  }

  /** Refuses a message while the member's earlier ones still fill its lane to the child's stdin. */
  checkQueue(member: Member): Refusal | undefined {
    const queued = this.lanes.queued(member.name);
    if (queued < this.defaults.memberQueueChars) return undefined;
    return {
      kind: 'queue',
      retryAfter: 1,
      message: `Member "${member.name}" has ${Math.round(queued / 1024)} KiB of messages waiting for the MCP server; retry when they have gone through.`,
    };
  }

  /**
   * A 2026-07-28 request: subscriptions/listen holds a session slot, anything else is a call in
   * flight; both until the response closes (closing it cancels a stateless call). False once refused.
   */
  admitStateless(res: ServerResponse, member: Member, request: JsonRpcRequest): boolean {
    const listen = request.method === 'subscriptions/listen';
    const admitted = listen ? this.holdSession(member) : (this.checkQueue(member) ?? this.beginCall(member));
    if ('kind' in admitted) {
      this.refuse(res, member, admitted, request.id);
      return false;
    }
    res.once('close', typeof admitted === 'function' ? admitted : admitted.end);
    return true;
  }

  /**
   * A message in a session: refused while the member's lane to the child is full (but for a small
   * notification or response); a request also needs a free in-flight slot (its ticket, ended when it
   * is answered). False once refused.
   */
  admitInSession(
    res: ServerResponse,
    member: Member,
    session: Session,
    message: Exclude<Classified, { kind: 'invalid' }>,
    chars: number,
  ): CallTicket | undefined | false {
    const id = message.kind === 'request' ? message.message.id : null;
    const small = message.kind !== 'request' && chars <= SMALL_MESSAGE_CHARS;
    const full = small ? undefined : this.checkQueue(member);
    const admitted = full ?? (id === null ? undefined : this.beginCall(member, session));
    if (admitted === undefined || !('kind' in admitted)) return admitted;
    this.refuse(res, member, admitted, id);
    return false;
  }

  /** Runs fn so that what it sends to the child goes in the member's turn. */
  onBehalfOf<T>(member: Member, fn: () => T): T {
    return this.lanes.onBehalfOf(member.name, fn);
  }

  /** Answers 429 with Retry-After and a JSON-RPC error, and counts it against the member. */
  refuse(res: ServerResponse, member: Member, refusal: Refusal, id: JsonRpcId | null = null): void {
    this.refusals.count(member.name, refusal.kind);
    const error = {
      code: RATE_LIMITED,
      message: refusal.message,
      data: { limit: refusal.kind, retryAfterSeconds: refusal.retryAfter },
    };
    sendJson(res, 429, { jsonrpc: '2.0', id, error }, { 'retry-after': String(refusal.retryAfter) });
  }

  /** Each configured member's limits, use and refusals. */
  *usage(): Iterable<[string, MemberUsage]> {
    for (const [member, state] of this.members) {
      yield [
        member.name,
        {
          limits: state.limits,
          sessions: this.sessions.countOf(member) + state.held,
          inFlight: this.activeCalls(state),
          receiving: state.reading,
          queuedChars: this.lanes.queued(member.name),
          unansweredChars: this.lanes.unanswered(member.name),
          refused: this.refusals.counts(member.name),
        },
      ];
    }
  }

  private state(member: Member): MemberState {
    const state = this.members.get(member);
    if (!state) throw new Error(`member "${member.name}" is not configured`);
    return state;
  }

  private activeCalls(state: MemberState): number {
    // A session that ended took its calls with it, whether or not their answers were ever sent.
    for (const ticket of state.calls) if (ticket.session?.closed) state.calls.delete(ticket);
    return state.calls.size;
  }

  private inflightRefusal(member: Member, state: MemberState, what: string): Refusal {
    return {
      kind: 'inflight',
      retryAfter: 1,
      message: `Member "${member.name}" has ${state.limits.inflight} ${what}, its limit; retry when one has finished.`,
    };
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
