import { ErrorAlert } from '../components/ui/alert';
import { PageHeader } from '../components/ui/page-header';
import { ExportPanel } from '../features/export/components/export-panel';
import { useHosts } from '../features/hosts/hooks/use-hosts';
import { HealthBadge } from '../features/instances/components/health-badge';
import { useHealthSummary } from '../features/instances/hooks/use-instances';
import { MembersPanel } from '../features/members/components/members-panel';
import { useMembers } from '../features/members/hooks/use-members';
import { PinsPanel } from '../features/pins/components/pins-panel';
import { BridgeSettingsPanel } from '../features/servers/components/bridge-settings-panel';
import { ServerDefinition } from '../features/servers/components/server-definition';
import { useServer } from '../features/servers/hooks/use-server';
import { href } from '../lib/router';

/** One server: its definition, its instances, its members, its bridge settings and its exports. */
export function ServerRoute({ name }: { name: string }) {
  const server = useServer(name);
  const hosts = useHosts();
  const members = useMembers(name);
  const health = useHealthSummary();
  const instances = (health.data?.instances ?? []).filter((i) => i.server === name);
  return (
    <>
      <PageHeader
        title={
          <>
            <a href={href({ page: 'servers' })} className="crumb" data-testid="crumb-servers">
              Servers
            </a>{' '}
            / {name}
          </>
        }
        meta={server.data && <span className={`tag tag-${server.data.mode}`}>{server.data.mode}</span>}
      />
      {server.error && <ErrorAlert error={server.error} testId="server-error" />}
      {server.data ? (
        <div className="instance-grid">
          <section className="panel">
            <ServerDefinition server={server.data} />
          </section>
          <section className="panel" data-testid="server-instances">
            <header className="panel-header">
              <h2>Instances</h2>
            </header>
            {instances.length === 0 ? (
              <p className="muted">
                None yet: <a href={href({ page: 'wizard', step: 0 })}>deploy it</a>, or{' '}
                <code>mcp-fleet deploy {name} --host HOST</code>.
              </p>
            ) : (
              <ul className="link-list">
                {instances.map((i) => (
                  <li key={i.instanceId}>
                    <a
                      href={href({ page: 'instance', id: i.instanceId })}
                      data-testid={`server-instance-${i.containerName}`}
                    >
                      {i.member ?? i.containerName}
                    </a>
                    <span className="muted"> on {i.host}</span>
                    <HealthBadge state={i.state} reason={i.reason} />
                  </li>
                ))}
              </ul>
            )}
          </section>
          <div className="span-2">
            <MembersPanel server={name} mode={server.data.mode} />
          </div>
          <div className="span-2">
            <BridgeSettingsPanel server={server.data} />
          </div>
          <div className="span-2">
            <PinsPanel server={name} />
          </div>
          <div className="span-2">
            <ExportPanel
              server={server.data}
              hosts={hosts.data ?? []}
              host={instances[0]?.host}
              members={(members.data ?? []).map((m) => m.name)}
            />
          </div>
        </div>
      ) : (
        !server.error && <div className="panel skeleton skeleton-lg" aria-busy="true" />
      )}
    </>
  );
}
