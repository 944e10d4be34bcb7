import { ErrorAlert } from '../components/ui/alert';
import { Button } from '../components/ui/button';
import { EmptyState } from '../components/ui/empty-state';
import { PageHeader } from '../components/ui/page-header';
import { HostsTable } from '../features/hosts/components/hosts-table';
import { useHosts } from '../features/hosts/hooks/use-hosts';
import { useHealthSummary, useInstanceCountsByHost } from '../features/instances/hooks/use-instances';
import { navigate } from '../lib/router';

export function HostsRoute() {
  const hosts = useHosts();
  const health = useHealthSummary();
  const counts = useInstanceCountsByHost(health.data?.instances);
  const list = hosts.data ?? [];
  const addButton = (
    <Button variant="primary" onClick={() => navigate({ page: 'host-new' })} data-testid="add-host">
      Add host
    </Button>
  );
  return (
    <>
      <PageHeader title="Hosts" meta={hosts.data ? `${list.length}` : undefined} actions={addButton} />
      {hosts.error && <ErrorAlert error={hosts.error} testId="hosts-error" />}
      {hosts.data && list.length === 0 ? (
        <EmptyState title="No hosts yet." testId="hosts-empty">
          Add one with <code>mcp-fleet hosts add NAME --ssh USER@HOST --password-stdin</code> (or{' '}
          <code>--local</code> for this machine&apos;s Docker), or the <strong>Add host</strong> button.
        </EmptyState>
      ) : (
        <HostsTable hosts={list} instanceCounts={counts} />
      )}
    </>
  );
}
