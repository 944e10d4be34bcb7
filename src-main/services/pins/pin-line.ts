/**
 * Reading a bridge's pinning lines (src-bridge/access/definition-pins.ts) out of its container log:
 * `tool_quarantined` and the like (a definition that is not approved), `tool_auto_approved` and the
 * like (a new one served), and `definitions_surveyed` (the bridge read every list once). Everything
 * comes from a container and is treated as hostile: a line whose definition does not hash to the hash
 * it states, or that is not exactly such a line, is not one.
 */
import { definitionHash, pinKeyOf, PIN_KEY_MAX, type PinKind } from '../../shared/tool-pins';

/** Longer lines are not the bridge's (a definition is logged up to 64 KiB of canonical JSON). */
const MAX_LINE = 200_000;
const HEX64 = /^[0-9a-f]{64}$/;

const EVENTS: Readonly<Record<string, { kind: PinKind; what: 'quarantined' | 'auto_approved' }>> = {
  tool_quarantined: { kind: 'tools', what: 'quarantined' },
  prompt_quarantined: { kind: 'prompts', what: 'quarantined' },
  resource_template_quarantined: { kind: 'resourceTemplates', what: 'quarantined' },
  tool_auto_approved: { kind: 'tools', what: 'auto_approved' },
  prompt_auto_approved: { kind: 'prompts', what: 'auto_approved' },
  resource_template_auto_approved: { kind: 'resourceTemplates', what: 'auto_approved' },
};

export type PinReport =
  | {
      what: 'quarantined' | 'auto_approved';
      kind: PinKind;
      name: string;
      hash: string;
      /** Null when the bridge left a long definition out: only the hash is known. */
      definition: Record<string, unknown> | null;
      /** For quarantined: changed or new. */
      reason: 'changed' | 'new' | null;
    }
  | { what: 'surveyed' };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The report a bridge line makes, or null for any other line. */
export function parsePinLine(line: string): PinReport | null {
  if (line.length > MAX_LINE || !line.startsWith('{')) return null;
  if (
    !line.includes('_quarantined"') &&
    !line.includes('_auto_approved"') &&
    !line.includes('"definitions_surveyed"')
  )
    return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isPlainObject(value) || typeof value.event !== 'string') return null;
  if (value.event === 'definitions_surveyed') return value.level === 'info' ? { what: 'surveyed' } : null;
  const event = EVENTS[value.event];
  if (event === undefined) return null;
  if (value.level !== (event.what === 'quarantined' ? 'warn' : 'info')) return null;
  const { kind } = event;
  const hash = value.hash;
  // unlisted and unchecked carry no definition: nothing to pin or show.
  if (typeof hash !== 'string' || !HEX64.test(hash)) return null;
  const reason = event.what === 'quarantined' ? value.reason : null;
  if (event.what === 'quarantined' && reason !== 'changed' && reason !== 'new') return null;
  let definition: Record<string, unknown> | null = null;
  let name: string | undefined;
  if (value.definition !== undefined) {
    if (!isPlainObject(value.definition)) return null;
    // The definition must be what the hash says: a forged or cut line is not believed.
    if (definitionHash(kind, value.definition) !== hash) return null;
    definition = value.definition;
    name = pinKeyOf(kind, definition);
  } else {
    const key = value[kind === 'resourceTemplates' ? 'uriTemplate' : 'name'];
    name = typeof key === 'string' ? key : undefined;
  }
  if (name === undefined || name.length === 0 || name.length > PIN_KEY_MAX) return null;
  return { what: event.what, kind, name, hash, definition, reason: reason as 'changed' | 'new' | null };
}
