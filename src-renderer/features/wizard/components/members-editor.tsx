import type { Mode } from '../../../../src-main/shared/contract';
import { Button } from '../../../components/ui/button';
import { MemberAccessFields } from '../../members/components/member-access-fields';
import { shownAccessErrors } from '../../members/hooks/member-access-draft';
import { memberErrors, newMemberDraft } from '../hooks/member-drafts';
import type { MemberDraft } from '../hooks/wizard-context';

export interface MembersEditorProps {
  mode: Mode;
  members: MemberDraft[];
  showErrors: boolean;
  onChange: (members: MemberDraft[]) => void;
}

/** Who consumes the server: one token each; in Dedicated mode also one instance each. */
export function MembersEditor({ mode, members, showErrors, onChange }: MembersEditorProps) {
  const errors = memberErrors(members);
  const nextId = members.reduce((max, m) => Math.max(max, m.id), 0) + 1;
  const set = (id: number, patch: Partial<MemberDraft>) =>
    onChange(members.map((m) => (m.id === id ? { ...m, ...patch } : m)));

  return (
    <fieldset className="env-editor" data-testid="wizard-members">
      <legend>Members</legend>
      <p className="field-hint">
        {mode === 'dedicated'
          ? 'Each member gets a token and an instance of their own. Add at least one.'
          : 'Each member gets a token for the one shared instance.'}{' '}
        Each may use all tools, resources and prompts, only those matching patterns, or none.
      </p>
      {members.map((m, i) => {
        const nameError = showErrors || m.name !== '' ? errors[m.id]?.name : undefined;
        const stored = m.token !== null;
        return (
          <div
            key={m.id}
            className="member-card"
            role="group"
            aria-label={`Member ${i + 1}`}
            data-testid={`wizard-member-${i}`}
          >
            <div className="env-row member-row">
              <input
                aria-label={`Member ${i + 1} name`}
                placeholder="alice"
                spellCheck={false}
                value={m.name}
                disabled={stored}
                aria-invalid={nameError !== undefined}
                data-testid={`wizard-member-name-${i}`}
                onChange={(e) => set(m.id, { name: e.target.value })}
              />
              <span className="muted member-state">{stored ? 'added' : ''}</span>
              <Button
                variant="ghost"
                aria-label={`Remove member ${i + 1}`}
                disabled={stored}
                data-testid={`wizard-member-remove-${i}`}
                onClick={() => onChange(members.filter((x) => x.id !== m.id))}
              >
                ×
              </Button>
              {nameError && (
                <p className="field-error env-error" role="alert" data-testid={`wizard-member-error-${i}`}>
                  Name {nameError}
                </p>
              )}
            </div>
            <MemberAccessFields
              idPrefix={`wizard-member-${i}`}
              draft={m.access}
              errors={stored ? {} : shownAccessErrors(m.access, showErrors)}
              disabled={stored}
              onChange={(access) => set(m.id, { access })}
            />
          </div>
        );
      })}
      <div className="field-actions">
        <Button
          variant="ghost"
          onClick={() => onChange([...members, newMemberDraft(nextId)])}
          data-testid="wizard-member-add"
        >
          + Add member
        </Button>
      </div>
    </fieldset>
  );
}
