import { describeError } from '../errors';
import type { Forwarder } from './forwarder';
import type { InputRounds } from './input-rounds';
import type { ListenSession } from '../wire/listen-stream';
import type { Logger } from '../ops/log';
import type { LogLevelControl } from './log-level-control';
import type { LogLevelName } from './log-levels';
import type { ToolHeaderIndex } from '../wire/param-headers';
import type { PendingCalls } from './pending';
import type { Session } from './session';
import type { StatelessRegistry } from './stateless-registry';
import type { Subscriptions } from './subscriptions';
import type { InitializeResult, Upstream } from '../child/upstream';

export interface StatelessFrontDeps {
  toolHeaders: ToolHeaderIndex;
  upstream: Upstream;
  pending: PendingCalls;
  inputs: InputRounds;
  subscriptions: Subscriptions;
  levels: LogLevelControl;
  forwarder: Forwarder;
  registry: StatelessRegistry;
  log: Logger;
}

/**
 * The multiplexer's side for 2026-07-28 requests, beyond what they share with sessions: the life of an
 * exchange (a request without a session), listen streams, and the figures /status reports for them.
 */
export class StatelessFront {
  constructor(private readonly d: StatelessFrontDeps) {}

  get registry(): StatelessRegistry {
    return this.d.registry;
  }

  get inputs(): InputRounds {
    return this.d.inputs;
  }

  get toolHeaders(): ToolHeaderIndex {
    return this.d.toolHeaders;
  }

  /** The child's initialize result, waiting (bounded) for a restarting child; undefined if it does not come. */
  async initResult(): Promise<InitializeResult | undefined> {
    return (await this.d.forwarder.ready()) ? this.d.upstream.initResult : undefined;
  }

  statelessFigures(): { inFlight: number; waitingForInput: number; listenStreams: number } {
    let inFlight = 0;
    for (const session of this.d.registry.callers)
      if (session.inflight.size > 0 && !session.stateless?.waiting) inFlight += 1;
    return {
      inFlight,
      waitingForInput: this.d.inputs.waiting,
      listenStreams: this.d.registry.listeners.size,
    };
  }

  /** The child's initialize result now, without waiting. */
  upstreamInit(): InitializeResult | undefined {
    return this.d.upstream.initResult;
  }

  unavailableMessage(): string {
    return this.d.forwarder.unavailableMessage();
  }

  /** Sets the child's log level before a stateless request that asked for one is sent. */
  applyLevels(): Promise<void> {
    return this.d.levels.apply();
  }

  /** A stateless exchange's answer went out: unless its call waits for input, it is forgotten. */
  exchangeDone(session: Session): void {
    if (session.stateless?.waiting) return;
    this.d.registry.callers.delete(session);
    this.d.inputs.forget(session);
  }

  /** A stateless client hung up before its answer: closing the connection cancels the request. */
  endExchange(session: Session): void {
    for (const call of [...session.inflight.values()]) {
      this.d.pending.remove(call);
      call.sink.abandon();
      this.d.pending.record(session, call.method, call.tool, 'cancelled', call.startedAt);
      this.d.upstream.send({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: call.upstreamId, reason: 'the client closed the connection' },
      });
    }
    this.d.registry.callers.delete(session);
    this.d.inputs.forget(session);
  }

  /** Subscribes a listen stream to resources; returns the uris the child accepted. */
  async subscribeListener(listener: ListenSession, uris: readonly string[]): Promise<string[]> {
    const accepted: string[] = [];
    for (const uri of uris) {
      try {
        await this.d.subscriptions.subscribe(listener, uri);
        accepted.push(uri);
      } catch (err) {
        this.d.log.warn('listen_subscribe_failed', { error: describeError(err) });
      }
    }
    return accepted;
  }

  closeListener(listener: ListenSession, graceful: boolean): void {
    this.d.registry.listeners.delete(listener);
    listener.close(graceful);
    this.d.subscriptions.dropSession(listener);
  }

  /** Levels asked for by stateless requests now at the child (their `_meta` logLevel). */
  *requestedLevels(): Iterable<LogLevelName> {
    for (const session of this.d.registry.callers) {
      const level = session.stateless?.logLevel;
      if (level !== undefined && session.inflight.size > 0) yield level;
    }
  }
}
