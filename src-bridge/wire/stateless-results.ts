import { ErrorCodes, isObject, type JsonObject, type JsonRpcErrorObject } from './jsonrpc';
import { STATELESS_VERSIONS, StatelessErrorCodes, SERVER_INFO_KEY } from './stateless-envelope';

/** Results a 2026-07-28 client may cache; they carry ttlMs and cacheScope (SEP-2549). */
const CACHEABLE = new Set([
  'server/discover',
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
]);

/**
 * Capabilities as a 2026-07-28 client reads them: `tasks` left that revision (it is an extension now)
 * and the bridge answers 2025-era task methods only inside sessions.
 */
export function statelessCapabilities(capabilities: JsonObject): JsonObject {
  if (!('tasks' in capabilities)) return capabilities;
  const { tasks: _tasks, ...rest } = capabilities;
  return rest;
}

const serverInfos = new WeakMap<JsonObject, JsonObject | undefined>();

/** The server's name and version from its initialize result, made once per result. */
function serverInfoOf(initResult: JsonObject | undefined): JsonObject | undefined {
  if (!initResult) return undefined;
  if (serverInfos.has(initResult)) return serverInfos.get(initResult);
  const info = initResult.serverInfo;
  const made =
    isObject(info) && typeof info.name === 'string' && typeof info.version === 'string'
      ? { name: info.name, version: info.version }
      : undefined;
  serverInfos.set(initResult, made);
  return made;
}

/**
 * A child's result in the shape of the 2026-07-28 revision: `resultType` (the child predates it, so its
 * results are complete), cache hints on cacheable results, and the server's name in `_meta`. The hints
 * say `private` with no lifetime: the bridge filters lists per member, and the child may change them.
 */
export function statelessResult(
  method: string,
  result: unknown,
  initResult: JsonObject | undefined,
): unknown {
  if (!isObject(result)) return result;
  const out: JsonObject = { ...result };
  out.resultType ??= 'complete';
  if (CACHEABLE.has(method)) {
    out.ttlMs ??= 0;
    out.cacheScope ??= 'private';
  }
  if (method === 'tools/list' && Array.isArray(out.tools)) {
    // `execution` (2025-11-25 task support) is not part of a 2026-07-28 tool.
    out.tools = out.tools.map((tool: unknown) => {
      if (!isObject(tool) || !('execution' in tool)) return tool;
      const { execution: _execution, ...rest } = tool;
      return rest;
    });
  }
  const info = serverInfoOf(initResult);
  if (info) {
    const meta = isObject(out._meta) ? out._meta : {};
    if (!(SERVER_INFO_KEY in meta)) out._meta = { ...meta, [SERVER_INFO_KEY]: info };
  }
  return out;
}

/**
 * A child's error as the 2026-07-28 revision words it: a resource that does not exist is -32602 now
 * (-32002 before), with the uri in `data`.
 */
export function statelessError(method: string, error: JsonRpcErrorObject, uri: unknown): JsonRpcErrorObject {
  if (method === 'resources/read' && error.code === -32002) {
    return { ...error, code: ErrorCodes.invalidParams, data: error.data ?? { uri } };
  }
  return error;
}

/**
 * The HTTP status of an error answer on the stateless path: method-not-found is 404 and a missing
 * client capability 400, as the revision requires; every other error the server produced travels
 * in-band with 200.
 */
export function statelessErrorStatus(code: number): number {
  if (code === ErrorCodes.methodNotFound) return 404;
  if (code === StatelessErrorCodes.missingClientCapability) return 400;
  return 200;
}

/** server/discover, answered from the child's one initialize result. */
export function discoverResult(initResult: JsonObject, capabilities: JsonObject): JsonObject {
  const result: JsonObject = {
    resultType: 'complete',
    supportedVersions: [...STATELESS_VERSIONS],
    capabilities: statelessCapabilities(capabilities),
    ttlMs: 0,
    cacheScope: 'private',
  };
  if (typeof initResult.instructions === 'string') result.instructions = initResult.instructions;
  const info = serverInfoOf(initResult);
  if (info) result._meta = { [SERVER_INFO_KEY]: info };
  return result;
}
