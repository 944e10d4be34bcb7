import {
  isObject,
  type JsonObject,
  type JsonRpcId,
  type JsonRpcNotification,
  type JsonRpcRequest,
} from './jsonrpc';
import { isLogLevelName, type LogLevelName } from '../core/log-levels';

/**
 * The 2026-07-28 revision's per-request envelope and its HTTP cross-checks, as the v2 SDK's
 * `classifyInboundRequest` and `validateStandardRequestHeaders` apply them (read there, written again
 * here because importing the SDK would pull zod into the container bundle).
 */
export const STATELESS_VERSIONS = ['2026-07-28'] as const;
export const PROTOCOL_VERSION_KEY = 'io.modelcontextprotocol/protocolVersion';
export const CLIENT_CAPABILITIES_KEY = 'io.modelcontextprotocol/clientCapabilities';
export const CLIENT_INFO_KEY = 'io.modelcontextprotocol/clientInfo';
export const LOG_LEVEL_KEY = 'io.modelcontextprotocol/logLevel';
export const SERVER_INFO_KEY = 'io.modelcontextprotocol/serverInfo';
export const SUBSCRIPTION_ID_KEY = 'io.modelcontextprotocol/subscriptionId';

export const StatelessErrorCodes = {
  headerMismatch: -32020,
  missingClientCapability: -32021,
  unsupportedVersion: -32022,
} as const;

/** Revision names are dates; every one from the first stateless revision on belongs to that era. */
export function isStatelessVersion(version: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= STATELESS_VERSIONS[0];
}

export interface Envelope {
  protocolVersion: string;
  clientCapabilities: JsonObject;
  clientName: string | undefined;
  logLevel: LogLevelName | undefined;
}

export interface ProtocolHeaders {
  version: string | undefined;
  method: string | undefined;
  name: string | undefined;
}

export type EraRoute =
  | { kind: 'legacy' }
  | { kind: 'stateless-request'; request: JsonRpcRequest; envelope: Envelope }
  | { kind: 'stateless-notification'; notification: JsonRpcNotification }
  | { kind: 'reject'; status: number; id: JsonRpcId | null; code: number; message: string; data?: unknown };

/** Which params field the Mcp-Name header mirrors, per method (SEP-2243, plus the tasks binding). */
const NAME_SOURCE: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

function metaOf(params: JsonObject | undefined): JsonObject | undefined {
  return isObject(params?._meta) ? params._meta : undefined;
}

/** The first thing wrong with a claimed envelope, or undefined when it is well formed. */
function envelopeProblem(meta: JsonObject): string | undefined {
  if (typeof meta[PROTOCOL_VERSION_KEY] !== 'string') return `${PROTOCOL_VERSION_KEY} must be a string`;
  if (!(CLIENT_CAPABILITIES_KEY in meta)) return `${CLIENT_CAPABILITIES_KEY} is missing`;
  if (!isObject(meta[CLIENT_CAPABILITIES_KEY])) return `${CLIENT_CAPABILITIES_KEY} must be an object`;
  const info = meta[CLIENT_INFO_KEY];
  if (
    info !== undefined &&
    !(isObject(info) && typeof info.name === 'string' && typeof info.version === 'string')
  )
    return `${CLIENT_INFO_KEY} must be an object with a name and a version`;
  const level = meta[LOG_LEVEL_KEY];
  if (level !== undefined && !isLogLevelName(level)) return `${LOG_LEVEL_KEY} is not a log level`;
  return undefined;
}

/** `=?base64?…?=` carries a value that is not plain header text (SEP-2243); undefined when malformed. */
export function decodeHeaderValue(value: string): string | undefined {
  if (!(value.startsWith('=?base64?') && value.endsWith('?='))) return value;
  const b64 = value.slice(9, -2);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(b64, 'base64'));
  } catch {
    return undefined;
  }
}

/**
 * Sorts one POSTed JSON-RPC request or notification into the legacy era (initialize, sessions) or the
 * stateless one, body first: a request belongs to 2026-07-28 when its `_meta` names a protocol version.
 * Whatever claims that era and is malformed, or disagrees with its headers, is refused here, before
 * anything reaches the server.
 */
export function classifyEra(
  message:
    { kind: 'request'; message: JsonRpcRequest } | { kind: 'notification'; message: JsonRpcNotification },
  headers: ProtocolHeaders,
): EraRoute {
  const body = message.message;
  const id = message.kind === 'request' ? message.message.id : null;
  const reject = (status: number, code: number, text: string, data?: unknown): EraRoute => ({
    kind: 'reject',
    status,
    id,
    code,
    message: text,
    ...(data === undefined ? {} : { data }),
  });
  const mismatch = (header: string, text: string): EraRoute =>
    reject(
      400,
      StatelessErrorCodes.headerMismatch,
      `Bad Request: the request headers and body disagree: ${text}`,
      {
        mismatch: { header, body: text },
      },
    );
  const version = headers.version;
  const headerStateless = version !== undefined && isStatelessVersion(version);
  const meta = metaOf(body.params);
  const claim = meta !== undefined && PROTOCOL_VERSION_KEY in meta;

  if (message.kind === 'notification') {
    if (!claim && !headerStateless) return { kind: 'legacy' };
    const claimed = meta?.[PROTOCOL_VERSION_KEY];
    if (claim && typeof claimed !== 'string')
      return reject(400, -32602, `Invalid _meta envelope: ${PROTOCOL_VERSION_KEY} must be a string`);
    if (claim && version !== undefined && version !== claimed)
      return mismatch(
        version,
        `the envelope names ${String(claimed)}, the MCP-Protocol-Version header ${version}`,
      );
    if (headers.method !== undefined && headers.method !== body.method)
      return mismatch(
        headers.method,
        `the body names ${body.method}, the Mcp-Method header ${headers.method}`,
      );
    return { kind: 'stateless-notification', notification: body };
  }

  const problem = claim ? envelopeProblem(meta) : undefined;
  if (
    body.method === 'initialize' &&
    (!claim || problem !== undefined || !isStatelessVersion(String(meta[PROTOCOL_VERSION_KEY])))
  ) {
    if (headerStateless)
      return mismatch(
        version,
        'initialize (the legacy handshake) was sent with a 2026-era MCP-Protocol-Version',
      );
    return { kind: 'legacy' };
  }
  if (!claim) {
    if (!headerStateless) return { kind: 'legacy' };
    const missing = meta === undefined ? '_meta' : PROTOCOL_VERSION_KEY;
    return reject(
      400,
      -32602,
      `Invalid params: MCP-Protocol-Version names ${version}, but the request lacks the per-request envelope (${missing})`,
      { envelope: { missing: [missing] } },
    );
  }
  if (problem !== undefined) return reject(400, -32602, `Invalid _meta envelope: ${problem}`);
  const claimed = meta[PROTOCOL_VERSION_KEY] as string;
  if (version !== undefined && version !== claimed)
    return mismatch(version, `the envelope names ${claimed}, the MCP-Protocol-Version header ${version}`);
  if (headers.method !== undefined && headers.method !== body.method)
    return mismatch(headers.method, `the body names ${body.method}, the Mcp-Method header ${headers.method}`);
  if (!(STATELESS_VERSIONS as readonly string[]).includes(claimed)) {
    return reject(400, StatelessErrorCodes.unsupportedVersion, 'Unsupported protocol version', {
      supported: [...STATELESS_VERSIONS],
      requested: claimed,
    });
  }
  // The presence half of the standard headers (SEP-2243): required on every request of this era.
  if (version === undefined)
    return mismatch('(missing)', 'the required MCP-Protocol-Version header is absent');
  if (headers.method === undefined) return mismatch('(missing)', 'the required Mcp-Method header is absent');
  const field = Object.hasOwn(NAME_SOURCE, body.method) ? NAME_SOURCE[body.method] : undefined;
  const bodyName = field === undefined ? undefined : body.params?.[field];
  if (typeof bodyName === 'string') {
    if (headers.name === undefined)
      return mismatch('(missing)', `the body carries params.${field}, but the Mcp-Name header is absent`);
    const decoded = decodeHeaderValue(headers.name);
    if (decoded === undefined) return mismatch(headers.name, 'the Mcp-Name header is not valid Base64');
    if (decoded !== bodyName)
      return mismatch(headers.name, `the body names "${bodyName}", the Mcp-Name header "${decoded}"`);
  }
  const clientInfo = meta[CLIENT_INFO_KEY];
  const level = meta[LOG_LEVEL_KEY];
  return {
    kind: 'stateless-request',
    request: message.message,
    envelope: {
      protocolVersion: claimed,
      clientCapabilities: meta[CLIENT_CAPABILITIES_KEY] as JsonObject,
      clientName: isObject(clientInfo) ? String(clientInfo.name).slice(0, 100) : undefined,
      logLevel: isLogLevelName(level) ? level : undefined,
    },
  };
}
