import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { EventStream, ReplayBuffer, parseEventId } from '../wire/event-stream';
import type { JsonObject, JsonRpcId } from '../wire/jsonrpc';
import type { LogLevelName } from './log-levels';
import type { Member } from '../access/members';
import type { CallSink } from '../wire/request-sink';
import type { ChildCharge } from '../child/stdin-queue';

/** A client request the child is working on. */
export interface PendingCall {
  upstreamId: number;
  session: Session;
  originalId: JsonRpcId;
  idKey: string;
  method: string;
  tool: string | undefined;
  startedAt: number;
  sink: CallSink;
  /** The client's progress token, when it asked for progress; the child sees `upstreamId` instead. */
  progressToken: string | number | undefined;
  /** When the bridge gives up waiting for the child (performance.now() time). */
  deadline: number;
  /** Its share of the child's attention, released when the call is forgotten (PendingCalls.remove). */
  charge: ChildCharge;
}

/** A request the child sent this session (sampling, elicitation, roots), under the id the session saw. */
export interface ServerRequest {
  upstreamId: JsonRpcId;
  generation: number;
  method: string;
}

/** What a 2026-07-28 exchange carries: it has no session, only this one request and its retries. */
export interface StatelessState {
  logLevel: LogLevelName | undefined;
  /** The tool or prompt name (uri for resources/read) a requestState of this exchange is bound to. */
  name: string | undefined;
  /** inputResponses the client sent before it was asked, by key; used when the server asks for that key. */
  presupplied: Map<string, unknown> | undefined;
  /** True while the call waits for the client's inputResponses (an input_required round). */
  waiting: boolean;
}

export interface SessionLimits {
  replayEvents: number;
  replayBytes: number;
}

/** One client's MCP session: who owns it, what it negotiated, and its streams. */
export class Session {
  readonly id = randomUUID();
  readonly createdAt = Date.now();
  lastActive = Date.now();
  closed = false;
  logLevel: LogLevelName | undefined;
  readonly inflight = new Map<string, PendingCall>();
  readonly serverRequests = new Map<number, ServerRequest>();
  readonly subscriptions = new Set<string>();
  /** Set for a 2026-07-28 exchange, which the bridge models as a session of one request. */
  stateless: StatelessState | undefined;
  private readonly replay: ReplayBuffer;
  private readonly streams = new Map<number, EventStream>();
  private readonly standalone: EventStream;
  private nextStreamNo = 1;

  constructor(
    readonly member: Member,
    readonly protocolVersion: string,
    /** Mutable only for a stateless exchange, whose retries may declare other capabilities. */
    public clientCapabilities: JsonObject,
    readonly clientName: string,
    limits: SessionLimits,
  ) {
    this.replay = new ReplayBuffer(limits.replayEvents, limits.replayBytes);
    this.standalone = new EventStream(0, this.replay);
  }

  /** A new stream for one POST's related messages, kept until it ends so GET can resume it. */
  openRequestStream(): EventStream {
    const stream = new EventStream(this.nextStreamNo++, this.replay);
    this.streams.set(stream.no, stream);
    // Bound the streams kept for resumption; the oldest ended ones go first.
    if (this.streams.size > 64) {
      for (const [no, s] of this.streams) {
        if (s.ended && !s.attached) this.streams.delete(no);
        if (this.streams.size <= 64) break;
      }
    }
    return stream;
  }

  /**
   * Serves a GET: with a Last-Event-ID this bridge issued, resumes that stream (replaying what came
   * after it); otherwise attaches the standalone stream. A newer GET replaces an older one.
   */
  attachGet(res: ServerResponse, lastEventId: string | undefined): void {
    this.lastActive = Date.now();
    const cursor = parseEventId(lastEventId);
    const stream = cursor && cursor.stream !== 0 ? this.streams.get(cursor.stream) : undefined;
    if (cursor && stream) {
      stream.attach(res, cursor.n);
      return;
    }
    this.standalone.attach(res, cursor?.stream === 0 ? cursor.n : undefined);
  }

  /** A message for the session that belongs to no request of it: goes on the standalone stream. */
  deliver(message: object): void {
    if (!this.closed) this.standalone.push(JSON.stringify(message));
  }

  get hasOpenStream(): boolean {
    if (this.standalone.attached) return true;
    for (const stream of this.streams.values()) if (stream.attached) return true;
    return false;
  }

  keepAlive(): void {
    this.standalone.keepAlive();
    for (const stream of this.streams.values()) stream.keepAlive();
  }

  close(): void {
    this.closed = true;
    this.standalone.end();
    for (const stream of this.streams.values()) stream.end();
    this.streams.clear();
  }
}
