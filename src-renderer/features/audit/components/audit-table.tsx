import type { AuditCallView } from '../../../../src-main/shared/contract';

function duration(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** The calls newest first. Every text came from a container: React escapes it, nothing is a link. */
export function AuditTable({ calls }: { calls: readonly AuditCallView[] }) {
  const newestFirst = [...calls].reverse();
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="audit-table">
        <thead>
          <tr>
            <th>Time (UTC)</th>
            <th>Server</th>
            <th>Instance</th>
            <th>Member</th>
            <th>Method</th>
            <th>Target</th>
            <th>Outcome</th>
            <th className="num">Duration</th>
            <th>Correlation id</th>
          </tr>
        </thead>
        <tbody>
          {newestFirst.map((c, i) => (
            <tr
              key={`${c.at} ${c.correlationId ?? i}`}
              data-testid="audit-row"
              data-member={c.member ?? ''}
              data-outcome={c.outcome}
            >
              <td className="mono" title={c.at}>
                {c.at.replace('T', ' ').replace(/Z$/, '')}
              </td>
              <td>{c.server}</td>
              <td className="cell-clip mono" title={c.instance}>
                {c.instance}
              </td>
              <td>{c.member ?? <span className="muted">—</span>}</td>
              <td className="mono">{c.method}</td>
              <td className="cell-clip mono" title={c.target ?? undefined}>
                {c.target ?? <span className="muted">—</span>}
              </td>
              <td>
                <span className={c.outcome === 'ok' ? 'tag audit-ok' : 'tag audit-fail'}>{c.outcome}</span>
              </td>
              <td className="num">{duration(c.ms)}</td>
              <td className="mono">{c.correlationId ?? <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
