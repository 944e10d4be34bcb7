import { isObject, type JsonObject, type JsonRpcRequest } from '../wire/jsonrpc';

/** The capability a session lacks for a server request, or undefined when it has it. */
export function missingCapability(caps: JsonObject, request: JsonRpcRequest): string | undefined {
  switch (request.method) {
    case 'sampling/createMessage':
      return isObject(caps.sampling) ? undefined : 'sampling';
    case 'roots/list':
      return isObject(caps.roots) ? undefined : 'roots';
    case 'elicitation/create': {
      const elicitation = caps.elicitation;
      if (!isObject(elicitation)) return 'elicitation';
      const mode = request.params?.mode ?? 'form';
      if (mode === 'url') return isObject(elicitation.url) ? undefined : 'URL elicitation';
      // An empty elicitation capability is the pre-2025-11-25 way of saying "form".
      return Object.keys(elicitation).length === 0 || isObject(elicitation.form)
        ? undefined
        : 'form elicitation';
    }
    default:
      return undefined;
  }
}
