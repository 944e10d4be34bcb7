import type { KeyboardEvent, MouseEvent } from 'react';
import { Menu } from '../../../components/ui/menu';
import { VirtualRows } from '../../../components/ui/virtual-rows';
import { navigate, type DashboardView } from '../../../lib/router';
import type { ActionKind } from '../hooks/use-instance-action';
import type { DashRow, SortKey } from '../hooks/use-dashboard-rows';
import type { InstanceHealth } from '../../../../src-main/shared/contract';
import { formatUptime, restartCount } from './format';
import { HealthBadge } from './health-badge';
import { LatencyCell } from './latency-cell';

const ROW_HEIGHT = 36;

interface Column {
  label: string;
  sort?: SortKey;
  className?: string;
}

const COLUMNS: Record<DashboardView, Column[]> = {
  shared: [
    { label: 'Server', sort: 'name' },
    { label: 'Host' },
    { label: 'Port', className: 'num' },
    { label: 'Health', sort: 'health' },
    { label: 'Latency', sort: 'latency' },
    { label: 'Sessions', className: 'num' },
    { label: 'Members', className: 'num' },
    { label: 'Restarts', sort: 'restarts', className: 'num' },
    { label: 'Uptime', sort: 'uptime', className: 'num' },
    { label: '' },
  ],
  dedicated: [
    { label: 'Member', sort: 'name' },
    { label: 'Host' },
    { label: 'Health', sort: 'health' },
    { label: 'Latency', sort: 'latency' },
    { label: 'Sessions', className: 'num' },
    { label: 'Restarts', sort: 'restarts', className: 'num' },
    { label: 'Uptime', sort: 'uptime', className: 'num' },
    { label: '' },
  ],
};

export interface DashboardTableProps {
  view: DashboardView;
  rows: DashRow[];
  sort: SortKey;
  onSort: (sort: SortKey) => void;
  onAction: (kind: ActionKind, instance: InstanceHealth) => void;
}

function rowTestId(health: InstanceHealth): string {
  return health.member ? `dash-row-${health.server}-${health.member}` : `dash-row-${health.server}`;
}

/** Clicks on the row's own controls must not also open the instance. */
function fromControl(e: MouseEvent | KeyboardEvent): boolean {
  return (e.target as HTMLElement).closest('button, a, input, select') !== null;
}

export function DashboardTable({ view, rows, sort, onSort, onAction }: DashboardTableProps) {
  const columns = COLUMNS[view];
  const open = (row: DashRow | undefined) => {
    if (row?.kind === 'instance') navigate({ page: 'instance', id: row.health.instanceId });
    if (row?.kind === 'empty' || row?.kind === 'group') navigate({ page: 'server', name: row.server.name });
  };

  function renderRow(index: number, active: boolean) {
    const row = rows[index];
    if (!row) return null;
    const cls = `dash-row dash-${view}${active ? ' is-active' : ''}`;
    if (row.kind === 'group') {
      return (
        <div
          key={row.key}
          className="dash-row dash-group"
          role="row"
          data-testid={`dash-group-${row.server.name}`}
        >
          <span role="cell" className="dash-group-name">
            <a href={`#/servers/${encodeURIComponent(row.server.name)}`} className="row-link">
              {row.server.name}
            </a>
          </span>
          <span role="cell" className="muted">
            {row.instances} of {row.server.memberCount} member instance
            {row.server.memberCount === 1 ? '' : 's'}
            {row.unhealthy > 0 && <span className="text-danger"> · {row.unhealthy} unhealthy</span>}
          </span>
        </div>
      );
    }
    if (row.kind === 'empty') {
      return (
        <div
          key={row.key}
          className={cls}
          role="row"
          data-testid={`dash-empty-${row.server.name}`}
          onClick={() => open(row)}
        >
          <span role="cell" className="strong">
            {view === 'shared' ? row.server.name : <span className="muted">—</span>}
          </span>
          <span role="cell" className="muted dash-span">
            {view === 'shared'
              ? 'Not deployed yet: deploy it from the wizard, or with mcp-fleet deploy.'
              : row.server.memberCount === 0
                ? 'No members yet: add one on the server page; each gets an instance.'
                : 'Members have no instances yet: deploy the server.'}
          </span>
        </div>
      );
    }
    const h = row.health;
    const restarts = restartCount(h.restarts);
    const menu = (
      <Menu
        label={`Actions for ${h.containerName}`}
        testId={`dash-actions-${h.containerName}`}
        items={[
          { label: 'Logs', testId: `dash-logs-${h.containerName}`, onSelect: () => open(row) },
          {
            label: 'Restart',
            testId: `dash-restart-${h.containerName}`,
            onSelect: () => onAction('restart', h),
          },
          {
            label: 'Redeploy',
            testId: `dash-redeploy-${h.containerName}`,
            onSelect: () => onAction('redeploy', h),
          },
          {
            label: 'Rotate secret',
            testId: `dash-rotate-${h.containerName}`,
            onSelect: () => onAction('rotate', h),
          },
          {
            label: 'Export',
            testId: `dash-export-${h.containerName}`,
            onSelect: () => navigate({ page: 'instance', id: h.instanceId }),
          },
          {
            label: 'Remove…',
            testId: `dash-remove-${h.containerName}`,
            danger: true,
            onSelect: () => onAction('remove', h),
          },
        ]}
      />
    );
    return (
      <div
        key={row.key}
        className={cls}
        role="row"
        aria-selected={active}
        data-testid={rowTestId(h)}
        data-state={h.state}
        onClick={(e) => !fromControl(e) && open(row)}
      >
        <span role="cell" className="strong dash-name" title={h.containerName}>
          {view === 'shared' ? h.server : h.member}
          {h.plainHttp && (
            <span
              className="text-danger"
              title="Deployed with --no-tls: plain HTTP, tokens in clear unless your own TLS terminator is in front"
              data-testid={`no-tls-${h.containerName}`}
            >
              {' '}
              · NO TLS
            </span>
          )}
        </span>
        <span role="cell" className="mono">
          {h.host}
        </span>
        {view === 'shared' && (
          <span role="cell" className="num mono">
            {row.server?.port ?? '—'}
          </span>
        )}
        <span role="cell">
          <HealthBadge state={h.state} reason={h.reason} testId={`health-${h.containerName}`} />
        </span>
        <span role="cell">
          <LatencyCell instanceId={h.instanceId} latencyMs={h.latencyMs} />
        </span>
        <span role="cell" className="num">
          {h.sessions ?? '—'}
        </span>
        {view === 'shared' && (
          <span role="cell" className="num">
            {row.server?.memberCount ?? '—'}
          </span>
        )}
        <span role="cell" className={restarts ? 'num text-warn' : 'num'}>
          {restarts ?? '—'}
        </span>
        <span role="cell" className="num">
          {formatUptime(h.uptimeSeconds)}
        </span>
        <span role="cell" className="dash-actions">
          {menu}
        </span>
      </div>
    );
  }

  return (
    <div
      className={`dash-table dash-table-${view}`}
      role="table"
      aria-label={`${view} instances`}
      data-testid={`dashboard-${view}`}
    >
      <div className={`dash-row dash-head dash-${view}`} role="row">
        {columns.map((c, i) =>
          c.sort ? (
            <button
              key={c.label}
              type="button"
              role="columnheader"
              className={`dash-sort ${c.className ?? ''}`}
              aria-sort={sort === c.sort ? (c.sort === 'name' ? 'ascending' : 'descending') : 'none'}
              data-testid={`dash-sort-${c.sort}`}
              onClick={() => onSort(c.sort as SortKey)}
            >
              {c.label}
              {sort === c.sort && <span aria-hidden="true"> {c.sort === 'name' ? '↑' : '↓'}</span>}
            </button>
          ) : (
            <span key={c.label || i} role="columnheader" className={c.className}>
              {c.label}
            </span>
          ),
        )}
      </div>
      <VirtualRows
        count={rows.length}
        rowHeight={ROW_HEIGHT}
        renderRow={renderRow}
        onActivate={(index) => open(rows[index])}
        label={`${view} instances`}
        testId={`dashboard-rows-${view}`}
      />
    </div>
  );
}
