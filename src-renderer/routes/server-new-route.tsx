import { PageHeader } from '../components/ui/page-header';
import { AddServerForm } from '../features/servers/components/add-server-form';
import { href } from '../lib/router';

export function ServerNewRoute() {
  return (
    <>
      <PageHeader
        title={
          <>
            <a href={href({ page: 'servers' })} className="crumb" data-testid="crumb-servers">
              Servers
            </a>{' '}
            / Add server
          </>
        }
      />
      <AddServerForm />
    </>
  );
}
