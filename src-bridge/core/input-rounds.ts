import { randomBytes } from 'node:crypto';
import { missingCapability } from '../access/client-capabilities';
import { errorResponse, ErrorCodes, type JsonObject, type JsonRpcRequest } from '../wire/jsonrpc';
import { correlationId, withCorrelation } from '../ops/correlation';
import type { Logger } from '../ops/log';
import type { LogLevelName } from './log-levels';
import type { Member } from '../access/members';
import { StatelessErrorCodes } from '../wire/stateless-envelope';
import type { PendingCalls } from './pending';
import {
  checkRetry,
  freeKey,
  requiredCapabilities,
  WaitingSink,
  type Asked,
  type EndReason,
  type ResumeOutcome,
  type Wait,
  type WaitLookup,
} from './input-wait';
import { callTarget, RequestStateCodec, validInputResponse } from './request-state';
import type { CallSink } from '../wire/request-sink';
import type { PendingCall, Session } from './session';
import type { StatelessRegistry } from './stateless-registry';
import type { Upstream } from '../child/upstream';

export interface InputRoundsConfig {
  /** How long a call waits for its client's inputResponses before the child's request fails. */
  waitMs: number;
  /** Server requests arriving this close together go into one input_required result. */
  batchMs: number;
  maxWaits: number;
  maxWaitsPerMember: number;
  upstreamTimeoutMs: number;
}

/**
 * Multi round-trip requests (SEP-2322) in front of a server that asks the old way. When the child sends
 * sampling, elicitation or roots/list while working on a stateless client's call, the client gets an
 * `input_required` result (the questions, keyed, and a signed requestState) and the child's request
 * waits; the client's retry with inputResponses answers it, and the call's result goes to that retry.
 */
export class InputRounds implements WaitLookup {
  readonly codec = new RequestStateCodec();
  readonly waits = new Map<string, Wait>();
  readonly ended = new Map<string, EndReason>();
  private readonly byCall = new Map<PendingCall, Wait>();
  private readonly bySession = new Map<Session, Wait>();
  private readonly batches = new Map<PendingCall, { asked: Map<string, Asked>; timer: NodeJS.Timeout }>();

  constructor(
    private readonly upstream: Upstream,
    private readonly pending: PendingCalls,
    private readonly registry: StatelessRegistry,
    private readonly log: Logger,
    private readonly config: InputRoundsConfig,
  ) {}

  get waiting(): number {
    let n = 0;
    for (const wait of this.waits.values()) if (wait.session.stateless?.waiting) n += 1;
    return n;
  }

  /** A server request attributed to a stateless client's call. */
  onServerRequest(session: Session, call: PendingCall, request: JsonRpcRequest): void {
    const state = session.stateless;
    if (!state) return;
    const wait = this.byCall.get(call);
    const batch = this.batches.get(call);
    const key = freeKey(request.id, [...(wait?.outstanding.keys() ?? []), ...(batch?.asked.keys() ?? [])]);
    const asked: Asked = {
      upstreamId: request.id,
      generation: this.upstream.generation,
      method: request.method,
      params: request.params,
    };
    const ready = state.presupplied?.get(key);
    if (ready !== undefined && validInputResponse(request.method, ready)) {
      state.presupplied?.delete(key);
      this.answerChild(asked, ready);
      return;
    }
    const missing = missingCapability(session.clientCapabilities, request);
    if (missing) {
      const others = [...(batch?.asked.values() ?? []), ...(wait?.outstanding.values() ?? [])];
      wait?.outstanding.clear();
      this.refuseCall(call, [asked, ...others], missing);
      return;
    }
    if (wait && state.waiting) {
      // A late question of a call that already waits: asked on the client's next retry.
      wait.outstanding.set(key, asked);
      return;
    }
    if (batch) {
      batch.asked.set(key, asked);
      return;
    }
    const timer = setTimeout(() => this.flush(call), this.config.batchMs);
    this.batches.set(call, { asked: new Map([[key, asked]]), timer });
  }

  /** The child withdrew one of its questions. */
  onChildCancelled(upstreamId: unknown): void {
    for (const wait of this.waits.values())
      for (const [key, asked] of wait.outstanding)
        if (asked.upstreamId === upstreamId) wait.outstanding.delete(key);
    for (const batch of this.batches.values())
      for (const [key, asked] of batch.asked) if (asked.upstreamId === upstreamId) batch.asked.delete(key);
  }

  /**
   * A retry carrying requestState: verifies it, answers the child's questions it answers, and either
   * asks again for what is still missing or hands the call's answer channel to this retry.
   */
  resume(
    member: Member,
    request: JsonRpcRequest,
    sink: CallSink,
    retry: {
      capabilities: JsonObject;
      logLevel: LogLevelName | undefined;
      progressToken: string | number | undefined;
    },
  ): ResumeOutcome {
    const refuse = (message: string): ResumeOutcome => {
      sink.final(errorResponse(request.id, ErrorCodes.invalidParams, message));
      return { answered: true, outcome: 'denied' };
    };
    const checked = checkRetry(this, member, request);
    if ('refusal' in checked) return refuse(checked.refusal);
    const { wait, responses } = checked;
    if (wait.finished) {
      sink.final({ ...wait.finished, id: request.id });
      this.end(wait, 'answered');
      return { answered: true, outcome: wait.finished.error ? 'error' : 'ok' };
    }
    for (const [key, asked] of [...wait.outstanding]) {
      if (!(key in responses)) continue;
      wait.outstanding.delete(key);
      this.answerChild(asked, responses[key]);
    }
    wait.round += 1;
    wait.session.clientCapabilities = retry.capabilities;
    if (wait.session.stateless) wait.session.stateless.logLevel = retry.logLevel;
    if (wait.outstanding.size > 0) {
      this.startClock(wait);
      const cid = correlationId();
      sink.final(withCorrelation({ jsonrpc: '2.0', id: request.id, result: this.inputRequired(wait) }, cid));
      return { answered: true, outcome: 'input_required', cid };
    }
    clearTimeout(wait.timer);
    const call = wait.call;
    call.sink = sink;
    call.originalId = request.id;
    call.progressToken = retry.progressToken;
    call.deadline = performance.now() + this.config.upstreamTimeoutMs;
    if (wait.session.stateless) wait.session.stateless.waiting = false;
    return { answered: false, session: wait.session };
  }

  /** Forgets a finished exchange's wait, if it had one. */
  forget(session: Session): void {
    for (const call of session.inflight.values()) this.dropBatch(call);
    const wait = this.bySession.get(session);
    if (wait) this.end(wait, 'answered');
  }

  private flush(call: PendingCall): void {
    const batch = this.batches.get(call);
    if (!batch) return;
    this.batches.delete(call);
    const session = call.session;
    if (this.pending.get(call.upstreamId) !== call || !session.stateless || batch.asked.size === 0) {
      for (const asked of batch.asked.values())
        this.refuseChild(asked, ErrorCodes.internalError, 'the client request ended');
      return;
    }
    let wait = this.byCall.get(call);
    if (!wait) {
      if (this.waiting >= this.config.maxWaits) {
        this.failCall(
          call,
          [...batch.asked.values()],
          ErrorCodes.internalError,
          'too many calls wait for input',
          {
            code: ErrorCodes.serverUnavailable,
            message: `${this.config.maxWaits} requests already wait for their clients' input, the most this bridge holds; try again later.`,
          },
        );
        return;
      }
      this.evictOverflow(session.member);
      wait = {
        id: randomBytes(12).toString('base64url'),
        session,
        call,
        target: callTarget(call.method, { name: session.stateless.name, uri: session.stateless.name }),
        round: 1,
        outstanding: new Map(),
        timer: undefined,
        expires: 0,
        finished: undefined,
      };
      this.waits.set(wait.id, wait);
      this.byCall.set(call, wait);
      this.bySession.set(session, wait);
    }
    for (const [key, asked] of batch.asked) wait.outstanding.set(key, asked);
    session.stateless.waiting = true;
    this.startClock(wait);
    const cid = correlationId();
    const answer = withCorrelation(
      { jsonrpc: '2.0', id: call.originalId, result: this.inputRequired(wait) },
      cid,
    );
    const sink = call.sink;
    call.sink = new WaitingSink(wait);
    // The forwarder's own timeout must not fire while the client is away; the wait has its own.
    call.deadline = Number.POSITIVE_INFINITY;
    sink.final(answer);
    this.pending.record(session, call.method, call.tool, 'input_required', call.startedAt, cid);
    this.log.info('input_required', {
      member: session.member.name,
      session: session.id,
      method: call.method,
      tool: call.tool,
      asked: [...wait.outstanding.values()].map((a) => a.method),
    });
  }

  /** Each round gives the client the whole wait time again. */
  private startClock(wait: Wait): void {
    clearTimeout(wait.timer);
    wait.expires = Date.now() + this.config.waitMs;
    wait.timer = setTimeout(() => this.expire(wait), this.config.waitMs);
    wait.timer.unref();
  }

  private inputRequired(wait: Wait): JsonObject {
    const inputRequests: JsonObject = {};
    for (const [key, asked] of wait.outstanding)
      inputRequests[key] =
        asked.params === undefined
          ? { method: asked.method }
          : { method: asked.method, params: asked.params };
    const requestState = this.codec.issue({
      wait: wait.id,
      round: wait.round,
      member: wait.session.member.name,
      target: wait.target,
      expires: wait.expires,
    });
    return { resultType: 'input_required', inputRequests, requestState };
  }

  /** The client never came back (or made room): the child's questions fail and its call is cancelled. */
  private expire(wait: Wait, why: EndReason = 'expired'): void {
    if (this.waits.get(wait.id) !== wait) return;
    const seconds = Math.round(this.config.waitMs / 1000);
    const reason =
      why === 'evicted'
        ? 'its client has too many other requests waiting for input'
        : `the client did not answer within ${seconds} s`;
    this.failCall(wait.call, [...wait.outstanding.values()], ErrorCodes.requestTimeout, reason);
    this.pending.record(wait.session, wait.call.method, wait.call.tool, why, wait.call.startedAt);
    this.end(wait, why);
  }

  /** A member over its share of waiting calls loses its oldest one, so it cannot crowd others out. */
  private evictOverflow(member: Member): void {
    const mine = [...this.waits.values()].filter(
      (w) => w.session.member === member && w.session.stateless?.waiting,
    );
    if (mine.length >= this.config.maxWaitsPerMember && mine[0]) this.expire(mine[0], 'evicted');
  }

  /** The client lacks a capability the child needs: it gets -32021, the child's call is cancelled. */
  private refuseCall(call: PendingCall, asked: Asked[], missing: string): void {
    const required = requiredCapabilities(missing);
    this.dropBatch(call);
    this.failCall(call, asked, ErrorCodes.methodNotFound, `the client did not declare ${missing}`, {
      code: StatelessErrorCodes.missingClientCapability,
      message: `This request needs the client capability "${missing}", which the request did not declare.`,
      data: { requiredCapabilities: required },
    });
  }

  /**
   * Ends a call the bridge gives up on: the child's questions are refused (`childCode`), the client
   * gets `answer` when it is still connected, and the child is told to stop.
   */
  private failCall(
    call: PendingCall,
    asked: Asked[],
    childCode: number,
    reason: string,
    answer?: { code: number; message: string; data?: unknown },
  ): void {
    for (const item of asked) this.refuseChild(item, childCode, reason);
    if (this.pending.get(call.upstreamId) === call) {
      if (answer) this.pending.finish(call, { jsonrpc: '2.0', error: answer }, 'denied');
      else this.pending.remove(call);
      this.upstream.send({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: call.upstreamId, reason },
      });
    }
    this.log.warn('input_refused', {
      member: call.session.member.name,
      method: call.method,
      tool: call.tool,
      reason,
    });
  }

  private answerChild(asked: Asked, result: unknown): void {
    if (asked.generation === this.upstream.generation)
      this.upstream.send({ jsonrpc: '2.0', id: asked.upstreamId, result });
  }

  private refuseChild(asked: Asked, code: number, reason: string): void {
    if (asked.generation !== this.upstream.generation) return;
    this.upstream.send(
      errorResponse(asked.upstreamId, code, `mcp-fleet-bridge refused ${asked.method}: ${reason}`),
    );
  }

  private dropBatch(call: PendingCall): void {
    const batch = this.batches.get(call);
    if (!batch) return;
    clearTimeout(batch.timer);
    this.batches.delete(call);
  }

  private end(wait: Wait, why: EndReason): void {
    clearTimeout(wait.timer);
    this.waits.delete(wait.id);
    // Remembered a while, so a late retry learns what became of its call.
    this.ended.set(wait.id, why);
    if (this.ended.size > 1024) this.ended.delete(this.ended.keys().next().value ?? '');
    this.byCall.delete(wait.call);
    this.bySession.delete(wait.session);
    if (wait.session.stateless) wait.session.stateless.waiting = false;
    if (wait.session.inflight.size === 0) this.registry.callers.delete(wait.session);
  }
}
