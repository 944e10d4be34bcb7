import type { RoutePath } from '../lib/router';
import { HostNewRoute } from './host-new-route';
import { HostsRoute } from './hosts-route';
import { ServerNewRoute } from './server-new-route';
import { ServersRoute } from './servers-route';

/** The route table: one page component per path. */
export function RouteView({ route }: { route: RoutePath }) {
  switch (route) {
    case '/servers':
      return <ServersRoute />;
    case '/servers/new':
      return <ServerNewRoute />;
    case '/hosts':
      return <HostsRoute />;
    case '/hosts/new':
      return <HostNewRoute />;
  }
}
