import type { JsonRpcResponse } from '../wire/jsonrpc';
import type { Logger } from '../ops/log';
import type { Metrics } from '../ops/metrics';
import type { PendingCall, Session } from './session';

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
    call.sink.final({ ...response, id: call.originalId });
    this.record(call.session, call.method, call.tool, outcome, call.startedAt);
  }

  record(
    session: Session,
    method: string,
    tool: string | undefined,
    outcome: string,
    startedAt: number,
  ): void {
    const ms = performance.now() - startedAt;
    this.metrics.record(method, outcome, ms);
    this.log.audit({
      member: session.member.name,
      session: session.id,
      method,
      tool,
      outcome,
      ms: Math.round(ms * 100) / 100,
    });
  }
}
