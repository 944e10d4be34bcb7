/** JSON-RPC 2.0 shapes as MCP uses them, and the one place a raw value is classified. */
export type JsonRpcId = string | number;
export type JsonObject = Record<string, unknown>;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: JsonRpcId;
  method: string;
  params?: JsonObject;
}

export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: JsonObject;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: JsonRpcId | null;
  result?: unknown;
  error?: JsonRpcErrorObject;
}

export type Classified =
  | { kind: 'request'; message: JsonRpcRequest }
  | { kind: 'notification'; message: JsonRpcNotification }
  | { kind: 'response'; message: JsonRpcResponse }
  | { kind: 'invalid'; reason: string };

export const ErrorCodes = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** The stdio server is not running, or exited before it answered. */
  serverUnavailable: -32000,
  /** The SDKs use -32001 for a request that timed out. */
  requestTimeout: -32001,
  /** A member asked for something its role does not allow. */
  forbidden: -32003,
} as const;

function isId(value: unknown): value is JsonRpcId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function classify(value: unknown): Classified {
  if (!isObject(value)) return { kind: 'invalid', reason: 'a JSON-RPC message must be a JSON object' };
  if (value.jsonrpc !== '2.0') return { kind: 'invalid', reason: 'jsonrpc must be "2.0"' };
  if (value.params !== undefined && !isObject(value.params))
    return { kind: 'invalid', reason: 'params must be an object' };
  if (typeof value.method === 'string') {
    if (!('id' in value)) return { kind: 'notification', message: value as unknown as JsonRpcNotification };
    if (isId(value.id)) return { kind: 'request', message: value as unknown as JsonRpcRequest };
    return { kind: 'invalid', reason: 'a request id must be a string or a number' };
  }
  if ('method' in value) return { kind: 'invalid', reason: 'method must be a string' };
  const hasResult = 'result' in value;
  const hasError = isObject(value.error);
  if (hasResult === hasError || !(isId(value.id) || (hasError && value.id === null))) {
    return { kind: 'invalid', reason: 'not a request, notification or response' };
  }
  return { kind: 'response', message: value as unknown as JsonRpcResponse };
}

/** A map key for an id that keeps 1 and "1" apart. */
export function idKey(id: JsonRpcId): string {
  return typeof id === 'number' ? `n${id}` : `s${id}`;
}

export function errorResponse(id: JsonRpcId | null, code: number, message: string): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

export function resultResponse(id: JsonRpcId, result: unknown): JsonRpcResponse {
  return { jsonrpc: '2.0', id, result };
}
