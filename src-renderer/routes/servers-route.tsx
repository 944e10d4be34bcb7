import { ErrorAlert } from '../components/ui/alert';
import { Button } from '../components/ui/button';
import { EmptyState } from '../components/ui/empty-state';
import { PageHeader } from '../components/ui/page-header';
import { ServersTable } from '../features/servers/components/servers-table';
import { useServers } from '../features/servers/hooks/use-servers';
import { navigate } from '../lib/router';

export function ServersRoute() {
  const servers = useServers();
  const list = servers.data ?? [];
  const addButton = (
    <Button variant="primary" onClick={() => navigate({ page: 'server-new' })} data-testid="add-server">
      Add server
    </Button>
  );
  return (
    <>
      <PageHeader title="Servers" meta={servers.data ? `${list.length}` : undefined} actions={addButton} />
      {servers.error && <ErrorAlert error={servers.error} testId="servers-error" />}
      {servers.data && list.length === 0 ? (
        <EmptyState title="No servers yet." testId="servers-empty">
          Define one with <code>mcp-fleet servers add NAME --npx PKG@VERSION --mode shared</code>, or the{' '}
          <strong>Add server</strong> button. A server is what to run; deploying it onto a host comes next.
        </EmptyState>
      ) : (
        <ServersTable servers={list} />
      )}
    </>
  );
}
