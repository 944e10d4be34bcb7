import type { ExitInfo } from '../child/child';
import { errorResponse, ErrorCodes, idKey, isObject, type JsonRpcRequest } from '../wire/jsonrpc';
import type { PendingCalls } from './pending';
import type { RequestSink } from '../wire/request-sink';
import type { PendingCall, Session } from './session';
import type { Upstream } from '../child/upstream';
import { ChildCharge } from '../child/stdin-queue';

export interface ForwarderConfig {
  upstreamTimeoutMs: number;
  readyWaitMs: number;
}

export function describeExit(info: ExitInfo): string {
  if (info.error) return `could not start: ${info.error}`;
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code ?? 'unknown'}`;
}

/** Sends client requests to the child under bridge-wide ids, and answers them if the child cannot. */
export class Forwarder {
  stopping = false;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly upstream: Upstream,
    private readonly pending: PendingCalls,
    private readonly config: ForwarderConfig,
  ) {}

  /** Waits (bounded) for a restarting child; false when it did not come back in time. */
  async ready(): Promise<boolean> {
    return this.upstream.ready || this.upstream.whenReady(this.config.readyWaitMs);
  }

  /** Starts the clock that times out calls the child sits on; one timer for all calls, not one each. */
  startSweeping(): void {
    const every = Math.max(50, Math.min(1000, Math.floor(this.config.upstreamTimeoutMs / 4)));
    this.sweeper = setInterval(() => {
      const now = performance.now();
      for (const call of this.pending.all()) if (call.deadline <= now) this.timeOut(call);
    }, every);
    this.sweeper.unref();
  }

  stopSweeping(): void {
    clearInterval(this.sweeper);
  }

  /** Sends the request on now when the child is up (the common case), else after it comes back. */
  forward(
    session: Session,
    request: JsonRpcRequest,
    sink: RequestSink,
    started: number,
    tool: string | undefined,
  ): void {
    const reject = (code: number, message: string, outcome: string): void => {
      sink.final(errorResponse(request.id, code, message));
      this.pending.record(session, request.method, tool, outcome, started);
    };
    const key = idKey(request.id);
    if (session.inflight.has(key)) {
      reject(
        ErrorCodes.invalidRequest,
        'A request with this id is already in flight in this session.',
        'error',
      );
      return;
    }
    if (this.upstream.ready) {
      this.dispatch(session, request, sink, started, tool, key);
      return;
    }
    this.upstream
      .whenReady(this.config.readyWaitMs)
      .then(
        (ready) => {
          if (!ready) reject(ErrorCodes.serverUnavailable, this.unavailableMessage(), 'unavailable');
          else if (!session.closed && !session.inflight.has(key))
            this.dispatch(session, request, sink, started, tool, key);
        },
        () => reject(ErrorCodes.serverUnavailable, this.unavailableMessage(), 'unavailable'),
      )
      // dispatch() does not throw on parsed JSON; should it ever, the client still gets an answer.
      .catch(() => reject(ErrorCodes.internalError, 'Internal error in the bridge.', 'error'));
  }

  private dispatch(
    session: Session,
    request: JsonRpcRequest,
    sink: RequestSink,
    started: number,
    tool: string | undefined,
    key: string,
  ): void {
    const upstreamId = this.upstream.nextId();
    let params = request.params;
    const meta = isObject(params?._meta) ? params._meta : undefined;
    const token = meta?.progressToken;
    const progressToken = typeof token === 'string' || typeof token === 'number' ? token : undefined;
    // The child sees the bridge's id as the token, so two sessions' equal tokens cannot collide.
    if (progressToken !== undefined) params = { ...params, _meta: { ...meta, progressToken: upstreamId } };
    const call: PendingCall = {
      upstreamId,
      session,
      originalId: request.id,
      idKey: key,
      method: request.method,
      tool,
      startedAt: started,
      sink,
      progressToken,
      deadline: performance.now() + this.config.upstreamTimeoutMs,
      charge: new ChildCharge(),
    };
    const out =
      params === undefined
        ? { jsonrpc: '2.0', id: upstreamId, method: request.method }
        : { jsonrpc: '2.0', id: upstreamId, method: request.method, params };
    // Serialised and sent before the call is registered, so a message that cannot go leaves nothing
    // behind; the child's answer arrives on a later turn, never during send().
    let sent: boolean;
    try {
      // In the member's turn at the child's stdin, so its large arguments never hold up another's calls.
      sent = this.upstream.send(out, session.member.name, call.charge);
    } catch {
      // Only serialisation throws; post-message.ts refuses what nests too deep before it gets here.
      this.failCall(call, ErrorCodes.invalidRequest, 'The request could not be serialised.', 'error');
      return;
    }
    if (sent) this.pending.add(call);
    else this.failCall(call, ErrorCodes.serverUnavailable, this.unavailableMessage(), 'unavailable');
  }

  failCall(call: PendingCall, code: number, message: string, outcome: string): void {
    this.pending.finish(call, { jsonrpc: '2.0', error: { code, message } }, outcome);
  }

  /** The child is gone: every call it had is answered now, not left to time out. */
  failAll(info: ExitInfo): void {
    const why = this.stopping
      ? 'the bridge is shutting down'
      : `the MCP server process exited (${describeExit(info)}); the bridge is restarting it, try again`;
    for (const call of this.pending.all())
      this.failCall(call, ErrorCodes.serverUnavailable, `No answer: ${why}.`, 'child_exit');
  }

  unavailableMessage(): string {
    if (this.stopping) return 'The bridge is shutting down.';
    const exit = this.upstream.lastExit;
    return exit
      ? `The MCP server is not running (last exit: ${describeExit(exit)}); the bridge is restarting it, try again shortly.`
      : 'The MCP server is still starting; try again shortly.';
  }

  private timeOut(call: PendingCall): void {
    const seconds = Math.round(this.config.upstreamTimeoutMs / 1000);
    this.failCall(
      call,
      ErrorCodes.requestTimeout,
      `The MCP server did not answer within ${seconds} s.`,
      'timeout',
    );
    this.upstream.send({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: call.upstreamId, reason: 'timed out in the bridge' },
    });
  }
}
