import { useEffect, useMemo, useRef, useState } from 'react';
import { ErrorAlert } from '../../../components/ui/alert';
import { Button } from '../../../components/ui/button';
import { useLogs } from '../hooks/use-logs';

/** Live logs with follow and search; a fixed frame that keeps the newest line in view while following. */
export function LogsPanel({ name, host }: { name: string; host: string }) {
  const [follow, setFollow] = useState(true);
  const [search, setSearch] = useState('');
  const logs = useLogs(name, host, 500, follow);
  const ref = useRef<HTMLPreElement>(null);
  const needle = search.trim().toLowerCase();
  const shown = useMemo(
    () => (logs.lines ?? []).filter((l) => needle === '' || l.text.toLowerCase().includes(needle)),
    [logs.lines, needle],
  );

  useEffect(() => {
    const el = ref.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [shown, follow]);

  return (
    <section className="panel" aria-labelledby="logs-title" data-testid="logs-panel">
      <header className="panel-header">
        <h2 id="logs-title">Logs</h2>
        <span className="muted">{logs.lines ? `${shown.length} of ${logs.lines.length} lines` : ''}</span>
        <span className="spacer" />
        <input
          type="search"
          className="logs-search"
          placeholder="Search"
          value={search}
          aria-label="Search the logs"
          data-testid="logs-search"
          onChange={(e) => setSearch(e.target.value)}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={follow}
            onChange={(e) => setFollow(e.target.checked)}
            data-testid="logs-follow"
          />
          follow
        </label>
        <Button
          variant="ghost"
          busy={logs.loading && !follow}
          onClick={() => void logs.reload()}
          data-testid="logs-refresh"
        >
          Refresh
        </Button>
      </header>
      {logs.error && <ErrorAlert error={logs.error} testId="logs-error" />}
      <pre ref={ref} className="logs" tabIndex={0} data-testid="logs-content" aria-busy={logs.lines === null}>
        {logs.lines === null
          ? 'Reading the log…'
          : shown.length === 0
            ? needle
              ? 'No line matches.'
              : 'The log is empty.'
            : shown.map((l, i) => (
                <span key={i} className={l.stream === 'stderr' ? 'log-line log-stderr' : 'log-line'}>
                  {l.text}
                  {'\n'}
                </span>
              ))}
      </pre>
    </section>
  );
}
