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
