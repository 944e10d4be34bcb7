/**
 * A server's bridge settings as a form holds them: the roots (Shared only) and the five caps, checked
 * with the contract's Root schema and the bridge's own limit rules (bridge-settings.ts), so what the
 * form accepts is what the bridge starts with. Used by the Add server form, the wizard and the
 * server's page.
 */
import {
  BRIDGE_LIMIT_FLAGS,
  bridgeLimitsProblem,
  limitProblem,
  type BridgeLimits,
  type BridgeRoot,
} from '../../../../src-main/shared/bridge-settings';
import { Root, type Mode, type ServerView } from '../../../../src-main/shared/contract';
import { fieldErrors, numberOrUndefined, type FieldErrors } from '../../../lib/form-errors';

export type CapKey = keyof BridgeLimits;

export interface RootRow {
  /** Stable React key; rows can be removed from the middle. */
  id: number;
  uri: string;
  /** Optional; empty for none. */
  name: string;
}

export interface BridgeSettingsDraft {
  roots: RootRow[];
  /** Empty text keeps the bridge's default. */
  caps: Record<CapKey, string>;
}

export interface BridgeSettingsInput {
  roots: BridgeRoot[];
  limits: BridgeLimits;
}

export const CAP_LABELS: Record<CapKey, string> = {
  memberSessions: 'Member sessions',
  memberInflight: 'Member in flight',
  memberRps: 'Member requests/s',
  maxConnections: 'Max connections',
  maxConnectionsPerSource: 'Max connections per source',
};

/** Most roots a server takes (the contract's limit): the form offers no row beyond it. */
export const MAX_ROOTS = 64;

export function emptyBridgeSettings(): BridgeSettingsDraft {
  return {
    roots: [],
    caps: {
      memberSessions: '',
      memberInflight: '',
      memberRps: '',
      maxConnections: '',
      maxConnectionsPerSource: '',
    },
  };
}

/** The form's values for a stored server. */
export function bridgeSettingsDraftOf(server: ServerView): BridgeSettingsDraft {
  const draft = emptyBridgeSettings();
  for (const [key] of BRIDGE_LIMIT_FLAGS) {
    const value = server.bridgeLimits[key];
    draft.caps[key] = value === undefined ? '' : String(value);
  }
  draft.roots = server.roots.map((root, i) => ({ id: i + 1, uri: root.uri, name: root.name ?? '' }));
  return draft;
}

/** The draft's content without row ids: equal keys, equal settings. */
export function bridgeSettingsKey(draft: BridgeSettingsDraft): string {
  return JSON.stringify([draft.roots.map((r) => [r.uri.trim(), r.name.trim()]), draft.caps]);
}

export function addRootRow(draft: BridgeSettingsDraft): BridgeSettingsDraft {
  const id = draft.roots.reduce((max, r) => Math.max(max, r.id), 0) + 1;
  return { ...draft, roots: [...draft.roots, { id, uri: '', name: '' }] };
}

function rootValue(row: RootRow): { uri: string; name?: string } {
  const name = row.name.trim();
  return { uri: row.uri.trim(), ...(name === '' ? {} : { name }) };
}

/**
 * Errors by field: `roots.N` (a sentence about root N, to show as it is) and `caps.KEY` (to follow
 * the cap's label: "must be ..."). Roots count only on a Shared server.
 */
export function bridgeSettingsErrors(draft: BridgeSettingsDraft, mode: Mode): FieldErrors {
  const out: FieldErrors = {};
  if (mode === 'shared') {
    draft.roots.forEach((row, i) => {
      const value = rootValue(row);
      if (value.uri === '') {
        out[`roots.${i}`] = `root ${i + 1} needs a file:// URI, such as file:///srv/data (or remove the row)`;
        return;
      }
      const problem = Object.values(fieldErrors(Root.safeParse(value).error))[0];
      if (problem !== undefined)
        out[`roots.${i}`] = /^must\b/.test(problem) ? `root ${i + 1} ${problem}` : problem;
    });
  }
  const limits: BridgeLimits = {};
  for (const [key, , whole] of BRIDGE_LIMIT_FLAGS) {
    const value = numberOrUndefined(draft.caps[key]);
    if (value === undefined) continue;
    const problem = limitProblem(value, whole);
    if (problem !== null) out[`caps.${key}`] = problem;
    else limits[key] = value;
  }
  if (bridgeLimitsProblem(limits) !== null) {
    out['caps.maxConnectionsPerSource'] = `must not be above Max connections (${limits.maxConnections})`;
  }
  return out;
}

/**
 * Whether a field's error shows before the form is submitted: once something is typed in it (an empty
 * root row says it needs a URI only when the form is submitted).
 */
export function typedIn(draft: BridgeSettingsDraft, field: string): boolean {
  const [group, key] = field.split('.');
  if (group === 'roots') return (draft.roots[Number(key)]?.uri.trim() ?? '') !== '';
  const cap = (Object.keys(draft.caps) as CapKey[]).find((k) => k === key);
  return cap !== undefined && draft.caps[cap].trim() !== '';
}

/** What servers:set (and servers:add) take; null while a field is in error. Dedicated: no roots. */
export function bridgeSettingsInput(draft: BridgeSettingsDraft, mode: Mode): BridgeSettingsInput | null {
  if (Object.keys(bridgeSettingsErrors(draft, mode)).length > 0) return null;
  const limits: BridgeLimits = {};
  for (const [key] of BRIDGE_LIMIT_FLAGS) {
    const value = numberOrUndefined(draft.caps[key]);
    if (value !== undefined) limits[key] = value;
  }
  return { roots: mode === 'shared' ? draft.roots.map(rootValue) : [], limits };
}

/** "file:///srv/data (data), file:///tmp", or null for none. */
export function rootsText(roots: ServerView['roots']): string | null {
  if (roots.length === 0) return null;
  return roots.map((r) => (r.name === undefined ? r.uri : `${r.uri} (${r.name})`)).join(', ');
}

/** "Member sessions 4 · Max connections 100", or null when every cap is the bridge's default. */
export function capsText(limits: ServerView['bridgeLimits']): string | null {
  const parts = BRIDGE_LIMIT_FLAGS.flatMap(([key]) => {
    const value = limits[key];
    return value === undefined ? [] : [`${CAP_LABELS[key]} ${value}`];
  });
  return parts.length > 0 ? parts.join(' · ') : null;
}
