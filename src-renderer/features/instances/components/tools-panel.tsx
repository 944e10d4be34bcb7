import { ErrorAlert } from '../../../components/ui/alert';
import { useInstanceList } from '../hooks/use-instances';

/** The tools the instance listed through the auth layer at its last connection test, and its drift. */
export function ToolsPanel({ server, containerName }: { server: string; containerName: string }) {
  const list = useInstanceList(server);
  const view = list.data?.find((i) => i.name === containerName);
  return (
    <section className="panel" aria-labelledby="tools-title" data-testid="tools-panel">
      <header className="panel-header">
        <h2 id="tools-title">Tools</h2>
        {view && (
          <span className="muted" data-testid="instance-drift">
            container {view.state} · {view.drift === 'ok' ? 'as defined' : view.drift}
          </span>
        )}
      </header>
      {view?.tls && <TlsLine tls={view.tls} />}
      {list.error && <ErrorAlert error={list.error} testId="tools-error" />}
      {!list.data && (
        <p className="muted progress-line">
          <span className="spinner" aria-hidden="true" /> Asking the host…
        </p>
      )}
      {list.data && !view && <p className="muted">The host does not report this container.</p>}
      {view?.error && <p className="field-error">{view.error}</p>}
      {view?.tools && (
        <ul className="tool-list" data-testid="instance-tools">
          {view.tools.map((tool) => (
            <li key={tool} data-testid={`instance-tool-${tool}`}>
              <code>{tool}</code>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** How clients reach the bridge: HTTPS with the certificate's expiry, or plain HTTP said loudly. */
function TlsLine({ tls }: { tls: { kind: 'fleet' | 'own' | 'none'; notAfter: string | null } }) {
  if (tls.kind === 'none') {
    return (
      <p className="field-error" role="alert" data-testid="instance-tls">
        No TLS: this instance serves plain HTTP (deployed with --no-tls). Tokens cross the network readable
        unless your own TLS terminator sits in front of it.
      </p>
    );
  }
  const issuer = tls.kind === 'fleet' ? 'fleet CA certificate' : 'your own certificate';
  return (
    <p className="muted" data-testid="instance-tls">
      HTTPS · {issuer}
      {tls.notAfter ? `, expires ${tls.notAfter.slice(0, 10)}` : ''}
    </p>
  );
}
