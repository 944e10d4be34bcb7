import type { JsonRpcResponse } from '../wire/jsonrpc';
import { correlationId, withCorrelation } from '../ops/correlation';
import type { Logger } from '../ops/log';
import type { Metrics } from '../ops/metrics';
import type { PendingCall, Session } from './session';

/** The longest tool name, prompt name or uri an audit line carries. */
const MAX_TARGET = 256;

/** The client requests the child is working on, by the id the child sees. */
export class PendingCalls {
  private readonly byId = new Map<number, PendingCall>();

  constructor(
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  add(call: PendingCall): void {
    this.byId.set(call.upstreamId, call);
    call.session.inflight.set(call.idKey, call);
  }

  get(upstreamId: unknown): PendingCall | undefined {
    return typeof upstreamId === 'number' ? this.byId.get(upstreamId) : undefined;
  }

  all(): PendingCall[] {
    return [...this.byId.values()];
  }

  /**
   * Forgets the call without answering (the client cancelled it). Every way a call ends passes here
   * (finish too), so its member's share of the child is always given back.
   */
  remove(call: PendingCall): void {
    this.byId.delete(call.upstreamId);
    call.session.inflight.delete(call.idKey);
    call.charge.release();
  }

  /** Forgets the call, answers its client under the client's own id, and records the outcome. */
  finish(call: PendingCall, response: Omit<JsonRpcResponse, 'id'>, outcome: string): void {
    this.remove(call);
    const cid = correlationId();
    call.sink.final({ ...withCorrelation(response, cid), id: call.originalId });
    this.record(call.session, call.method, call.tool, outcome, call.startedAt, cid);
  }

  /**
   * Writes the request's audit line and counts it. `target` is what auditTarget() names (a tool, a
   * prompt or a uri, by method); `cid` the id already put in the response's _meta, else a new one.
   */
  record(
    session: Session,
    method: string,
    target: string | undefined,
    outcome: string,
    startedAt: number,
    cid: string = correlationId(),
  ): void {
    const ms = performance.now() - startedAt;
    this.metrics.record(method, outcome, ms);
    // A client may send any name: the line stays short whatever it sent.
    const named = target !== undefined && target.length > MAX_TARGET ? target.slice(0, MAX_TARGET) : target;
    this.log.audit({
      member: session.member.name,
      session: session.id,
      method,
      tool: method === 'tools/call' ? named : undefined,
      prompt: method === 'prompts/get' ? named : undefined,
      uri: method === 'resources/read' ? named : undefined,
      outcome,
      ms: Math.round(ms * 100) / 100,
      cid,
    });
  }
}
