import type { HostView } from '../../../../src-main/shared/contract';
import { ConfirmButton } from '../../../components/ui/confirm-button';
import { ErrorAlert } from '../../../components/ui/alert';
import { useRemoveHost } from '../hooks/use-hosts';

const AUTH_LABEL: Record<HostView['auth'], string> = {
  password: 'password',
  key: 'key',
  agent: 'ssh agent',
  none: '—',
};

function address(host: HostView): string {
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

export function HostsTable({ hosts }: { hosts: HostView[] }) {
  const remove = useRemoveHost();
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
              <th className="col-actions" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {hosts.map((host) => (
              <tr key={host.name} data-testid={`host-row-${host.name}`}>
                <td className="strong">{host.name}</td>
                <td>
                  <span className={`tag tag-${host.kind}`}>{host.kind === 'ssh' ? 'SSH' : 'local'}</span>
                </td>
                <td className="mono">{address(host)}</td>
                <td>{AUTH_LABEL[host.auth]}</td>
                <td className="cell-clip">
                  <Fingerprint host={host} />
                </td>
                <td className="col-actions">
                  <ConfirmButton
                    label="Remove"
                    confirmLabel={`Remove ${host.name}`}
                    testId={`host-remove-${host.name}`}
                    busy={remove.pending}
                    onConfirm={() => void remove.run({ name: host.name })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
