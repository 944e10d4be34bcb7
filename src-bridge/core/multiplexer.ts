import type { ExitInfo } from '../child/child';
import { ChildRouter } from './child-router';
import { onClientNotification } from './client-notifications';
import type { BridgeMode } from '../ops/cli-args';
import { describeError } from '../errors';
import { Forwarder } from './forwarder';
import { InputRounds, type InputRoundsConfig } from './input-rounds';
import { ToolHeaderIndex } from '../wire/param-headers';
import { auditTarget, correlationId, withCorrelation } from '../ops/correlation';
import { StatelessFront } from './stateless-front';
import {
  errorResponse,
  ErrorCodes,
  isObject,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from '../wire/jsonrpc';
import type { InFlightFigures } from '../ops/health';
import type { Logger } from '../ops/log';
import { LogLevelControl } from './log-level-control';
import { isLogLevelName, LOG_LEVELS } from './log-levels';
import { accessRefusal, mayReceive, offeredCapabilities } from '../access/member-access';
import type { Member } from '../access/members';
import type { DefinitionPins, Quarantine } from '../access/definition-pins';
import type { Metrics } from '../ops/metrics';
import { PendingCalls } from './pending';
import { negotiateVersion } from '../wire/protocol-version';
import type { RequestSink } from '../wire/request-sink';
import { Session, type SessionLimits } from './session';
import type { SessionRegistry } from './sessions';
import type { Root } from './shared-roots';
import type { StatelessRegistry } from './stateless-registry';
import { Subscriptions } from './subscriptions';
import { TaskOwners } from './tasks';
import type { Upstream, UpstreamListener } from '../child/upstream';

export interface MultiplexerConfig {
  mode: BridgeMode;
  /** The longest a client request may wait for the child's answer. */
  upstreamTimeoutMs: number;
  /** How long a request waits for a restarting child before it gets an error. */
  readyWaitMs: number;
  /** Timeout of the bridge's own requests (subscribe, setLevel). */
  internalTimeoutMs: number;
  session: SessionLimits;
  input: Omit<InputRoundsConfig, 'upstreamTimeoutMs'>;
  /** Shared mode's answer to the server's roots/list (--root). */
  roots: readonly Root[];
  /** With --approved: the approved definitions, checked before the child sees a request. */
  pins: DefinitionPins | undefined;
}

export type OpenResult =
  { session: Session; response: JsonRpcResponse } | { status: number; response: JsonRpcResponse };

/** The audit outcome of a quarantine refusal: `unavailable` when the list to check it could not be had. */
function outcomeOf(quarantine: Quarantine): string {
  return quarantine.reason === 'unchecked' ? 'unavailable' : 'quarantined';
}

type Answer = (response: Omit<JsonRpcResponse, 'id'>, outcome: string, tool?: string) => void;

/**
 * Many client sessions over one stdio child: ids and progress tokens rewritten so answers find their
 * session, requests the bridge can answer answered here, member permissions enforced before the child.
 */
export class Multiplexer implements UpstreamListener {
  readonly pending: PendingCalls;
  readonly inputs: InputRounds;
  /** What the 2026-07-28 endpoint needs beyond handleRequest(). */
  readonly front: StatelessFront;
  private readonly subscriptions: Subscriptions;
  private readonly tasks = new TaskOwners();
  private readonly router: ChildRouter;
  private readonly forwarder: Forwarder;
  private readonly levels: LogLevelControl;

  constructor(
    private readonly upstream: Upstream,
    private readonly sessions: SessionRegistry,
    metrics: Metrics,
    private readonly log: Logger,
    private readonly config: MultiplexerConfig,
    readonly stateless: StatelessRegistry,
  ) {
    this.pending = new PendingCalls(log, metrics);
    this.subscriptions = new Subscriptions(upstream, config.internalTimeoutMs, log);
    this.forwarder = new Forwarder(upstream, this.pending, config);
    const front = (): StatelessFront => this.front;
    this.levels = new LogLevelControl(upstream, sessions, config.internalTimeoutMs, log, () =>
      front().requestedLevels(),
    );
    this.inputs = new InputRounds(upstream, this.pending, stateless, log, {
      ...config.input,
      upstreamTimeoutMs: config.upstreamTimeoutMs,
    });
    const { pending, subscriptions, tasks, inputs } = this;
    const toolHeaders = new ToolHeaderIndex(upstream, config.internalTimeoutMs, log);
    this.front = new StatelessFront({
      toolHeaders,
      upstream,
      pending,
      inputs,
      subscriptions,
      levels: this.levels,
      forwarder: this.forwarder,
      registry: stateless,
      log,
    });
    this.forwarder.startSweeping();
    this.router = new ChildRouter({
      upstream,
      sessions,
      pending,
      subscriptions,
      tasks,
      metrics,
      log,
      mode: config.mode,
      stateless,
      inputs,
      toolHeaders,
      roots: config.roots,
      pins: config.pins,
    });
  }

  /** What is registered for requests now: all zero when nothing is in flight (/status shows it). */
  inFlightFigures(): InFlightFigures {
    let sessions = 0;
    for (const session of this.sessions.values()) if (session.inflight.size > 0) sessions += 1;
    return {
      calls: this.pending.size,
      sessions,
      statelessCallers: this.stateless.callers.size,
      serverRequests: this.router.serverRequestsWaiting,
    };
  }

  onMessage(message: unknown): void {
    this.router.onMessage(message);
  }

  onExit(info: ExitInfo): void {
    this.forwarder.failAll(info);
    this.router.onChildExit();
  }

  onReady(generation: number): void {
    // With pinning, what the server offers is read and decided at once (logged for the app to pin).
    const survey = (): void => {
      const pins = this.config.pins;
      if (pins !== undefined) this.background(pins.survey(this.upstream.initResult?.capabilities ?? {}));
    };
    if (generation === 1) return survey();
    // A restarted server may offer different tools; clients re-list on these notices.
    this.config.pins?.forgetAll();
    survey();
    this.noticeListsChanged();
    this.subscriptions.renew();
    this.front.toolHeaders.forget();
    this.levels.reset();
    this.background(this.levels.apply());
  }

  /** Tells every session and listen stream that the lists of each kind the server offers them changed. */
  noticeListsChanged(): void {
    const caps = this.upstream.initResult?.capabilities ?? {};
    for (const kind of ['tools', 'prompts', 'resources'] as const) {
      if (caps[kind] === undefined) continue;
      const method = `notifications/${kind}/list_changed`;
      const notice = { jsonrpc: '2.0', method };
      for (const session of this.sessions.values())
        if (mayReceive(session.member, method, undefined)) session.deliver(notice);
      for (const listener of this.stateless.listeners)
        if (mayReceive(listener.member, method, undefined)) listener.deliver(notice);
    }
  }

  /** Answers a client's initialize from the child's cached result and creates its session. */
  async openSession(member: Member, request: JsonRpcRequest): Promise<OpenResult> {
    const started = performance.now();
    const refuse = (message: string): OpenResult => ({
      status: 503,
      response: errorResponse(request.id, ErrorCodes.serverUnavailable, message),
    });
    if (this.sessions.full) return refuse('Too many sessions on this bridge; close unused ones and retry.');
    const init = (await this.forwarder.ready()) ? this.upstream.initResult : undefined;
    if (!init) return refuse(this.forwarder.unavailableMessage());
    const params = request.params ?? {};
    const version = negotiateVersion(params.protocolVersion, init.protocolVersion);
    const capabilities = isObject(params.capabilities) ? params.capabilities : {};
    const clientInfo = isObject(params.clientInfo) ? params.clientInfo : {};
    const clientName = typeof clientInfo.name === 'string' ? clientInfo.name.slice(0, 100) : 'unknown';
    const session = new Session(member, version, capabilities, clientName, this.config.session);
    this.sessions.add(session);
    this.log.info('session_opened', {
      session: session.id,
      member: member.name,
      client: clientName,
      protocolVersion: version,
    });
    const cid = correlationId();
    this.pending.record(session, 'initialize', undefined, 'ok', started, cid);
    this.background(this.levels.apply());
    // A member allowed no tools, prompts or resources is not offered them.
    const offered = offeredCapabilities(init.capabilities, member);
    return {
      session,
      response: withCorrelation(
        {
          jsonrpc: '2.0',
          id: request.id,
          result: { ...init, capabilities: offered, protocolVersion: version },
        },
        cid,
      ),
    };
  }

  handleRequest(session: Session, request: JsonRpcRequest, sink: RequestSink): void {
    session.lastActive = Date.now();
    const started = performance.now();
    const params = request.params;
    const answer: Answer = (response, outcome, tool) => {
      const cid = correlationId();
      sink.final({ ...withCorrelation(response, cid), id: request.id });
      this.pending.record(session, request.method, tool, outcome, started, cid);
    };
    const fail = (code: number, message: string, outcome: string, tool?: string): void =>
      answer({ jsonrpc: '2.0', error: { code, message } }, outcome, tool);
    // What the audit line names: the tool, or the prompt or uri (prompts/get, resources/read).
    const tool = auditTarget(request.method, params);

    // What the member may not use never reaches the child: tools, prompts, resources, completions.
    const refusal = accessRefusal(session.member, request.method, params);
    if (refusal !== undefined) {
      fail(ErrorCodes.forbidden, refusal, 'denied', tool);
      return;
    }
    // With --approved, nor does a tool, prompt or template whose definition is not approved. Only
    // tools/call, prompts/get and completion/complete are checked, none of which the switch below
    // answers, so once checked they go on to the child.
    const pinned = this.config.pins?.check(request.method, params);
    if (pinned instanceof Promise) {
      this.background(
        pinned.then((quarantine) => {
          if (quarantine !== undefined)
            answer({ jsonrpc: '2.0', error: quarantine.error }, outcomeOf(quarantine), tool);
          else if (this.gone(session, sink))
            this.pending.record(session, request.method, tool, 'cancelled', started);
          else this.forwarder.forward(session, request, sink, started, tool);
        }),
      );
      return;
    }
    if (pinned !== undefined) {
      answer({ jsonrpc: '2.0', error: pinned.error }, outcomeOf(pinned), tool);
      return;
    }

    switch (request.method) {
      case 'ping':
        // Answered here, but only while the child is up, so a ping through the bridge still means "usable".
        if (this.upstream.ready) answer({ jsonrpc: '2.0', result: {} }, 'ok');
        else fail(ErrorCodes.serverUnavailable, this.forwarder.unavailableMessage(), 'unavailable');
        return;
      case 'initialize':
        fail(
          ErrorCodes.invalidRequest,
          'This session is already initialized; start a new one without Mcp-Session-Id.',
          'error',
        );
        return;
      case 'logging/setLevel':
        if (!this.levels.supported) break;
        if (!isLogLevelName(params?.level)) {
          fail(ErrorCodes.invalidParams, `level must be one of ${LOG_LEVELS.join(', ')}`, 'error');
          return;
        }
        session.logLevel = params.level;
        this.background(this.levels.apply().then(() => answer({ jsonrpc: '2.0', result: {} }, 'ok')));
        return;
      case 'resources/subscribe':
      case 'resources/unsubscribe':
        this.background(
          this.subscriptions
            .answer(session, request.method, params?.uri, this.forwarder)
            .then(([response, outcome]) => answer(response, outcome)),
        );
        return;
      case 'tasks/get':
      case 'tasks/result':
      case 'tasks/cancel':
        if (!this.tasks.owns(session, params)) {
          fail(ErrorCodes.invalidParams, 'No such task in this session.', 'error');
          return;
        }
        break;
    }
    this.forwarder.forward(session, request, sink, started, tool);
  }

  handleNotification(session: Session, notification: JsonRpcNotification): void {
    session.lastActive = Date.now();
    const { upstream, pending, log, config } = this;
    onClientNotification({ mode: config.mode, upstream, pending, log }, session, notification);
  }

  handleResponse(session: Session, response: JsonRpcResponse): void {
    session.lastActive = Date.now();
    this.router.onClientResponse(session, response);
  }

  /** Ends a session: its calls are cancelled upstream, its server requests refused, its subscriptions dropped. */
  closeSession(session: Session, reason: string): void {
    if (session.closed) return;
    session.close();
    this.sessions.delete(session);
    for (const call of [...session.inflight.values()]) {
      this.pending.remove(call);
      this.pending.record(session, call.method, call.tool, 'cancelled', call.startedAt);
      this.upstream.send({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: call.upstreamId, reason: 'client session ended' },
      });
    }
    this.router.dropSession(session);
    this.subscriptions.dropSession(session);
    this.tasks.dropSession(session);
    this.background(this.levels.apply());
    this.log.info('session_closed', { session: session.id, member: session.member.name, reason });
  }

  /** From here on, calls still pending are answered "shutting down" rather than "restarting". */
  beginShutdown(): void {
    this.forwarder.stopping = true;
    this.forwarder.stopSweeping();
  }

  /** Whether the client left while its request waited: its session ended, or its connection closed. */
  private gone(session: Session, sink: RequestSink): boolean {
    return (
      session.closed || sink.done || (session.stateless !== undefined && !this.stateless.callers.has(session))
    );
  }

  /** Work that finishes after the handler returns; a bug in it is logged, never an unhandled rejection. */
  private background(work: Promise<void>): void {
    work.catch((err: unknown) => this.log.error('internal_error', { error: describeError(err) }));
  }
}
