import type { Route } from '../lib/router';
import { AuditRoute } from './audit-route';
import { DashboardRoute } from './dashboard-route';
import { InstanceRoute } from './instance-route';
import { HostNewRoute } from './host-new-route';
import { HostsRoute } from './hosts-route';
import { ServerNewRoute } from './server-new-route';
import { ServerRoute } from './server-route';
import { ServersRoute } from './servers-route';
import { SettingsRoute } from './settings-route';
import { StoreRoute } from './store-route';
import { WizardRoute } from './wizard-route';

/** The route table: one page component per route. */
export function RouteView({ route }: { route: Route }) {
  switch (route.page) {
    case 'servers':
      return <ServersRoute />;
    case 'server-new':
      return <ServerNewRoute />;
    case 'server':
      return <ServerRoute key={route.name} name={route.name} />;
    case 'wizard':
      return <WizardRoute step={route.step} />;
    case 'hosts':
      return <HostsRoute />;
    case 'host-new':
      return <HostNewRoute />;
    case 'dashboard':
      return <DashboardRoute view={route.view} />;
    case 'instance':
      return <InstanceRoute key={route.id} id={route.id} />;
    case 'store':
      return <StoreRoute />;
    case 'audit':
      return <AuditRoute />;
    case 'settings':
      return <SettingsRoute />;
  }
}
