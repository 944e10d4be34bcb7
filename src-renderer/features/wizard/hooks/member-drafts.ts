/** The wizard's member rows: validated as typed, with the contract's rules plus "no name twice". */
import { Name } from '../../../../src-main/shared/contract';
import type { MemberDraft } from './wizard-context';

export function memberTools(draft: MemberDraft): string[] | undefined {
  const tools = draft.tools
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return tools.length > 0 ? tools : undefined;
}

/** Errors by row id: `name` or `tools`. */
export function memberErrors(
  members: readonly MemberDraft[],
): Record<number, { name?: string; tools?: string }> {
  const out: Record<number, { name?: string; tools?: string }> = {};
  const seen = new Set<string>();
  for (const m of members) {
    const name = m.name.trim();
    const parsed = Name.safeParse(name);
    const errors: { name?: string; tools?: string } = {};
    if (name === '') errors.name = 'is required';
    else if (!parsed.success) errors.name = parsed.error.issues[0]?.message ?? 'is not a valid name';
    else if (seen.has(name)) errors.name = `is already a member above (${name})`;
    seen.add(name);
    const bad = (memberTools(m) ?? []).find((t) => t.length > 128 || /\s/.test(t));
    if (bad !== undefined) errors.tools = `"${bad.slice(0, 40)}" is not a tool name or pattern (no spaces)`;
    if (errors.name || errors.tools) out[m.id] = errors;
  }
  return out;
}
