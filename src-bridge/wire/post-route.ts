import { ErrorCodes, type Classified, type JsonRpcId, type JsonRpcRequest } from './jsonrpc';
import { classifyEra, type Envelope, type ProtocolHeaders } from './stateless-envelope';
import { isSupportedVersion, SUPPORTED_VERSIONS } from './protocol-version';

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
    if (era.kind === 'stateless-request')
      return { kind: 'stateless', request: era.request, envelope: era.envelope };
    if (era.kind === 'stateless-notification') return { kind: 'stateless-notification' };
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
