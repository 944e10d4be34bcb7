import { useState } from 'react';
import type { ServerView } from '../../../../src-main/shared/contract';
import { Button } from '../../../components/ui/button';
import { capsText, rootsText } from '../hooks/bridge-settings-draft';
import { mountText } from '../hooks/reach-draft';
import { ServerEditDialog } from './server-edit-dialog';
import { EnvSummary } from './servers-table';

/**
 * A server's definition as a compact description list; with `editable` (the server's page) an Edit
 * button opens the dialog that changes it.
 */
export function ServerDefinition({ server, editable = true }: { server: ServerView; editable?: boolean }) {
  const [editing, setEditing] = useState(false);
  const roots = rootsText(server.roots);
  const caps = capsText(server.bridgeLimits);
  const { mounts, networks, extraHosts, allowDockerSocket } = server.reach;
  return (
    <>
      {editable && (
        <header className="panel-header">
          <h2>Definition</h2>
          <Button
            variant="secondary"
            aria-label={`Edit ${server.name}`}
            onClick={() => setEditing(true)}
            data-testid="server-edit-open"
          >
            Edit
          </Button>
        </header>
      )}
      <dl className="facts" data-testid="server-definition">
        <dt>Source</dt>
        <dd>
          <span className="tag">{server.source.kind}</span>{' '}
          <code data-testid="server-definition-source">{server.source.value}</code>
        </dd>
        <dt>Arguments</dt>
        <dd data-testid="server-definition-args">
          {server.args.length > 0 ? (
            <code>{server.args.join(' ')}</code>
          ) : (
            <span className="muted">none</span>
          )}
        </dd>
        <dt>Environment</dt>
        <dd className="cell-wrap" data-testid="server-definition-env">
          <EnvSummary env={server.env} />
        </dd>
        <dt>Mode</dt>
        <dd>
          <span className={`tag tag-${server.mode}`}>{server.mode}</span>
        </dd>
        <dt>Port</dt>
        <dd className="mono" data-testid="server-definition-port">
          {server.port ?? <span className="muted">chosen at deploy</span>}
        </dd>
        {server.mode === 'shared' && (
          <>
            <dt>Roots</dt>
            <dd className="cell-wrap" data-testid="server-definition-roots">
              {roots === null ? <span className="muted">none</span> : <code>{roots}</code>}
            </dd>
          </>
        )}
        <dt>Bridge caps</dt>
        <dd className="cell-wrap" data-testid="server-definition-caps">
          {caps ?? <span className="muted">the bridge&apos;s defaults</span>}
        </dd>
        <dt>Mounts</dt>
        <dd className="cell-wrap" data-testid="server-definition-mounts">
          {mounts.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            mounts.map((m) => (
              <div key={m.target}>
                <code>{mountText(m)}</code>
              </div>
            ))
          )}
          {allowDockerSocket && <div className="text-warn">The Docker socket is allowed.</div>}
        </dd>
        <dt>Networks</dt>
        <dd className="cell-wrap" data-testid="server-definition-networks">
          {networks.length === 0 ? <span className="muted">none</span> : <code>{networks.join(', ')}</code>}
        </dd>
        <dt>Extra hosts</dt>
        <dd className="cell-wrap" data-testid="server-definition-extra-hosts">
          {extraHosts.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            <code>{extraHosts.map((h) => `${h.name} → ${h.ip}`).join(', ')}</code>
          )}
        </dd>
      </dl>
      {editing && <ServerEditDialog server={server} onClose={() => setEditing(false)} />}
    </>
  );
}
