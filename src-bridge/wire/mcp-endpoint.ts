import type { IncomingMessage, ServerResponse } from 'node:http';
import { SMALL_MESSAGE_CHARS, type FairShare } from '../access/fair-share';
import {
  headerValue,
  isJsonContentType,
  parseAccept,
  readBody,
  sendJson,
  sendRpcError,
} from '../front-door/http-util';
import { classify, errorResponse, ErrorCodes, type JsonRpcId } from './jsonrpc';
import type { Member } from '../access/members';
import type { Multiplexer } from '../core/multiplexer';
import { parseMessage } from './post-message';
import { routePost } from './post-route';
import { isSupportedVersion, SUPPORTED_VERSIONS } from './protocol-version';
import { RequestSink } from './request-sink';
import type { Session, SessionLimits } from '../core/session';
import type { SessionRegistry } from '../core/sessions';
import { handleStateless } from './stateless-endpoint';

export interface McpEndpointDeps {
  mux: Multiplexer;
  sessions: SessionRegistry;
  maxBodyBytes: number;
  /** Deeper messages are refused before anything is registered for them (post-message.ts). */
  maxJsonDepth: number;
  sessionLimits: SessionLimits;
  fair: FairShare;
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
  id: JsonRpcId | null = null,
): Session | undefined {
  if (sessionId === undefined) {
    sendJson(res, 400, errorResponse(id, ErrorCodes.invalidRequest, 'Missing Mcp-Session-Id header.'));
    return undefined;
  }
  const session = sessions.get(sessionId);
  // Another member's session looks exactly like one that does not exist: its id reveals nothing.
  if (!session || session.closed || session.member !== member) {
    sendJson(res, 404, errorResponse(id, ErrorCodes.invalidRequest, SESSION_NOT_FOUND));
    return undefined;
  }
  return session;
}

/**
 * Whether the lane check applies before the body: a session's message larger than a cancellation
 * could be (SMALL_MESSAGE_CHARS; what is smaller is checked once parsed), or a 2026-07-28 request
 * other than subscriptions/listen (which holds a session slot, not a lane). Never initialize.
 */
function refusesBeforeBody(req: IncomingMessage, sessionId: string | undefined): boolean {
  if (sessionId !== undefined) {
    const length = Number(headerValue(req, 'content-length'));
    return !Number.isFinite(length) || length > SMALL_MESSAGE_CHARS;
  }
  const method = headerValue(req, 'mcp-method');
  if (method === undefined || method.startsWith('notifications/')) return false;
  return method !== 'initialize' && method !== 'subscriptions/listen';
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
  const { fair } = deps;
  // A message that would be refused for a full lane once parsed is refused before its body is read:
  // a flood of large arguments then costs the bridge no parsing. The body is discarded as it arrives,
  // so the connection stays usable; id is null, as for any refusal before the body.
  const full = refusesBeforeBody(req, sessionId) ? fair.checkQueue(member) : undefined;
  if (full) {
    req.resume();
    return fair.refuse(res, member, full);
  }
  const receiving = fair.beginBody(member);
  if (typeof receiving !== 'function') return fair.refuse(res, member, receiving);
  const body = await readBody(req, deps.maxBodyBytes);
  receiving();
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
  const parsed = parseMessage(res, body.text, deps.maxJsonDepth);
  if (!parsed) return;
  const { value, id } = parsed;
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
      sendJson(res, route.status, { jsonrpc: '2.0', id: route.id ?? id, error });
      return;
    }
    case 'stateless':
      if (!fair.admitStateless(res, member, route.request)) return;
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
      const slot = fair.holdSession(member);
      if (typeof slot !== 'function') return fair.refuse(res, member, slot, route.request.id);
      const opened = await deps.mux.openSession(member, route.request).finally(slot);
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
      const session = findSession(res, member, route.sessionId, deps.sessions, id);
      if (!session) return;
      const message = route.message;
      const ticket = fair.admitInSession(res, member, session, message, body.text.length);
      if (ticket === false) return;
      if (message.kind === 'request') {
        const sink = new RequestSink(res, accepts, () => session.openRequestStream());
        // The call counts against the member until answered (or its session ends), not until this
        // response closes: a session's call goes on at the server when its client hangs up.
        sink.onDone = ticket?.end;
        fair.onBehalfOf(member, () => deps.mux.handleRequest(session, message.message, sink));
        return;
      }
      fair.onBehalfOf(member, () => {
        if (message.kind === 'notification') deps.mux.handleNotification(session, message.message);
        else deps.mux.handleResponse(session, message.message);
      });
      res.writeHead(202, { 'content-length': '0' });
      res.end();
    }
  }
}
