import { MEMBER_LIMIT_KEYS } from '../../../../src-main/shared/bridge-settings';
import { ACCESS_KINDS, type AccessKind } from '../../../../src-main/shared/members-file';
import { ChoiceGroup } from '../../../components/ui/choice-group';
import { Field } from '../../../components/ui/field';
import type { FieldErrors } from '../../../lib/form-errors';
import {
  ACCESS_LABELS,
  LIMIT_LABELS,
  type AccessChoice,
  type MemberAccessDraft,
} from '../hooks/member-access-draft';

const CHOICES = [
  { value: 'all', label: 'All' },
  { value: 'selected', label: 'Selected' },
  { value: 'none', label: 'None' },
] as const satisfies readonly { value: AccessChoice; label: string }[];

export interface MemberAccessFieldsProps {
  /** Prefix of the controls' ids, radio names and test ids; unique on the page. */
  idPrefix: string;
  draft: MemberAccessDraft;
  /** The errors to show (see shownAccessErrors). */
  errors: FieldErrors;
  disabled?: boolean;
  onChange: (draft: MemberAccessDraft) => void;
}

/** What a member may use (tools, resources, prompts: all, selected patterns, none) and its own limits. */
export function MemberAccessFields({
  idPrefix,
  draft,
  errors,
  disabled = false,
  onChange,
}: MemberAccessFieldsProps) {
  return (
    <div className="member-access" data-testid={`${idPrefix}-access`}>
      <div className="access-grid">
        {ACCESS_KINDS.map((kind) => (
          <AccessControl
            key={kind}
            idPrefix={idPrefix}
            kind={kind}
            draft={draft}
            error={errors[kind]}
            disabled={disabled}
            onChange={onChange}
          />
        ))}
      </div>
      <fieldset className="limits-row" disabled={disabled}>
        <legend>Own limits</legend>
        <p className="field-hint">Empty: the server&apos;s cap for each member.</p>
        <div className="field-row">
          {MEMBER_LIMIT_KEYS.map(([key, whole]) => {
            const id = `${idPrefix}-limit-${key}`;
            const error = errors[key];
            return (
              <Field key={key} id={id} label={LIMIT_LABELS[key]} error={error} className="narrow">
                <input
                  id={id}
                  inputMode={whole ? 'numeric' : 'decimal'}
                  placeholder="server's"
                  value={draft.limits[key]}
                  aria-invalid={error !== undefined}
                  aria-describedby={error ? `${id}-msg` : undefined}
                  data-testid={id}
                  onChange={(e) => onChange({ ...draft, limits: { ...draft.limits, [key]: e.target.value } })}
                />
              </Field>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

function AccessControl({
  idPrefix,
  kind,
  draft,
  error,
  disabled,
  onChange,
}: {
  idPrefix: string;
  kind: AccessKind;
  draft: MemberAccessDraft;
  error: string | undefined;
  disabled: boolean;
  onChange: (draft: MemberAccessDraft) => void;
}) {
  const access = draft[kind];
  const labels = ACCESS_LABELS[kind];
  const id = `${idPrefix}-${kind}-patterns`;
  return (
    <div className="access-control">
      <ChoiceGroup
        name={`${idPrefix}-${kind}`}
        label={labels.title}
        value={access.choice}
        choices={CHOICES}
        disabled={disabled}
        onChange={(choice) => onChange({ ...draft, [kind]: { ...access, choice } })}
      />
      {access.choice === 'selected' && (
        <div className={error ? 'field field-invalid' : 'field'}>
          <label htmlFor={id} className="sr-only">
            {labels.patterns}
          </label>
          <textarea
            id={id}
            rows={2}
            className="mono"
            spellCheck={false}
            placeholder={labels.placeholder}
            value={access.patterns}
            disabled={disabled}
            aria-invalid={error !== undefined}
            aria-describedby={`${id}-msg`}
            data-testid={id}
            onChange={(e) => onChange({ ...draft, [kind]: { ...access, patterns: e.target.value } })}
          />
          {error ? (
            <p className="field-error" id={`${id}-msg`} role="alert" data-testid={`${id}-error`}>
              {error.charAt(0).toUpperCase() + error.slice(1)}
            </p>
          ) : (
            <p className="field-hint" id={`${id}-msg`}>
              Comma- or newline-separated; <code>*</code> matches any run of characters.
            </p>
          )}
        </div>
      )}
    </div>
  );
}
