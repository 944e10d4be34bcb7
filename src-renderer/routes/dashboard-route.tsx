import { useState } from 'react';
import { ErrorAlert } from '../components/ui/alert';
import { EmptyState } from '../components/ui/empty-state';
import { PageHeader } from '../components/ui/page-header';
import { DashboardTable } from '../features/instances/components/dashboard-table';
import { DashboardToolbar } from '../features/instances/components/dashboard-toolbar';
import { InstanceActionDialog } from '../features/instances/components/instance-action-dialog';
import { useDashboardRows, type DashFilter } from '../features/instances/hooks/use-dashboard-rows';
import { useInstanceAction } from '../features/instances/hooks/use-instance-action';
import { useHealthSummary, usePauseHealth } from '../features/instances/hooks/use-instances';
import { useServers } from '../features/servers/hooks/use-servers';
import { href, type DashboardView } from '../lib/router';

const TITLES: Record<DashboardView, string> = { shared: 'Shared', dedicated: 'Dedicated' };

/** The Shared and Dedicated views: every instance with live health, filterable, sortable, with actions. */
export function DashboardRoute({ view }: { view: DashboardView }) {
  const health = useHealthSummary();
  const servers = useServers();
  const pause = usePauseHealth();
  const action = useInstanceAction();
  const [filter, setFilter] = useState<DashFilter>({ text: '', state: 'all', sort: 'name' });
  const { rows, total, counts } = useDashboardRows(view, health.data?.instances, servers.data, filter);
  const loaded = health.data !== undefined && servers.data !== undefined;
  const nothing = loaded && rows.length === 0 && filter.text === '' && filter.state === 'all';

  return (
    <div className="page-fill">
      <PageHeader
        title={
          <span className="view-switch">
            {(['shared', 'dedicated'] as const).map((v) => (
              <a
                key={v}
                href={href({ page: 'dashboard', view: v })}
                className={v === view ? 'view-link is-active' : 'view-link'}
                aria-current={v === view ? 'page' : undefined}
                data-testid={`dash-view-${v}`}
              >
                {TITLES[v]}
              </a>
            ))}
          </span>
        }
        meta={loaded ? `${total} instance${total === 1 ? '' : 's'}` : undefined}
      />
      {health.error && <ErrorAlert error={health.error} testId="dash-error" />}
      {pause.error && <ErrorAlert error={pause.error} testId="dash-pause-error" />}
      <DashboardToolbar
        filter={filter}
        onFilter={(patch) => setFilter((old) => ({ ...old, ...patch }))}
        summary={health.data}
        counts={counts}
        pausing={pause.pending}
        onPause={(paused) => void pause.run({ paused })}
      />
      {nothing ? (
        <EmptyState title={`No ${view} servers yet.`} testId="dash-empty">
          {view === 'shared'
            ? 'A Shared server runs one instance for everybody. '
            : 'A Dedicated server runs one instance per member. '}
          Start with <a href={href({ page: 'wizard', step: 0 })}>Deploy a server</a>, or{' '}
          <code>mcp-fleet servers add NAME --npx PKG@VERSION --mode {view}</code>.
        </EmptyState>
      ) : loaded ? (
        <DashboardTable
          view={view}
          rows={rows}
          sort={filter.sort}
          onSort={(sort) => setFilter((old) => ({ ...old, sort }))}
          onAction={action.start}
        />
      ) : (
        <div className="skeleton skeleton-lg" aria-busy="true" data-testid="dash-loading" />
      )}
      <InstanceActionDialog action={action} />
    </div>
  );
}
