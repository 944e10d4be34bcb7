import { ErrorAlert } from '../components/ui/alert';
import { Button } from '../components/ui/button';
import { EmptyState } from '../components/ui/empty-state';
import { PageHeader } from '../components/ui/page-header';
import { ExportPanel } from '../features/export/components/export-panel';
import { useHosts } from '../features/hosts/hooks/use-hosts';
import { formatLatency, formatUptime, restartCount, timeAgo } from '../features/instances/components/format';
import { HealthBadge } from '../features/instances/components/health-badge';
import { HealthTimeline } from '../features/instances/components/health-timeline';
import { InstanceActionDialog } from '../features/instances/components/instance-action-dialog';
import { LogsPanel } from '../features/instances/components/logs-panel';
import { ToolsPanel } from '../features/instances/components/tools-panel';
import { useInstanceAction } from '../features/instances/hooks/use-instance-action';
import { useHealthSummary } from '../features/instances/hooks/use-instances';
import { MembersPanel } from '../features/members/components/members-panel';
import { useMembers } from '../features/members/hooks/use-members';
import { useServer } from '../features/servers/hooks/use-server';
import { href } from '../lib/router';

/** One instance: health and its history, logs, tools, the server's members, and every export. */
export function InstanceRoute({ id }: { id: string }) {
  const summary = useHealthSummary();
  const instance = summary.data?.instances.find((i) => i.instanceId === id);
  const server = useServer(instance?.server ?? null);
  const members = useMembers(instance?.server ?? null);
  const hosts = useHosts();
  const action = useInstanceAction();

  if (summary.data && !instance) {
    return (
      <>
        <PageHeader title="Instance" />
        <EmptyState title="This instance is gone." testId="instance-missing">
          It was removed, or its server was. See the{' '}
          <a href={href({ page: 'dashboard', view: 'shared' })}>dashboards</a>.
        </EmptyState>
      </>
    );
  }
  const view = instance?.member ? 'dedicated' : 'shared';
  const restarts = instance ? restartCount(instance.restarts) : null;

  return (
    <>
      <PageHeader
        title={
          <>
            <a href={href({ page: 'dashboard', view })} className="crumb" data-testid="crumb-dashboard">
              {view === 'dedicated' ? 'Dedicated' : 'Shared'}
            </a>{' '}
            /{' '}
            <a href={href({ page: 'server', name: instance?.server ?? '' })} className="crumb">
              {instance?.server ?? '…'}
            </a>
            {instance?.member && <> / {instance.member}</>}
          </>
        }
        meta={
          instance && <HealthBadge state={instance.state} reason={instance.reason} testId="instance-health" />
        }
        actions={
          instance && (
            <>
              <Button onClick={() => action.start('restart', instance)} data-testid="instance-restart">
                Restart
              </Button>
              <Button onClick={() => action.start('redeploy', instance)} data-testid="instance-redeploy">
                Redeploy
              </Button>
              <Button onClick={() => action.start('rotate', instance)} data-testid="instance-rotate">
                Rotate secret
              </Button>
              <Button
                variant="ghost"
                onClick={() => action.start('remove', instance)}
                data-testid="instance-remove"
              >
                Remove…
              </Button>
            </>
          )
        }
      />
      {summary.error && <ErrorAlert error={summary.error} testId="instance-error" />}
      {!instance ? (
        <div className="skeleton skeleton-lg" aria-busy="true" />
      ) : (
        <div className="instance-grid">
          <section className="panel" data-testid="instance-facts">
            <p className="instance-reason" data-testid="instance-reason">
              {instance.reason}
            </p>
            <dl className="facts">
              <dt>Container</dt>
              <dd className="mono">{instance.containerName}</dd>
              <dt>Host</dt>
              <dd>{instance.host}</dd>
              <dt>Latency</dt>
              <dd>{formatLatency(instance.latencyMs)}</dd>
              <dt>Sessions</dt>
              <dd>{instance.sessions ?? '—'}</dd>
              <dt>Restarts</dt>
              <dd>
                {restarts ?? '—'}
                {restarts !== null && (
                  <span className="muted">
                    {' '}
                    (container {instance.restarts.container ?? '—'}, server process{' '}
                    {instance.restarts.child ?? '—'})
                  </span>
                )}
              </dd>
              <dt>Uptime</dt>
              <dd>{formatUptime(instance.uptimeSeconds)}</dd>
              <dt>State since</dt>
              <dd>{timeAgo(instance.since)}</dd>
              <dt>Last check</dt>
              <dd>{instance.checkedAt ? timeAgo(instance.checkedAt) : 'not yet'}</dd>
            </dl>
          </section>
          <HealthTimeline instanceId={id} />
          <div className="span-2">
            <LogsPanel name={instance.containerName} host={instance.host} />
          </div>
          <ToolsPanel server={instance.server} containerName={instance.containerName} />
          {server.data && <MembersPanel server={instance.server} mode={server.data.mode} />}
          {server.data && (
            <div className="span-2">
              <ExportPanel
                server={server.data}
                hosts={hosts.data ?? []}
                host={instance.host}
                member={instance.member ?? undefined}
                members={(members.data ?? []).map((m) => m.name)}
              />
            </div>
          )}
        </div>
      )}
      <InstanceActionDialog action={action} />
    </>
  );
}
