import { ErrorAlert } from '../components/ui/alert';
import { Button } from '../components/ui/button';
import { EmptyState } from '../components/ui/empty-state';
import { PageHeader } from '../components/ui/page-header';
import { FleetCaButton, FleetCaStatus } from '../features/hosts/components/fleet-ca-download';
import { HostsTable } from '../features/hosts/components/hosts-table';
import { useFleetCaDownload } from '../features/hosts/hooks/use-fleet-ca';
import { useHosts } from '../features/hosts/hooks/use-hosts';
import { useHealthSummary, useInstanceCountsByHost } from '../features/instances/hooks/use-instances';
import { navigate } from '../lib/router';

export function HostsRoute() {
  const hosts = useHosts();
  const health = useHealthSummary();
  const counts = useInstanceCountsByHost(health.data?.instances);
  const fleetCa = useFleetCaDownload();
  const list = hosts.data ?? [];
  const addButton = (
    <Button variant="primary" onClick={() => navigate({ page: 'host-new' })} data-testid="add-host">
      Add host
    </Button>
  );
  const actions = (
    <>
      <FleetCaButton ca={fleetCa} />
      {addButton}
    </>
  );
  return (
    <>
      <PageHeader title="Hosts" meta={hosts.data ? `${list.length}` : undefined} actions={actions} />
      <FleetCaStatus ca={fleetCa} />
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
