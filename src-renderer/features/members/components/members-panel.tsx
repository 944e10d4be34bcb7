import { useRef, useState, type FormEvent } from 'react';
import { Name, type MemberView, type Mode } from '../../../../src-main/shared/contract';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { CopyButton } from '../../../components/ui/copy-button';
import { ProgressLog } from '../../deploy/components/progress-log';
import { useProgress } from '../../deploy/hooks/use-progress';
import { memberAccessInput, newMemberAccessDraft, shownAccessErrors } from '../hooks/member-access-draft';
import { useAddMember, useMembers, useRemoveMember } from '../hooks/use-members';
import { MemberAccessFields } from './member-access-fields';
import { ClientInstallDialog } from './client-install-dialog';
import { MemberEditDialog } from './member-edit-dialog';
import { MembersTable } from './members-table';

/** A server's members: add one (its token shown once, with a copy button), edit or remove one. */
export function MembersPanel({ server, mode }: { server: string; mode: Mode }) {
  const members = useMembers(server);
  const add = useAddMember();
  const remove = useRemoveMember();
  const progress = useProgress();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [access, setAccess] = useState(newMemberAccessDraft);
  const [touched, setTouched] = useState(false);
  const [editing, setEditing] = useState<MemberView | null>(null);
  const [installing, setInstalling] = useState<MemberView | null>(null);
  const [added, setAdded] = useState<{ name: string; token: string; deployError: string | null } | null>(
    null,
  );
  const nameError =
    name.trim() === '' ? 'is required' : Name.safeParse(name.trim()).error?.issues[0]?.message;
  const accessErrors = shownAccessErrors(access, touched);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    const input = memberAccessInput(access);
    if (nameError || !input) {
      // The errors render with this state change; focus the first field in error after they do.
      requestAnimationFrame(() =>
        formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
      );
      return;
    }
    const result = await add.run({ server, name: name.trim(), ...input, streamId: progress.begin() });
    if (result.ok) {
      setAdded({
        name: result.data.member.name,
        token: result.data.token,
        deployError: result.data.deployError,
      });
      setName('');
      setAccess(newMemberAccessDraft());
      setTouched(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="members-title" data-testid="members-panel">
      <header className="panel-header">
        <h2 id="members-title">Members</h2>
        <span className="muted">
          {mode === 'dedicated'
            ? 'each has a token and an instance of their own'
            : 'each has a token for the shared instance'}
        </span>
      </header>
      {members.error && <ErrorAlert error={members.error} testId="members-error" />}
      {remove.error && <ErrorAlert error={remove.error} testId="member-remove-error" />}
      {members.data && members.data.length === 0 && (
        <p className="muted">No members yet: add the first below.</p>
      )}
      {members.data && members.data.length > 0 && (
        <MembersTable
          members={members.data}
          removing={remove.pending}
          onEdit={setEditing}
          onInstall={setInstalling}
          onRemove={(m) => void remove.run({ server, name: m.name, streamId: progress.begin() })}
        />
      )}
      {editing && <MemberEditDialog member={editing} onClose={() => setEditing(null)} />}
      {installing && <ClientInstallDialog member={installing} onClose={() => setInstalling(null)} />}
      {added && (
        <div className="token-once" data-testid="member-token">
          <p>
            <strong>{added.name}</strong>&apos;s token, shown this once: copy it to them now.
          </p>
          <div className="token-row">
            <code className="token" data-testid="member-token-value">
              {added.token}
            </code>
            <CopyButton text={added.token} testId="member-token-copy" />
            <Button variant="ghost" onClick={() => setAdded(null)} data-testid="member-token-dismiss">
              Done
            </Button>
          </div>
          {added.deployError && (
            <p className="field-error">Its instance did not deploy: {added.deployError}</p>
          )}
        </div>
      )}
      <form
        ref={formRef}
        className="member-form"
        aria-label="Add a member"
        onSubmit={(e) => void submit(e)}
        noValidate
      >
        <h3 className="nested-title">Add a member</h3>
        <div className="member-add">
          <input
            aria-label="New member name"
            placeholder="new member, e.g. alice"
            value={name}
            spellCheck={false}
            aria-invalid={touched && nameError !== undefined}
            data-testid="member-add-name"
            onChange={(e) => setName(e.target.value)}
          />
          <Button type="submit" busy={add.pending} data-testid="member-add-submit">
            Add member
          </Button>
        </div>
        {touched && nameError && (
          <p className="field-error" role="alert" data-testid="member-add-error">
            Name {nameError}
          </p>
        )}
        <MemberAccessFields
          idPrefix="member-add"
          draft={access}
          errors={accessErrors}
          disabled={add.pending}
          onChange={setAccess}
        />
      </form>
      {add.error && <ErrorAlert error={add.error} testId="member-add-server-error" />}
      {(add.pending || remove.pending) && (
        <ProgressLog lines={progress.lines} running testId="members-progress" />
      )}
    </section>
  );
}
