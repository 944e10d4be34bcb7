import { attribute, type Attribution } from './attribution';
import type { BridgeMode } from './cli-args';
import { filterTools, missingCapability } from './client-capabilities';
import {
  classify,
  errorResponse,
  ErrorCodes,
  idKey,
  isObject,
  resultResponse,
  type JsonObject,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from './jsonrpc';
import type { InputRounds } from './input-rounds';
import type { Logger } from './log';
import type { ToolHeaderIndex } from './param-headers';
import { wantsLevel } from './log-levels';
import type { Metrics } from './metrics';
import type { PendingCalls } from './pending';
import type { Session } from './session';
import type { SessionRegistry } from './sessions';
import type { StatelessRegistry } from './stateless-registry';
import type { Subscriptions } from './subscriptions';
import type { TaskOwners } from './tasks';
import type { Upstream } from './upstream';

export interface RouterDeps {
  upstream: Upstream;
  sessions: SessionRegistry;
  pending: PendingCalls;
  subscriptions: Subscriptions;
  tasks: TaskOwners;
  metrics: Metrics;
  log: Logger;
  mode: BridgeMode;
  stateless: StatelessRegistry;
  inputs: InputRounds;
  toolHeaders: ToolHeaderIndex;
}

type Target = Attribution;

/** Routes what the child sends to the one session it belongs to, and never to any other. */
export class ChildRouter {
  private nextDownstreamId = 0;
  /** Server requests awaiting a client's answer, by the id the child gave them. */
  private readonly byUpstream = new Map<string, { session: Session; downstreamId: number }>();
  /** URL-mode elicitations, so their completion notice reaches the session that was asked. */
  private readonly elicitations = new Map<string, Session>();

  constructor(private readonly d: RouterDeps) {}

  onMessage(raw: unknown): void {
    const classified = classify(raw);
    switch (classified.kind) {
      case 'response':
        this.onResponse(classified.message);
        return;
      case 'request':
        this.onServerRequest(classified.message);
        return;
      case 'notification':
        this.onNotification(classified.message);
        return;
      case 'invalid':
        this.d.log.warn('child_message_invalid', { reason: classified.reason });
        return;
    }
  }

  private onResponse(message: JsonRpcResponse): void {
    const call = this.d.pending.get(message.id);
    if (!call) {
      this.d.log.debug('child_response_unmatched', {});
      return;
    }
    if (message.error) {
      this.d.pending.finish(call, { jsonrpc: '2.0', error: message.error }, 'error');
      return;
    }
    let result = message.result;
    if (call.method === 'tools/list') this.d.toolHeaders.learn(result);
    if (call.method === 'tools/list' && !call.session.member.allTools)
      result = filterTools(result, call.session.member);
    else if (call.method === 'tasks/list') result = this.d.tasks.filterList(call.session, result);
    else this.d.tasks.recordResult(call.session, result);
    const outcome = isObject(result) && result.isError === true ? 'tool_error' : 'ok';
    this.d.pending.finish(call, { jsonrpc: '2.0', result }, outcome);
  }

  private onNotification(message: JsonRpcNotification): void {
    const params = message.params;
    switch (message.method) {
      case 'notifications/progress': {
        const call = this.d.pending.get(params?.progressToken);
        if (call?.progressToken !== undefined) {
          call.sink.related({ ...message, params: { ...params, progressToken: call.progressToken } });
        }
        return;
      }
      case 'notifications/cancelled': {
        this.d.inputs.onChildCancelled(params?.requestId);
        const key = isRequestId(params?.requestId) ? idKey(params.requestId) : '';
        const entry = this.byUpstream.get(key);
        if (!entry) return;
        this.byUpstream.delete(key);
        entry.session.serverRequests.delete(entry.downstreamId);
        entry.session.deliver({ ...message, params: { ...params, requestId: entry.downstreamId } });
        return;
      }
      case 'notifications/tools/list_changed':
        this.d.toolHeaders.forget();
        this.broadcast(message);
        return;
      case 'notifications/prompts/list_changed':
      case 'notifications/resources/list_changed':
        this.broadcast(message);
        return;
      case 'notifications/resources/updated':
        for (const session of this.d.subscriptions.subscribers(String(params?.uri))) session.deliver(message);
        return;
      case 'notifications/message': {
        for (const session of this.d.sessions.values())
          if (wantsLevel(session.logLevel, params?.level)) session.deliver(message);
        // A stateless request gets logs only when it asked for a level, and only when it is the one
        // request in flight: a log line names no request, and it may carry another member's data.
        const target = attribute([this.d.sessions.values(), this.d.stateless.callers]);
        const level = target.session?.stateless?.logLevel;
        if (target.session && target.call && level !== undefined && wantsLevel(level, params?.level))
          target.call.sink.related(message);
        return;
      }
      case 'notifications/tasks/status':
        this.d.tasks.owner(params?.taskId)?.deliver(message);
        return;
      case 'notifications/elicitation/complete': {
        const id = String(params?.elicitationId);
        this.elicitations.get(id)?.deliver(message);
        this.elicitations.delete(id);
        return;
      }
      default:
        // One member's sessions may share anything; in shared mode an unknown notice could leak
        // one member's data to another, so it is dropped.
        if (this.d.mode === 'dedicated') this.broadcast(message);
        else this.d.log.debug('child_notification_dropped', { method: message.method });
    }
  }

  private broadcast(message: object): void {
    for (const session of this.d.sessions.values()) session.deliver(message);
    for (const listener of this.d.stateless.listeners) listener.deliver(message);
  }

  /**
   * A request from the server (sampling, elicitation, roots). Over stdio the server cannot say which
   * client caused it, so it goes to the session owning its related task if it names one, else to the
   * session that has every client request now in flight; when that is not one session, the server gets
   * an error: guessing could show one member's prompt to another.
   */
  private onServerRequest(request: JsonRpcRequest): void {
    if (request.method === 'ping') {
      this.d.upstream.send(resultResponse(request.id, {}));
      return;
    }
    const target = this.pickSession(request.params);
    if (!target.session) {
      this.refuse(request, ErrorCodes.internalError, target.reason);
      return;
    }
    const { session } = target;
    if (session.stateless && target.call) {
      this.d.inputs.onServerRequest(session, target.call, request);
      this.d.log.info('server_request_routed', {
        method: request.method,
        session: session.id,
        member: session.member.name,
      });
      return;
    }
    const missing = missingCapability(session.clientCapabilities, request);
    if (missing) {
      this.refuse(request, ErrorCodes.methodNotFound, `the client session does not support ${missing}`);
      return;
    }
    const downstreamId = ++this.nextDownstreamId;
    session.serverRequests.set(downstreamId, {
      upstreamId: request.id,
      generation: this.d.upstream.generation,
      method: request.method,
    });
    this.byUpstream.set(idKey(request.id), { session, downstreamId });
    if (request.method === 'elicitation/create' && typeof request.params?.elicitationId === 'string') {
      this.elicitations.set(request.params.elicitationId, session);
    }
    const out = { ...request, id: downstreamId };
    if (target.call) target.call.sink.related(out);
    else session.deliver(out);
    this.d.log.info('server_request_routed', {
      method: request.method,
      session: session.id,
      member: session.member.name,
    });
  }

  private pickSession(params: JsonObject | undefined): Target {
    const owner = this.d.tasks.relatedOwner(params);
    if (owner && !owner.closed) return { session: owner, call: undefined };
    return attribute([this.d.sessions.values(), this.d.stateless.callers]);
  }

  private refuse(request: JsonRpcRequest, code: number, reason: string): void {
    this.d.metrics.serverRequestsRefused += 1;
    this.d.log.warn('server_request_refused', { method: request.method, reason });
    this.d.upstream.send(
      errorResponse(request.id, code, `mcp-fleet-bridge refused ${request.method}: ${reason}`),
    );
  }

  /** A client's answer to a server request: back to the child under the child's id. */
  onClientResponse(session: Session, response: JsonRpcResponse): void {
    const entry = typeof response.id === 'number' ? session.serverRequests.get(response.id) : undefined;
    if (!entry || typeof response.id !== 'number') {
      this.d.log.debug('client_response_unmatched', { session: session.id });
      return;
    }
    session.serverRequests.delete(response.id);
    this.byUpstream.delete(idKey(entry.upstreamId));
    if (entry.generation !== this.d.upstream.generation) return;
    this.d.upstream.send({ ...response, id: entry.upstreamId });
  }

  /** The child that asked is gone: tell each session its server request is cancelled. */
  onChildExit(): void {
    for (const { session, downstreamId } of this.byUpstream.values()) {
      session.serverRequests.delete(downstreamId);
      session.deliver({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: downstreamId, reason: 'the MCP server restarted' },
      });
    }
    this.byUpstream.clear();
    this.elicitations.clear();
  }

  /** The session ended with server requests unanswered: the child gets an error for each. */
  dropSession(session: Session): void {
    for (const entry of session.serverRequests.values()) {
      this.byUpstream.delete(idKey(entry.upstreamId));
      if (entry.generation === this.d.upstream.generation) {
        this.d.upstream.send(
          errorResponse(entry.upstreamId, ErrorCodes.internalError, 'the client session ended'),
        );
      }
    }
    session.serverRequests.clear();
    for (const [id, owner] of this.elicitations) if (owner === session) this.elicitations.delete(id);
  }
}

function isRequestId(value: unknown): value is string | number {
  return typeof value === 'string' || typeof value === 'number';
}
