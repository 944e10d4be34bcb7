import type { ServerResponse } from 'node:http';
import { sendJson, sendRpcError } from '../front-door/http-util';
import { errorResponse, ErrorCodes, isObject, type JsonRpcId } from './jsonrpc';
import { nestsDeeperThan } from './json-depth';

/** A POSTed message that may be routed: valid JSON, one message, no deeper than the limit. */
export interface ParsedMessage {
  value: unknown;
  /** The request's id, so that even a refusal before routing is answered under it; else null. */
  id: JsonRpcId | null;
}

/**
 * Parses and checks a POST body before anything is registered for it, and answers what it refuses
 * (with the request's id once it is known). Depth is checked here because a message the bridge could
 * not serialise again would otherwise fail half way, after its call was entered in the pending table.
 */
export function parseMessage(res: ServerResponse, text: string, maxDepth: number): ParsedMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    sendRpcError(res, 400, ErrorCodes.parseError, 'The body is not valid JSON.');
    return undefined;
  }
  if (Array.isArray(value)) {
    sendRpcError(
      res,
      400,
      ErrorCodes.invalidRequest,
      'JSON-RPC batches are not accepted (MCP 2025-11-25 removed them): send one message per POST.',
    );
    return undefined;
  }
  const id = requestIdOf(value);
  // Each level takes an opening and a closing bracket: a text this short cannot nest deeper than
  // the limit, and most calls are this short, so the walk is spared.
  if (text.length > 2 * maxDepth && nestsDeeperThan(value, maxDepth)) {
    const message = `The message nests objects and arrays deeper than ${maxDepth} levels; the bridge refuses it.`;
    sendJson(res, 400, errorResponse(id, ErrorCodes.invalidRequest, message));
    return undefined;
  }
  return { value, id };
}

function requestIdOf(value: unknown): JsonRpcId | null {
  if (!isObject(value) || typeof value.method !== 'string') return null;
  const id = value.id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
}
