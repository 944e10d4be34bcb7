/**
 * Turns zod issues into one plain sentence per form field, for as-you-type validation with the same
 * schemas the services enforce.
 */
import type { z } from 'zod';

export type FieldErrors = Record<string, string>;

function plainWords(issue: z.core.$ZodIssue): string {
  // The contract's own messages already read as "must ..."; zod's defaults ("Too small: ...") do not.
  if (/^must\b/.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1 ? 'is required' : `needs at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `needs at least ${issue.minimum} entries`;
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `allows at most ${issue.maximum} entries`;
      return `must be at most ${issue.maximum}`;
    case 'invalid_type':
      return issue.expected === 'number' || issue.expected === 'int'
        ? 'must be a whole number'
        : 'is required';
    case 'invalid_value':
    case 'invalid_union':
      return 'is not one of the allowed choices';
    case 'invalid_format':
      return 'is not in the expected format';
    default:
      return issue.message;
  }
}

/**
 * Maps each issue to a field name: the issue path joined with dots, renamed through `fieldOf` where the
 * form's fields do not mirror the schema (e.g. `credential.password` → `password`). First issue wins.
 */
export function fieldErrors(
  error: z.ZodError | undefined,
  fieldOf: (path: string) => string = (p) => p,
): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error?.issues ?? []) {
    const field = fieldOf(issue.path.map(String).join('.'));
    out[field] ??= plainWords(issue);
  }
  return out;
}

/** "" → undefined, "22" → 22, "abc" → NaN (which the schema then refuses in plain words). */
export function numberOrUndefined(text: string): number | undefined {
  const trimmed = text.trim();
  return trimmed === '' ? undefined : Number(trimmed);
}
