import { PageHeader } from '../components/ui/page-header';
import { AddHostForm } from '../features/hosts/components/add-host-form';
import { href } from '../lib/router';

export function HostNewRoute() {
  return (
    <>
      <PageHeader
        title={
          <>
            <a href={href({ page: 'hosts' })} className="crumb" data-testid="crumb-hosts">
              Hosts
            </a>{' '}
            / Add host
          </>
        }
      />
      <AddHostForm />
    </>
  );
}
