import type { Mode } from '../../../../src-main/shared/contract';
import { Button } from '../../../components/ui/button';
import { memberErrors } from '../hooks/member-drafts';
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
          : 'Each member gets a token for the one shared instance. Leave tools empty to allow every tool.'}
      </p>
      {members.map((m, i) => {
        const error = showErrors || m.name !== '' ? errors[m.id] : undefined;
        const stored = m.token !== null;
        return (
          <div key={m.id} className="env-row member-row">
            <input
              aria-label={`Member ${i + 1} name`}
              placeholder="alice"
              spellCheck={false}
              value={m.name}
              disabled={stored}
              aria-invalid={error?.name !== undefined}
              data-testid={`wizard-member-name-${i}`}
              onChange={(e) => set(m.id, { name: e.target.value })}
            />
            <input
              aria-label={`Member ${i + 1} tools`}
              placeholder="all tools (or e.g. read_*, echo)"
              className="mono"
              spellCheck={false}
              value={m.tools}
              disabled={stored}
              aria-invalid={error?.tools !== undefined}
              data-testid={`wizard-member-tools-${i}`}
              onChange={(e) => set(m.id, { tools: e.target.value })}
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
            {error && (
              <p className="field-error env-error" role="alert" data-testid={`wizard-member-error-${i}`}>
                {error.name ? `Name ${error.name}` : `Tools: ${error.tools ?? ''}`}
              </p>
            )}
          </div>
        );
      })}
      <div className="field-actions">
        <Button
          variant="ghost"
          onClick={() => onChange([...members, { id: nextId, name: '', tools: '', token: null }])}
          data-testid="wizard-member-add"
        >
          + Add member
        </Button>
      </div>
    </fieldset>
  );
}
