import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerValue, isJsonContentType, parseAccept, readBody, sendJson, sendRpcError } from './http-util';
import { classify, ErrorCodes, type Classified, type JsonRpcId, type JsonRpcRequest } from './jsonrpc';
import type { Member } from './members';
import { classifyEra, type Envelope, type ProtocolHeaders } from './modern-envelope';
import type { Multiplexer } from './multiplexer';
import { isSupportedVersion, SUPPORTED_VERSIONS } from './protocol-version';
import { RequestSink } from './request-sink';
import type { Session, SessionLimits } from './session';
import type { SessionRegistry } from './sessions';
import { handleStateless } from './stateless-endpoint';

export interface McpEndpointDeps {
  mux: Multiplexer;
  sessions: SessionRegistry;
  maxBodyBytes: number;
  sessionLimits: SessionLimits;
}

type Valid = Exclude<Classified, { kind: 'invalid' }>;

/** What to do with one POSTed message; the single place that tells the kinds of client traffic apart. */
export type PostRoute =
  | { kind: 'initialize'; request: JsonRpcRequest }
  | { kind: 'session'; sessionId: string; message: Valid }
  | { kind: 'stateless'; request: JsonRpcRequest; envelope: Envelope }
  | { kind: 'stateless-notification' }
  | { kind: 'reject'; status: number; code: number; message: string; id?: JsonRpcId | null; data?: unknown };

/**
 * Sorts a POSTed message into initialize, in-session, stateless (2026-07-28), or refused. The era is
 * read from the body first: a request whose `_meta` names a protocol version is stateless and never
 * touches a session; initialize and anything without that claim is the 2025-era session traffic it
 * always was. A claim that is malformed or disagrees with the headers is refused before either.
 */
export function routePost(
  sessionId: string | undefined,
  classified: Classified,
  headers: ProtocolHeaders = { version: undefined, method: undefined, name: undefined },
): PostRoute {
  if (classified.kind === 'invalid')
    return {
      kind: 'reject',
      status: 400,
      code: ErrorCodes.invalidRequest,
      message: `Invalid JSON-RPC message: ${classified.reason}.`,
    };
  if (classified.kind !== 'response') {
    const era = classifyEra(classified, headers);
    if (era.kind === 'reject') return era;
    if (era.kind === 'modern-request')
      return { kind: 'stateless', request: era.request, envelope: era.envelope };
    if (era.kind === 'modern-notification') return { kind: 'stateless-notification' };
  }
  if (headers.version !== undefined && !isSupportedVersion(headers.version)) {
    return {
      kind: 'reject',
      status: 400,
      code: ErrorCodes.invalidRequest,
      message: `Unsupported MCP-Protocol-Version; this bridge speaks ${SUPPORTED_VERSIONS.join(', ')} in sessions, and 2026-07-28 without.`,
    };
  }
  if (classified.kind === 'request' && classified.message.method === 'initialize') {
    if (sessionId !== undefined) {
      return {
        kind: 'reject',
        status: 400,
        code: ErrorCodes.invalidRequest,
        message: 'initialize must be sent without an Mcp-Session-Id header.',
      };
    }
    return { kind: 'initialize', request: classified.message };
  }
  if (sessionId === undefined) {
    return {
      kind: 'reject',
      status: 400,
      code: ErrorCodes.invalidRequest,
      message: 'Missing Mcp-Session-Id header; send initialize first.',
    };
  }
  return { kind: 'session', sessionId, message: classified };
}

const SESSION_NOT_FOUND = 'Session not found: it ended or never existed. Start a new one with initialize.';

/** The MCP endpoint (POST, GET, DELETE on /mcp) for an already authenticated member. */
export async function handleMcp(
  req: IncomingMessage,
  res: ServerResponse,
  member: Member,
  deps: McpEndpointDeps,
): Promise<void> {
  const sessionId = headerValue(req, 'mcp-session-id');
  if (req.method === 'POST') return handlePost(req, res, member, sessionId, deps);
  // Without a session there is no stream to open or end: a 2026-07-28 client has neither.
  if ((req.method === 'GET' || req.method === 'DELETE') && sessionId === undefined) {
    res.writeHead(405, { allow: 'POST', 'content-length': '0' });
    res.end();
    return;
  }
  const version = headerValue(req, 'mcp-protocol-version');
  if (version !== undefined && !isSupportedVersion(version)) {
    sendRpcError(
      res,
      400,
      ErrorCodes.invalidRequest,
      `Unsupported MCP-Protocol-Version; this bridge speaks ${SUPPORTED_VERSIONS.join(', ')} in sessions.`,
    );
    return;
  }
  switch (req.method) {
    case 'GET': {
      if (!parseAccept(headerValue(req, 'accept')).sse) {
        sendRpcError(
          res,
          406,
          ErrorCodes.invalidRequest,
          'GET opens an event stream: Accept must include text/event-stream.',
        );
        return;
      }
      const session = findSession(res, member, sessionId, deps.sessions);
      session?.attachGet(res, headerValue(req, 'last-event-id'));
      return;
    }
    case 'DELETE': {
      const session = findSession(res, member, sessionId, deps.sessions);
      if (!session) return;
      deps.mux.closeSession(session, 'client_deleted');
      res.writeHead(200, { 'content-length': '0' });
      res.end();
      return;
    }
    default:
      res.writeHead(405, { allow: 'GET, POST, DELETE', 'content-length': '0' });
      res.end();
  }
}

/** The member's own live session; anything else (unknown, ended, another member's) is answered 404. */
function findSession(
  res: ServerResponse,
  member: Member,
  sessionId: string | undefined,
  sessions: SessionRegistry,
): Session | undefined {
  if (sessionId === undefined) {
    sendRpcError(res, 400, ErrorCodes.invalidRequest, 'Missing Mcp-Session-Id header.');
    return undefined;
  }
  const session = sessions.get(sessionId);
  // Another member's session looks exactly like one that does not exist: its id reveals nothing.
  if (!session || session.closed || session.member !== member) {
    sendRpcError(res, 404, ErrorCodes.invalidRequest, SESSION_NOT_FOUND);
    return undefined;
  }
  return session;
}

async function handlePost(
  req: IncomingMessage,
  res: ServerResponse,
  member: Member,
  sessionId: string | undefined,
  deps: McpEndpointDeps,
): Promise<void> {
  if (!isJsonContentType(headerValue(req, 'content-type'))) {
    sendRpcError(res, 415, ErrorCodes.invalidRequest, 'Content-Type must be application/json.');
    return;
  }
  const accepts = parseAccept(headerValue(req, 'accept'));
  if (!accepts.json && !accepts.sse) {
    sendRpcError(
      res,
      406,
      ErrorCodes.invalidRequest,
      'Accept must include application/json and text/event-stream.',
    );
    return;
  }
  const body = await readBody(req, deps.maxBodyBytes);
  if (!body.ok) {
    if (body.status === 413) {
      sendRpcError(
        res,
        413,
        ErrorCodes.invalidRequest,
        `Request body larger than ${deps.maxBodyBytes} bytes.`,
        { connection: 'close' },
      );
    } else if (!res.destroyed) res.destroy();
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(body.text);
  } catch {
    sendRpcError(res, 400, ErrorCodes.parseError, 'The body is not valid JSON.');
    return;
  }
  if (Array.isArray(value)) {
    sendRpcError(
      res,
      400,
      ErrorCodes.invalidRequest,
      'JSON-RPC batches are not accepted (MCP 2025-11-25 removed them): send one message per POST.',
    );
    return;
  }
  const route = routePost(sessionId, classify(value), {
    version: headerValue(req, 'mcp-protocol-version'),
    method: headerValue(req, 'mcp-method'),
    name: headerValue(req, 'mcp-name'),
  });
  switch (route.kind) {
    case 'reject': {
      const error = {
        code: route.code,
        message: route.message,
        ...(route.data === undefined ? {} : { data: route.data }),
      };
      sendJson(res, route.status, { jsonrpc: '2.0', id: route.id ?? null, error });
      return;
    }
    case 'stateless':
      return handleStateless(
        res,
        (name) => headerValue(req, name),
        accepts,
        member,
        route.request,
        route.envelope,
        deps,
      );
    case 'stateless-notification':
      // Notifications of the stateless revision carry nothing the bridge acts on over HTTP
      // (a request is cancelled by closing its connection): accepted and dropped.
      res.writeHead(202, { 'content-length': '0' });
      res.end();
      return;
    case 'initialize': {
      const opened = await deps.mux.openSession(member, route.request);
      if ('status' in opened) {
        sendRpcError(
          res,
          opened.status,
          ErrorCodes.serverUnavailable,
          opened.response.error?.message ?? 'unavailable',
          { 'retry-after': '2' },
        );
        return;
      }
      res.setHeader('mcp-session-id', opened.session.id);
      new RequestSink(res, accepts, () => opened.session.openRequestStream()).final(opened.response);
      return;
    }
    case 'session': {
      const session = findSession(res, member, route.sessionId, deps.sessions);
      if (!session) return;
      const message = route.message;
      if (message.kind === 'request') {
        deps.mux.handleRequest(
          session,
          message.message,
          new RequestSink(res, accepts, () => session.openRequestStream()),
        );
        return;
      }
      if (message.kind === 'notification') deps.mux.handleNotification(session, message.message);
      else deps.mux.handleResponse(session, message.message);
      res.writeHead(202, { 'content-length': '0' });
      res.end();
    }
  }
}
