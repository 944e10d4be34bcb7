/** The wizard's member rows: validated as typed, with the contract's rules plus "no name twice". */
import { Name } from '../../../../src-main/shared/contract';
import type { FieldErrors } from '../../../lib/form-errors';
import { memberAccessErrors, newMemberAccessDraft } from '../../members/hooks/member-access-draft';
import type { MemberDraft } from './wizard-context';

export function newMemberDraft(id: number): MemberDraft {
  return { id, name: '', access: newMemberAccessDraft(), token: null };
}

export interface MemberDraftErrors {
  name?: string;
  /** By field of the access controls (see memberAccessErrors). */
  access: FieldErrors;
}

/** Errors by row id, for the rows with any. */
export function memberErrors(members: readonly MemberDraft[]): Record<number, MemberDraftErrors> {
  const out: Record<number, MemberDraftErrors> = {};
  const seen = new Set<string>();
  for (const m of members) {
    const name = m.name.trim();
    const parsed = Name.safeParse(name);
    const errors: MemberDraftErrors = { access: m.token === null ? memberAccessErrors(m.access) : {} };
    if (name === '') errors.name = 'is required';
    else if (!parsed.success) errors.name = parsed.error.issues[0]?.message ?? 'is not a valid name';
    else if (seen.has(name)) errors.name = `is already a member above (${name})`;
    seen.add(name);
    if (errors.name !== undefined || Object.keys(errors.access).length > 0) out[m.id] = errors;
  }
  return out;
}
