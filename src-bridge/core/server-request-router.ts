import { attribute, type Attribution } from './attribution';
import { missingCapability } from '../access/client-capabilities';
import {
  errorResponse,
  ErrorCodes,
  idKey,
  resultResponse,
  type JsonObject,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from '../wire/jsonrpc';
import type { RouterDeps } from './child-router';
import type { Session } from './session';

/**
 * The child's requests to clients (sampling, elicitation, roots/list) and their answers: each goes to
 * one session (or stateless request) or is refused, and the answer goes back under the child's id.
 */
export class ServerRequestRouter {
  private nextDownstreamId = 0;
  /** Server requests awaiting a client's answer, by the id the child gave them. */
  private readonly byUpstream = new Map<string, { session: Session; downstreamId: number }>();
  /** URL-mode elicitations, so their completion notice reaches the session that was asked. */
  private readonly elicitations = new Map<string, Session>();

  constructor(private readonly d: RouterDeps) {}

  /** Server requests sent to sessions and not answered yet. */
  get waiting(): number {
    return this.byUpstream.size;
  }

  /** The child withdrew a request it sent a session: the session is told, under its own id. */
  onChildCancelled(message: JsonRpcNotification): void {
    const params = message.params;
    const key = isRequestId(params?.requestId) ? idKey(params.requestId) : '';
    const entry = this.byUpstream.get(key);
    if (!entry) return;
    this.byUpstream.delete(key);
    entry.session.serverRequests.delete(entry.downstreamId);
    entry.session.deliver({ ...message, params: { ...params, requestId: entry.downstreamId } });
  }

  /** A URL-mode elicitation finished: only the session that was asked hears of it. */
  onElicitationComplete(message: JsonRpcNotification): void {
    const id = String(message.params?.elicitationId);
    this.elicitations.get(id)?.deliver(message);
    this.elicitations.delete(id);
  }

  /**
   * A request from the server (sampling, elicitation, roots). Over stdio the server cannot say which
   * client caused it, so it goes to the session owning its related task if it names one, else to the
   * session that has every client request now in flight; when that is not one session, the server gets
   * an error: guessing could show one member's prompt to another.
   */
  onServerRequest(request: JsonRpcRequest): void {
    if (request.method === 'ping') {
      this.d.upstream.send(resultResponse(request.id, {}));
      return;
    }
    if (request.method === 'roots/list' && this.d.mode === 'shared') {
      // One member's workspace must not become every member's: a shared server sees the operator's roots.
      this.d.upstream.send(resultResponse(request.id, { roots: this.d.roots }));
      this.d.log.info('server_request_answered', { method: request.method, roots: this.d.roots.length });
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

  private pickSession(params: JsonObject | undefined): Attribution {
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
