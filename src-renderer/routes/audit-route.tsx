import { ErrorAlert } from '../components/ui/alert';
import { Button } from '../components/ui/button';
import { EmptyState } from '../components/ui/empty-state';
import { PageHeader } from '../components/ui/page-header';
import { AuditExport, AuditFilters } from '../features/audit/components/audit-filters';
import { AuditTable } from '../features/audit/components/audit-table';
import { UsageChart } from '../features/audit/components/usage-chart';
import { daysBetween } from '../features/audit/hooks/audit-filter';
import { useAudit } from '../features/audit/hooks/use-audit';
import { useServers } from '../features/servers/hooks/use-servers';

const sorted = (values: Iterable<string | null>): string[] =>
  [...new Set(values)].filter((v): v is string => v !== null && v !== '').sort();

/** The calls through the bridges (`mcp-fleet audit`): filters, the usage chart, the table, exports. */
export function AuditRoute() {
  const a = useAudit();
  const servers = useServers();
  const calls = a.calls.data ?? [];
  const usage = a.usage.data ?? [];
  const collectButton = (
    <Button
      variant="primary"
      busy={a.collecting}
      onClick={() => void a.collect()}
      data-testid="audit-collect"
    >
      Collect now
    </Button>
  );
  return (
    <>
      <PageHeader title="Audit" meta={a.calls.data ? `${calls.length}` : undefined} actions={collectButton} />
      <div className="stack">
        {a.collectError && <ErrorAlert error={a.collectError} testId="audit-collect-error" />}
        {a.collected && (
          <div className="notice notice-ok" role="status" data-testid="audit-collected">
            Collected {a.collected.added} new {a.collected.added === 1 ? 'call' : 'calls'} from{' '}
            {a.collected.instances} {a.collected.instances === 1 ? 'instance' : 'instances'}
            {a.collected.pruned > 0 &&
              `; ${a.collected.pruned} older than ${a.collected.retentionDays} days deleted`}
            .
            {a.collected.failed.length > 0 && (
              <ul data-testid="audit-collect-failed">
                {a.collected.failed.map((f) => (
                  <li key={f.instance}>
                    {f.instance} on {f.host}: {f.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {a.nothingCollected ? (
          <EmptyState title="No calls collected yet." testId="audit-empty">
            Every request through a bridge leaves an audit line in its container&apos;s log. The app takes
            them into the store on the health monitor&apos;s schedule; <strong>Collect now</strong> (or{' '}
            <code>mcp-fleet audit --collect</code>) takes them at once.
          </EmptyState>
        ) : (
          <>
            <AuditFilters
              filter={a.filter}
              onFilter={a.setFilter}
              servers={sorted([
                ...(servers.data ?? []).map((s) => s.name),
                ...calls.map((c) => c.server),
                a.filter.server,
              ])}
              members={sorted(usage.map((r) => r.member))}
              targets={sorted(calls.map((c) => c.target))}
            />
            <section className="panel stack" data-testid="audit-usage">
              <header className="panel-header">
                <h2>Usage</h2>
                <span className="muted">
                  calls per day and member
                  {a.usage.tool !== undefined && (
                    <>
                      , <code data-testid="audit-usage-tool">{a.usage.tool}</code> only
                    </>
                  )}
                  {a.usage.clamped && ', the last 90 days at most'}
                </span>
              </header>
              {a.usage.error && <ErrorAlert error={a.usage.error} testId="audit-usage-error" />}
              {a.usage.data &&
                (usage.length === 0 ? (
                  <p className="muted" data-testid="usage-none">
                    No calls in this window.
                  </p>
                ) : (
                  <UsageChart days={daysBetween(a.usage.since, a.now)} rows={usage} />
                ))}
            </section>
            <section className="panel stack" data-testid="audit-calls">
              <header className="panel-header">
                <h2>Calls</h2>
                <span className="muted">newest first</span>
                <span className="spacer" />
                <AuditExport calls={calls} />
              </header>
              {a.calls.error && <ErrorAlert error={a.calls.error} testId="audit-list-error" />}
              {a.calls.data &&
                (calls.length === 0 ? (
                  <p className="muted" data-testid="audit-none">
                    No calls match these filters.
                  </p>
                ) : (
                  <AuditTable calls={calls} />
                ))}
            </section>
          </>
        )}
      </div>
    </>
  );
}
