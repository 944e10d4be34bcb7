import { Fragment, useState } from 'react';
import type { HostChanged, HostCheck, HostView } from '../../../../src-main/shared/contract';
import type { ErrorShape } from '../../../../src-main/shared/errors';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { ConfirmButton } from '../../../components/ui/confirm-button';
import { useCheckHost, useRemoveHost } from '../hooks/use-hosts';
import { EditHostForm } from './edit-host-form';
import { HostCheckView } from './host-check-view';

const AUTH_LABEL: Record<HostView['auth'], string> = {
  password: 'password',
  key: 'key',
  agent: 'ssh agent',
  none: '—',
};

export function hostAddress(host: HostView): string {
  if (host.kind === 'local') return 'local Docker socket';
  return `${host.user ?? '?'}@${host.address ?? '?'}${host.port !== null && host.port !== 22 ? `:${host.port}` : ''}`;
}

function Fingerprint({ host }: { host: HostView }) {
  if (host.kind === 'local') return <span className="muted">—</span>;
  if (!host.hostKeySha256) return <span className="muted">pinned on first connect</span>;
  return (
    <code className="fingerprint" title={host.hostKeySha256}>
      {host.hostKeySha256}
    </code>
  );
}

type CheckOutcome = { check: HostCheck } | { error: ErrorShape };

export interface HostsTableProps {
  hosts: HostView[];
  /** Instances per host name, from the health summary. */
  instanceCounts: ReadonlyMap<string, number> | undefined;
}

export function HostsTable({ hosts, instanceCounts }: HostsTableProps) {
  const remove = useRemoveHost();
  const check = useCheckHost();
  const [checking, setChecking] = useState<string | null>(null);
  const [outcomes, setOutcomes] = useState<Record<string, CheckOutcome>>({});
  const [editing, setEditing] = useState<string | null>(null);
  const [edited, setEdited] = useState<HostChanged | null>(null);

  async function runCheck(name: string) {
    setChecking(name);
    const result = await check.run({ name });
    setChecking(null);
    setOutcomes((old) => ({ ...old, [name]: result.ok ? { check: result.data } : { error: result.error } }));
  }

  return (
    <>
      {remove.error && <ErrorAlert error={remove.error} testId="host-remove-error" />}
      <div className="table-wrap">
        <table className="table" data-testid="hosts-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Address</th>
              <th>Auth</th>
              <th>Pinned host key</th>
              <th>Docker</th>
              <th className="num">Instances</th>
              <th className="col-actions" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {hosts.map((host) => {
              const outcome = outcomes[host.name];
              const docker = outcome && 'check' in outcome ? outcome.check.dockerVersion : undefined;
              return (
                <Fragment key={host.name}>
                  <tr data-testid={`host-row-${host.name}`}>
                    <td className="strong">{host.name}</td>
                    <td>
                      <span className={`tag tag-${host.kind}`}>{host.kind === 'ssh' ? 'SSH' : 'local'}</span>
                    </td>
                    <td className="mono">{hostAddress(host)}</td>
                    <td>{AUTH_LABEL[host.auth]}</td>
                    <td className="cell-clip">
                      <Fingerprint host={host} />
                    </td>
                    <td className="mono" data-testid={`host-docker-${host.name}`}>
                      {docker ?? (
                        <span className="muted">{docker === null ? 'not found' : 'check to see'}</span>
                      )}
                    </td>
                    <td className="num" data-testid={`host-instances-${host.name}`}>
                      {instanceCounts?.get(host.name) ?? (instanceCounts ? 0 : '')}
                    </td>
                    <td className="col-actions">
                      <span className="row-actions">
                        {host.kind === 'ssh' && (
                          <Button
                            variant="ghost"
                            onClick={() => {
                              setEdited(null);
                              setEditing(editing === host.name ? null : host.name);
                            }}
                            data-testid={`host-edit-button-${host.name}`}
                          >
                            Edit
                          </Button>
                        )}
                        <Button
                          variant="ghost"
                          busy={checking === host.name}
                          onClick={() => void runCheck(host.name)}
                          data-testid={`host-check-${host.name}`}
                        >
                          Check
                        </Button>
                        <ConfirmButton
                          label="Remove"
                          confirmLabel={`Remove ${host.name}`}
                          testId={`host-remove-${host.name}`}
                          busy={remove.pending}
                          onConfirm={() => void remove.run({ name: host.name })}
                        />
                      </span>
                    </td>
                  </tr>
                  {editing === host.name && (
                    <tr className="detail-row">
                      <td colSpan={8}>
                        <EditHostForm
                          host={host}
                          onCancel={() => setEditing(null)}
                          onDone={(result) => {
                            setEditing(null);
                            setEdited(result);
                          }}
                        />
                      </td>
                    </tr>
                  )}
                  {edited?.host.name === host.name && (
                    <tr className="detail-row">
                      <td colSpan={8} data-testid={`host-edit-done-${host.name}`}>
                        {edited.changed.length === 0
                          ? 'Nothing changed: the host already has those settings.'
                          : `Saved: ${edited.changed.join(', ')} (${edited.checked ? 'the new settings logged in' : 'not tried'}). The next use connects with them.`}
                      </td>
                    </tr>
                  )}
                  {outcome && (
                    <tr className="detail-row">
                      <td colSpan={8}>
                        {'check' in outcome ? (
                          <HostCheckView check={outcome.check} testId={`host-check-result-${host.name}`} />
                        ) : (
                          <ErrorAlert error={outcome.error} testId={`host-check-error-${host.name}`} />
                        )}
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
