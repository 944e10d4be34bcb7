import type { AccessKind } from '../../src-main/shared/members-file';
import { isObject, type JsonObject } from '../wire/jsonrpc';
import type { Member } from './members';

/**
 * What a member may use, applied to the wire: which list entries it sees, which requests are refused
 * before the server sees them, which server capabilities it is offered and which notices reach it.
 * The rules themselves (patterns, the template rule) are src-main/shared/members-file.ts's.
 */

/** The list results filtered per member: where the entries are, and the field a rule is checked on. */
const LISTS: Readonly<Record<string, { kind: AccessKind; key: string; field: string }>> = {
  'tools/list': { kind: 'tools', key: 'tools', field: 'name' },
  'prompts/list': { kind: 'prompts', key: 'prompts', field: 'name' },
  'resources/list': { kind: 'resources', key: 'resources', field: 'uri' },
  'resources/templates/list': { kind: 'resources', key: 'resourceTemplates', field: 'uriTemplate' },
};

/**
 * A list result (one page: the cursor and everything else are kept) with only the entries the member
 * may use; a template is kept when some URI it expands to may be allowed. Other results unchanged.
 */
export function filterList(method: string, result: unknown, member: Member): unknown {
  const list = LISTS[method];
  if (list === undefined) return result;
  const rule = member[list.kind];
  if (rule.all || !isObject(result)) return result;
  const entries = result[list.key];
  if (!Array.isArray(entries)) return result;
  const template = list.key === 'resourceTemplates';
  const allowed = (value: unknown): boolean =>
    typeof value === 'string' && (template ? rule.mayAllowTemplate(value) : rule.allows(value));
  return {
    ...result,
    [list.key]: entries.filter((entry: unknown) => isObject(entry) && allowed(entry[list.field])),
  };
}

/** The kind a method belongs to by its prefix (`tools/…`, `prompts/…`, `resources/…`), if any. */
export function kindOfMethod(method: string): AccessKind | undefined {
  if (method.startsWith('tools/')) return 'tools';
  if (method.startsWith('prompts/')) return 'prompts';
  if (method.startsWith('resources/')) return 'resources';
  return undefined;
}

/**
 * The server's capabilities as offered to a member: a kind it is allowed nothing of is left out, and
 * `completions` too when it may use neither prompts nor resources (the only things completed).
 */
export function offeredCapabilities(capabilities: JsonObject, member: Member): JsonObject {
  const { tools, prompts, resources } = member;
  if (tools.any && prompts.any && resources.any) return capabilities;
  const offered = { ...capabilities };
  if (!tools.any) delete offered.tools;
  if (!prompts.any) delete offered.prompts;
  if (!resources.any) delete offered.resources;
  if (!prompts.any && !resources.any) delete offered.completions;
  return offered;
}

/** A value a client sent, shown in a refusal: the client's own text, cut short. */
function shown(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 200) : '';
}

/**
 * Why the member may not send this request, as the sentence its client gets, or undefined when it may.
 * Fails closed: for a member restricted in the kind, a missing or non-text name, uri or ref is refused.
 */
export function accessRefusal(
  member: Member,
  method: string,
  params: JsonObject | undefined,
): string | undefined {
  const whose = `is not available to member "${member.name}".`;
  switch (method) {
    case 'tools/call': {
      const name = params?.name;
      if (member.tools.all || (typeof name === 'string' && member.tools.allows(name))) return undefined;
      return `Tool "${shown(name)}" ${whose}`;
    }
    case 'prompts/get': {
      const name = params?.name;
      if (member.prompts.all || (typeof name === 'string' && member.prompts.allows(name))) return undefined;
      return `Prompt "${shown(name)}" ${whose}`;
    }
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe': {
      const uri = params?.uri;
      if (member.resources.all || (typeof uri === 'string' && member.resources.allows(uri))) return undefined;
      return `Resource "${shown(uri)}" ${whose}`;
    }
    case 'completion/complete':
      return completionRefusal(member, params?.ref, whose);
    default:
      return undefined;
  }
}

/** completion/complete: a prompt's arguments by the prompt rule, a resource template's by the template rule. */
function completionRefusal(member: Member, ref: unknown, whose: string): string | undefined {
  if (member.prompts.all && member.resources.all) return undefined;
  const type = isObject(ref) ? ref.type : undefined;
  if (type === 'ref/prompt' && isObject(ref)) {
    const name = ref.name;
    if (member.prompts.all || (typeof name === 'string' && member.prompts.allows(name))) return undefined;
    return `Prompt "${shown(name)}" ${whose}`;
  }
  if (type === 'ref/resource' && isObject(ref)) {
    const uri = ref.uri;
    if (member.resources.all || (typeof uri === 'string' && member.resources.mayAllowTemplate(uri)))
      return undefined;
    return `Resource template "${shown(uri)}" ${whose}`;
  }
  return `Completion for a reference of type "${shown(type)}" ${whose}`;
}

/**
 * Whether a notice from the server may reach a member's session or listen stream: a list change of a
 * kind the member is allowed nothing of does not, nor an update of a resource it may not read.
 */
export function mayReceive(member: Member, method: string, params: JsonObject | undefined): boolean {
  switch (method) {
    case 'notifications/tools/list_changed':
      return member.tools.any;
    case 'notifications/prompts/list_changed':
      return member.prompts.any;
    case 'notifications/resources/list_changed':
      return member.resources.any;
    case 'notifications/resources/updated': {
      const uri = params?.uri;
      return typeof uri === 'string' && member.resources.allows(uri);
    }
    default:
      return true;
  }
}
