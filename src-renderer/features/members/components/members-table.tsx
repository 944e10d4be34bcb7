import type { MemberView } from '../../../../src-main/shared/contract';
import { Button } from '../../../components/ui/button';
import { ConfirmButton } from '../../../components/ui/confirm-button';
import { accessText, limitsText } from '../hooks/member-access-draft';

export interface MembersTableProps {
  members: MemberView[];
  removing: boolean;
  onEdit: (member: MemberView) => void;
  /** Opens "Install in a client on this computer" for the member. */
  onInstall: (member: MemberView) => void;
  onRemove: (member: MemberView) => void;
}

function Access({ list, testId }: { list: readonly string[]; testId: string }) {
  const text = accessText(list);
  const plain = text === 'all' || text === 'none';
  return (
    <td className={plain ? 'muted' : 'mono cell-clip'} title={plain ? undefined : text} data-testid={testId}>
      {text}
    </td>
  );
}

/** A server's members: what each may use, its own limits, and the actions on it. */
export function MembersTable({ members, removing, onEdit, onInstall, onRemove }: MembersTableProps) {
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="members-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Tools</th>
            <th>Resources</th>
            <th>Prompts</th>
            <th>Limits</th>
            <th>Port</th>
            <th>Token</th>
            <th className="col-actions" aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {members.map((m) => {
            const limits = limitsText(m.limits);
            return (
              <tr key={m.name} data-testid={`member-row-${m.name}`}>
                <td className="strong">{m.name}</td>
                <Access list={m.tools} testId={`member-tools-${m.name}`} />
                <Access list={m.resources} testId={`member-resources-${m.name}`} />
                <Access list={m.prompts} testId={`member-prompts-${m.name}`} />
                <td className={limits === null ? 'muted' : undefined} data-testid={`member-limits-${m.name}`}>
                  {limits ?? "server's"}
                </td>
                <td className="mono">{m.port ?? '—'}</td>
                <td>
                  {m.rotating ? (
                    <span className="text-warn">rotating</span>
                  ) : (
                    <span className="muted">stored</span>
                  )}
                </td>
                <td className="col-actions">
                  <span className="row-actions">
                    <Button
                      variant="ghost"
                      aria-label={`Edit ${m.name}`}
                      data-testid={`member-edit-${m.name}`}
                      onClick={() => onEdit(m)}
                    >
                      Edit
                    </Button>
                    <Button
                      variant="ghost"
                      aria-label={`Install ${m.name}'s entry in a client on this computer`}
                      title="Install in a client on this computer"
                      data-testid={`member-install-${m.name}`}
                      onClick={() => onInstall(m)}
                    >
                      Install…
                    </Button>
                    <ConfirmButton
                      label="Remove"
                      confirmLabel={`Remove ${m.name}`}
                      testId={`member-remove-${m.name}`}
                      busy={removing}
                      onConfirm={() => onRemove(m)}
                    />
                  </span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
