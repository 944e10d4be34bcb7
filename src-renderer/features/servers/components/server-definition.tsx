import type { ServerView } from '../../../../src-main/shared/contract';
import { capsText, rootsText } from '../hooks/bridge-settings-draft';
import { EnvSummary } from './servers-table';

/** A server's definition as a compact description list. */
export function ServerDefinition({ server }: { server: ServerView }) {
  const roots = rootsText(server.roots);
  const caps = capsText(server.bridgeLimits);
  return (
    <dl className="facts" data-testid="server-definition">
      <dt>Source</dt>
      <dd>
        <span className="tag">{server.source.kind}</span> <code>{server.source.value}</code>
      </dd>
      <dt>Arguments</dt>
      <dd>
        {server.args.length > 0 ? <code>{server.args.join(' ')}</code> : <span className="muted">none</span>}
      </dd>
      <dt>Environment</dt>
      <dd className="cell-wrap">
        <EnvSummary env={server.env} />
      </dd>
      <dt>Mode</dt>
      <dd>
        <span className={`tag tag-${server.mode}`}>{server.mode}</span>
      </dd>
      <dt>Port</dt>
      <dd className="mono">{server.port ?? <span className="muted">chosen at deploy</span>}</dd>
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
    </dl>
  );
}
