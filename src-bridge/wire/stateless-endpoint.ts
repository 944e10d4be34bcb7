import type { ServerResponse } from 'node:http';
import { sendJson } from '../front-door/http-util';
import { auditTarget, correlationId, withCorrelation } from '../ops/correlation';
import { errorResponse, ErrorCodes, isObject, type JsonRpcRequest } from './jsonrpc';
import { honouredFilter, ListenSession, parseFilter } from './listen-stream';
import { kindOfMethod, offeredCapabilities } from '../access/member-access';
import type { Member } from '../access/members';
import { StatelessErrorCodes, type Envelope } from './stateless-envelope';
import { discoverResult } from './stateless-results';
import { StatelessSink } from './stateless-sink';
import type { Multiplexer } from '../core/multiplexer';
import { paramHeaderProblem } from './param-headers';
import type { Accepts } from './request-sink';
import { inputResponsesProblem } from '../core/request-state';
import { Session, type SessionLimits } from '../core/session';

export interface StatelessDeps {
  mux: Multiplexer;
  sessionLimits: SessionLimits;
}

/** Methods the 2026-07-28 revision removed (or that the bridge serves only inside 2025-era sessions). */
const REMOVED = new Set([
  'initialize',
  'ping',
  'logging/setLevel',
  'resources/subscribe',
  'resources/unsubscribe',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
]);

/** Requests that may be answered with input_required, and so may carry inputResponses and requestState. */
const INPUT_METHODS = new Set(['tools/call', 'prompts/get', 'resources/read']);

/**
 * One request of a 2026-07-28 client: no session is created or read. The bridge models the exchange
 * as a session of one request, so member filtering, id rewriting, progress and the audit line are
 * the same code as for sessions; what differs is answered here (discovery, removed methods,
 * subscriptions/listen, the input_required retry).
 */
export async function handleStateless(
  res: ServerResponse,
  header: (name: string) => string | undefined,
  accepts: Accepts,
  member: Member,
  request: JsonRpcRequest,
  envelope: Envelope,
  deps: StatelessDeps,
): Promise<void> {
  const { mux } = deps;
  const started = performance.now();
  const params = request.params ?? {};
  const exchange = new Session(
    member,
    envelope.protocolVersion,
    envelope.clientCapabilities,
    envelope.clientName ?? 'unknown',
    deps.sessionLimits,
  );
  exchange.stateless = {
    logLevel: envelope.logLevel,
    name:
      typeof params.name === 'string' ? params.name : typeof params.uri === 'string' ? params.uri : undefined,
    presupplied: undefined,
    waiting: false,
  };
  const record = (outcome: string, cid?: string): void =>
    mux.pending.record(exchange, request.method, auditTarget(request.method, params), outcome, started, cid);
  const answer = (status: number, body: object, outcome: string): void => {
    const cid = correlationId();
    sendJson(res, status, withCorrelation(body, cid));
    record(outcome, cid);
  };
  const refuse = (status: number, code: number, message: string, outcome: string): void =>
    answer(status, errorResponse(request.id, code, message), outcome);

  // A kind the member is allowed nothing of is not offered (server/discover), so its methods are not
  // found; counted as a refusal of access, like a tool call the member may not make.
  const kind = kindOfMethod(request.method);
  const hidden = kind !== undefined && !member[kind].any;
  if (REMOVED.has(request.method) || hidden) {
    refuse(
      404,
      ErrorCodes.methodNotFound,
      `Method not found: ${request.method.slice(0, 100)} is not served to 2026-07-28 requests.`,
      hidden ? 'denied' : 'error',
    );
    return;
  }
  if (request.method === 'server/discover') {
    const init = await mux.front.initResult();
    if (!init)
      return refuse(503, ErrorCodes.serverUnavailable, mux.front.unavailableMessage(), 'unavailable');
    const capabilities = offeredCapabilities(init.capabilities, member);
    answer(200, { jsonrpc: '2.0', id: request.id, result: discoverResult(init, capabilities) }, 'ok');
    return;
  }
  if (request.method === 'subscriptions/listen') return listen(res, member, request, envelope, deps, record);

  const problem = inputResponsesProblem(params.inputResponses);
  const state = params.requestState;
  if (problem !== undefined || (state !== undefined && typeof state !== 'string')) {
    answer(
      200,
      errorResponse(request.id, ErrorCodes.invalidParams, problem ?? 'requestState must be a string.'),
      'denied',
    );
    return;
  }
  const carriesInput = state !== undefined || params.inputResponses !== undefined;
  if (carriesInput && !INPUT_METHODS.has(request.method)) {
    answer(
      200,
      errorResponse(
        request.id,
        ErrorCodes.invalidParams,
        `${request.method} takes no inputResponses or requestState.`,
      ),
      'denied',
    );
    return;
  }
  const sink = new StatelessSink(res, accepts, request.method, params.uri, () => mux.front.upstreamInit());
  const meta = isObject(params._meta) ? params._meta : undefined;
  const token = meta?.progressToken;
  if (state !== undefined) {
    const resumed = mux.front.inputs.resume(member, request, sink, {
      capabilities: envelope.clientCapabilities,
      logLevel: envelope.logLevel,
      progressToken: typeof token === 'string' || typeof token === 'number' ? token : undefined,
    });
    if (resumed.answered) record(resumed.outcome, resumed.cid);
    else follow(res, sink, resumed.session, mux);
    return;
  }

  if (request.method === 'tools/call' && typeof params.name === 'string') {
    // SEP-2243: arguments a tool mirrors into Mcp-Param-* headers must agree with those headers.
    const declarations =
      mux.front.toolHeaders.known(params.name) ?? (await mux.front.toolHeaders.declarations(params.name));
    const mismatch = paramHeaderProblem(declarations, params.arguments, header);
    if (mismatch !== undefined) {
      const error = { code: StatelessErrorCodes.headerMismatch, message: `Bad Request: ${mismatch}.` };
      answer(400, { jsonrpc: '2.0', id: request.id, error }, 'denied');
      return;
    }
  }
  const { inputResponses, requestState: _state, ...forwarded } = params;
  if (isObject(inputResponses)) exchange.stateless.presupplied = new Map(Object.entries(inputResponses));
  mux.front.registry.callers.add(exchange);
  follow(res, sink, exchange, mux);
  if (envelope.logLevel !== undefined) {
    await mux.front.applyLevels();
    if (res.destroyed) return mux.front.endExchange(exchange);
  }
  mux.handleRequest(exchange, { ...request, params: forwarded }, sink);
}

/** Ties an exchange to its HTTP response: the answer ends it, a closed connection cancels it. */
function follow(res: ServerResponse, sink: StatelessSink, exchange: Session, mux: Multiplexer): void {
  sink.onDone = () => mux.front.exchangeDone(exchange);
  res.once('close', () => {
    if (!sink.done) mux.front.endExchange(exchange);
  });
}

/** subscriptions/listen: an SSE stream of the notifications the client opted in to. */
async function listen(
  res: ServerResponse,
  member: Member,
  request: JsonRpcRequest,
  envelope: Envelope,
  deps: StatelessDeps,
  record: (outcome: string) => void,
): Promise<void> {
  const { mux } = deps;
  const fail = (status: number, code: number, message: string, outcome: string): void => {
    sendJson(res, status, errorResponse(request.id, code, message));
    record(outcome);
  };
  const wanted = parseFilter(request.params?.notifications);
  if (!wanted)
    return fail(
      200,
      ErrorCodes.invalidParams,
      'notifications must be a SubscriptionFilter object.',
      'denied',
    );
  if (mux.front.registry.full)
    return fail(
      503,
      ErrorCodes.serverUnavailable,
      'Too many open subscriptions on this bridge; close unused ones.',
      'unavailable',
    );
  const init = await mux.front.initResult();
  if (!init) return fail(503, ErrorCodes.serverUnavailable, mux.front.unavailableMessage(), 'unavailable');
  if (res.destroyed) return;
  // What the member is not offered cannot be listened to: list changes of a kind it is allowed nothing
  // of, and resources it may not read (left out of the acknowledgement, never subscribed upstream).
  const filter = honouredFilter(wanted, offeredCapabilities(init.capabilities, member));
  if (filter.resourceSubscriptions) {
    const readable = filter.resourceSubscriptions.filter((uri) => member.resources.allows(uri));
    if (readable.length > 0) filter.resourceSubscriptions = readable;
    else delete filter.resourceSubscriptions;
  }
  const listener = new ListenSession(
    member,
    envelope.clientCapabilities,
    envelope.clientName ?? 'unknown',
    deps.sessionLimits,
    request.id,
    filter,
  );
  if (filter.resourceSubscriptions) {
    const accepted = await mux.front.subscribeListener(listener, filter.resourceSubscriptions);
    if (accepted.length > 0) filter.resourceSubscriptions = accepted;
    else delete filter.resourceSubscriptions;
  }
  if (res.destroyed) {
    mux.front.closeListener(listener, false);
    return;
  }
  mux.front.registry.listeners.add(listener);
  res.once('close', () => mux.front.closeListener(listener, false));
  listener.open(res);
  record('ok');
}
