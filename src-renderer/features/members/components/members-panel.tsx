import { useState, type FormEvent } from 'react';
import { Name, type Mode } from '../../../../src-main/shared/contract';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { ConfirmButton } from '../../../components/ui/confirm-button';
import { CopyButton } from '../../../components/ui/copy-button';
import { ProgressLog } from '../../deploy/components/progress-log';
import { useProgress } from '../../deploy/hooks/use-progress';
import { useAddMember, useMembers, useRemoveMember } from '../hooks/use-members';

/** A server's members: add one (its token shown once, with a copy button), remove one. */
export function MembersPanel({ server, mode }: { server: string; mode: Mode }) {
  const members = useMembers(server);
  const add = useAddMember();
  const remove = useRemoveMember();
  const progress = useProgress();
  const [name, setName] = useState('');
  const [tools, setTools] = useState('');
  const [touched, setTouched] = useState(false);
  const [added, setAdded] = useState<{ name: string; token: string; deployError: string | null } | null>(
    null,
  );
  const nameError =
    name.trim() === '' ? 'is required' : Name.safeParse(name.trim()).error?.issues[0]?.message;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (nameError) return;
    const list = tools
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const streamId = progress.begin();
    const result = await add.run({
      server,
      name: name.trim(),
      streamId,
      ...(list.length > 0 ? { tools: list } : {}),
    });
    if (result.ok) {
      setAdded({
        name: result.data.member.name,
        token: result.data.token,
        deployError: result.data.deployError,
      });
      setName('');
      setTools('');
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
        <table className="table table-compact" data-testid="members-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Tools</th>
              <th>Port</th>
              <th>Token</th>
              <th className="col-actions" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {members.data.map((m) => (
              <tr key={m.name} data-testid={`member-row-${m.name}`}>
                <td className="strong">{m.name}</td>
                <td className="mono cell-clip">{m.tools.length > 0 ? m.tools.join(', ') : 'all'}</td>
                <td className="mono">{m.port ?? '—'}</td>
                <td>
                  {m.rotating ? (
                    <span className="text-warn">rotating</span>
                  ) : (
                    <span className="muted">stored</span>
                  )}
                </td>
                <td className="col-actions">
                  <ConfirmButton
                    label="Remove"
                    confirmLabel={`Remove ${m.name}`}
                    testId={`member-remove-${m.name}`}
                    busy={remove.pending}
                    onConfirm={() => void remove.run({ server, name: m.name, streamId: progress.begin() })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
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
      <form className="member-add" onSubmit={(e) => void submit(e)} noValidate>
        <input
          aria-label="New member name"
          placeholder="new member, e.g. alice"
          value={name}
          spellCheck={false}
          aria-invalid={touched && nameError !== undefined}
          data-testid="member-add-name"
          onChange={(e) => setName(e.target.value)}
        />
        <input
          aria-label="Tools the member may call"
          placeholder="tools: all (or e.g. read_*, echo)"
          className="mono"
          value={tools}
          spellCheck={false}
          data-testid="member-add-tools"
          onChange={(e) => setTools(e.target.value)}
        />
        <Button type="submit" busy={add.pending} data-testid="member-add-submit">
          Add member
        </Button>
      </form>
      {touched && nameError && (
        <p className="field-error" role="alert" data-testid="member-add-error">
          Name {nameError}
        </p>
      )}
      {add.error && <ErrorAlert error={add.error} testId="member-add-server-error" />}
      {(add.pending || remove.pending) && (
        <ProgressLog lines={progress.lines} running testId="members-progress" />
      )}
    </section>
  );
}
