/**
 * A member's access (tools, resources, prompts) and own limits as a form holds them, checked with the
 * rules the services and the bridge use (members-file.ts, bridge-settings.ts), so a bad pattern is
 * explained at its field before anything is sent. Shared by the wizard and the members panel.
 */
import { MEMBER_LIMIT_KEYS, limitProblem } from '../../../../src-main/shared/bridge-settings';
import type { MemberView } from '../../../../src-main/shared/contract';
import {
  ACCESS_KINDS,
  accessListProblem,
  accessNoun,
  describeAccess,
  type AccessKind,
} from '../../../../src-main/shared/members-file';
import { numberOrUndefined, type FieldErrors } from '../../../lib/form-errors';

export type AccessChoice = 'all' | 'selected' | 'none';
export type MemberLimitKey = (typeof MEMBER_LIMIT_KEYS)[number][0];

export interface AccessDraft {
  choice: AccessChoice;
  /** Comma- or newline-separated patterns; used when the choice is "selected". */
  patterns: string;
}

export interface MemberAccessDraft {
  tools: AccessDraft;
  resources: AccessDraft;
  prompts: AccessDraft;
  /** Empty text keeps the server's cap. */
  limits: Record<MemberLimitKey, string>;
}

export interface MemberAccessInput {
  tools: string[];
  resources: string[];
  prompts: string[];
  limits: { sessions?: number; inflight?: number; rps?: number };
}

export const ACCESS_LABELS: Record<AccessKind, { title: string; patterns: string; placeholder: string }> = {
  tools: { title: 'Tools', patterns: 'Tool patterns', placeholder: 'read_*, echo' },
  resources: { title: 'Resources', patterns: 'Resource patterns', placeholder: 'file:///docs/*' },
  prompts: { title: 'Prompts', patterns: 'Prompt patterns', placeholder: 'summarise, review_*' },
};

export const LIMIT_LABELS: Record<MemberLimitKey, string> = {
  sessions: 'Sessions',
  inflight: 'In flight',
  rps: 'Requests/s',
};

export function newMemberAccessDraft(): MemberAccessDraft {
  const all: AccessDraft = { choice: 'all', patterns: '' };
  return { tools: all, resources: all, prompts: all, limits: { sessions: '', inflight: '', rps: '' } };
}

function accessDraftOf(list: readonly string[]): AccessDraft {
  if (list.includes('*')) return { choice: 'all', patterns: '' };
  if (list.length === 0) return { choice: 'none', patterns: '' };
  return { choice: 'selected', patterns: list.join('\n') };
}

/** The form's values for a stored member, to edit. */
export function memberAccessDraftOf(member: MemberView): MemberAccessDraft {
  const text = (n: number | undefined) => (n === undefined ? '' : String(n));
  return {
    tools: accessDraftOf(member.tools),
    resources: accessDraftOf(member.resources),
    prompts: accessDraftOf(member.prompts),
    limits: {
      sessions: text(member.limits.sessions),
      inflight: text(member.limits.inflight),
      rps: text(member.limits.rps),
    },
  };
}

/** "read_*, echo\nwrite" → ["read_*", "echo", "write"]. */
export function splitPatterns(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

function accessList(draft: AccessDraft): string[] {
  if (draft.choice === 'all') return ['*'];
  if (draft.choice === 'none') return [];
  return splitPatterns(draft.patterns);
}

/**
 * Errors by field: `tools`, `resources`, `prompts` (a sentence about their patterns, to show as it is)
 * and the limit keys (to follow the field's label: "must be ...").
 */
export function memberAccessErrors(draft: MemberAccessDraft): FieldErrors {
  const out: FieldErrors = {};
  for (const kind of ACCESS_KINDS) {
    const access = draft[kind];
    if (access.choice !== 'selected') continue;
    const list = splitPatterns(access.patterns);
    const problem =
      list.length === 0
        ? `give at least one ${accessNoun(kind)} pattern, or choose None to allow no ${kind}`
        : accessListProblem(kind, list);
    if (problem !== null) out[kind] = problem;
  }
  for (const [key, whole] of MEMBER_LIMIT_KEYS) {
    const value = numberOrUndefined(draft.limits[key]);
    const problem = value === undefined ? null : limitProblem(value, whole);
    if (problem !== null) out[key] = problem;
  }
  return out;
}

/** What members:add and members:set take; null while a field is in error. */
export function memberAccessInput(draft: MemberAccessDraft): MemberAccessInput | null {
  if (Object.keys(memberAccessErrors(draft)).length > 0) return null;
  const limits: MemberAccessInput['limits'] = {};
  for (const [key] of MEMBER_LIMIT_KEYS) {
    const value = numberOrUndefined(draft.limits[key]);
    if (value !== undefined) limits[key] = value;
  }
  return {
    tools: accessList(draft.tools),
    resources: accessList(draft.resources),
    prompts: accessList(draft.prompts),
    limits,
  };
}

/** "all", "none", or the patterns, for a list. */
export function accessText(list: readonly string[]): string {
  const described = describeAccess(list);
  return described === 'all' || described === 'none' ? described : list.join(', ');
}

/** "sessions 2 · in flight 4 · 5 req/s", or null when the member keeps the server's caps. */
export function limitsText(limits: MemberView['limits']): string | null {
  const parts = [
    limits.sessions === undefined ? null : `sessions ${limits.sessions}`,
    limits.inflight === undefined ? null : `in flight ${limits.inflight}`,
    limits.rps === undefined ? null : `${limits.rps} req/s`,
  ].filter((p): p is string => p !== null);
  return parts.length > 0 ? parts.join(' · ') : null;
}

/**
 * The errors to show: as the operator types (a pattern or a limit given), and all of them once the
 * form was submitted (an empty Selected list too).
 */
export function shownAccessErrors(draft: MemberAccessDraft, submitted: boolean): FieldErrors {
  const errors = memberAccessErrors(draft);
  if (submitted) return errors;
  return Object.fromEntries(
    Object.entries(errors).filter(([field]) => {
      const kind = ACCESS_KINDS.find((k) => k === field);
      return kind === undefined || draft[kind].patterns.trim() !== '';
    }),
  );
}
