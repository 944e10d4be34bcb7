import type { ServerVersion, ServerView } from '../../../../src-main/shared/contract';
import { ConfirmButton } from '../../../components/ui/confirm-button';
import { ErrorAlert } from '../../../components/ui/alert';
import { href } from '../../../lib/router';
import { useRemoveServer, useServerVersions } from '../hooks/use-servers';

export const SECRET_MASK = '••••';

export function EnvSummary({ env }: { env: ServerView['env'] }) {
  if (env.length === 0) return <span className="muted">none</span>;
  const secrets = env.filter((entry) => entry.secret).length;
  const full = env
    .map((entry) => `${entry.key}=${entry.secret ? SECRET_MASK : (entry.value ?? '')}`)
    .join('\n');
  return (
    <span className="env-summary" title={full}>
      <span className="count">{env.length}</span>
      {env.map((entry) => (
        <code key={entry.key} className={entry.secret ? 'env-chip secret' : 'env-chip'}>
          {entry.key}={entry.secret ? SECRET_MASK : entry.value}
        </code>
      ))}
      {secrets > 0 && <span className="sr-only">{secrets} secret</span>}
    </span>
  );
}

/** Marks a server whose registry has a newer version than the one pinned (or that names none). */
export function UpdateTag({ version }: { version: ServerVersion | undefined }) {
  if (!version?.outdated || version.latest === null) return null;
  const title =
    version.pinned === null
      ? `No exact version is pinned; ${version.latest} is the latest on ${version.registry}`
      : `${version.latest} is the latest on ${version.registry}; ${version.pinned} is pinned`;
  return (
    <span className="tag tag-update" title={title} data-testid={`server-update-${version.server}`}>
      {version.latest} available
    </span>
  );
}

export function ServersTable({ servers }: { servers: ServerView[] }) {
  const remove = useRemoveServer();
  const versions = useServerVersions();
  const versionOf = new Map((versions.data ?? []).map((v) => [v.server, v]));
  return (
    <>
      {remove.error && <ErrorAlert error={remove.error} testId="server-remove-error" />}
      <div className="table-wrap">
        <table className="table" data-testid="servers-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Source</th>
              <th>Mode</th>
              <th>Port</th>
              <th>Env</th>
              <th className="num">Members</th>
              <th className="num">Instances</th>
              <th className="col-actions" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {servers.map((server) => (
              <tr key={server.name} data-testid={`server-row-${server.name}`}>
                <td className="strong">
                  <a
                    href={href({ page: 'server', name: server.name })}
                    className="row-link"
                    data-testid={`server-link-${server.name}`}
                  >
                    {server.name}
                  </a>
                </td>
                <td className="cell-clip">
                  <span className="tag">{server.source.kind}</span>{' '}
                  <UpdateTag version={versionOf.get(server.name)} />{' '}
                  <code className="mono" title={[server.source.value, ...server.args].join(' ')}>
                    {server.source.value}
                    {server.args.length > 0 && <span className="muted"> {server.args.join(' ')}</span>}
                  </code>
                </td>
                <td>
                  <span className={`tag tag-${server.mode}`}>{server.mode}</span>
                </td>
                <td className="mono">{server.port ?? <span className="muted">auto</span>}</td>
                <td className="cell-clip" data-testid={`server-env-${server.name}`}>
                  <EnvSummary env={server.env} />
                </td>
                <td className="num">{server.memberCount}</td>
                <td className="num">{server.instanceCount}</td>
                <td className="col-actions">
                  <ConfirmButton
                    label="Remove"
                    confirmLabel={`Remove ${server.name}`}
                    testId={`server-remove-${server.name}`}
                    busy={remove.pending}
                    onConfirm={() => void remove.run({ name: server.name })}
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
