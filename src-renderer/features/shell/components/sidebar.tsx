import { href, isUnder, type Route } from '../../../lib/router';
import { useHosts } from '../../hosts/hooks/use-hosts';
import { useHealthSummary } from '../../instances/hooks/use-instances';
import { useServers } from '../../servers/hooks/use-servers';

interface NavItem {
  target: Route;
  label: string;
  count: number | undefined;
  /** Instances in that view that are unhealthy: shown in red beside the count. */
  alert?: number | undefined;
  testId: string;
}

export function Sidebar({ route }: { route: Route }) {
  const servers = useServers();
  const hosts = useHosts();
  const health = useHealthSummary();
  const instances = health.data?.instances;
  const count = (shared: boolean, state?: string) =>
    instances?.filter((i) => (i.member === null) === shared && (state === undefined || i.state === state))
      .length;
  const dashboards: NavItem[] = [
    {
      target: { page: 'dashboard', view: 'shared' },
      label: 'Shared',
      count: count(true),
      alert: count(true, 'unhealthy'),
      testId: 'nav-shared',
    },
    {
      target: { page: 'dashboard', view: 'dedicated' },
      label: 'Dedicated',
      count: count(false),
      alert: count(false, 'unhealthy'),
      testId: 'nav-dedicated',
    },
  ];
  const setup: NavItem[] = [
    { target: { page: 'servers' }, label: 'Servers', count: servers.data?.length, testId: 'nav-servers' },
    { target: { page: 'hosts' }, label: 'Hosts', count: hosts.data?.length, testId: 'nav-hosts' },
    { target: { page: 'audit' }, label: 'Audit', count: undefined, testId: 'nav-audit' },
    { target: { page: 'store' }, label: 'Store', count: undefined, testId: 'nav-store' },
    { target: { page: 'settings' }, label: 'Settings', count: undefined, testId: 'nav-settings' },
  ];
  const inWizard = route.page === 'wizard';
  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        MCP Fleet
      </div>
      <a
        href={href({ page: 'wizard', step: 0 })}
        className={inWizard ? 'btn btn-primary sidebar-cta is-active' : 'btn btn-primary sidebar-cta'}
        aria-current={inWizard ? 'page' : undefined}
        data-testid="nav-wizard"
      >
        Deploy a server
      </a>
      <nav aria-label="Main">
        <NavGroup title="Instances" items={dashboards} route={route} />
        <NavGroup title="Setup" items={setup} route={route} />
      </nav>
    </aside>
  );
}

function NavGroup({ title, items, route }: { title: string; items: NavItem[]; route: Route }) {
  return (
    <div className="nav-group">
      <p className="nav-title">{title}</p>
      <ul>
        {items.map((item) => {
          const active = isUnder(route, item.target);
          return (
            <li key={item.testId}>
              <a
                href={href(item.target)}
                className={active ? 'nav-link is-active' : 'nav-link'}
                aria-current={active ? 'page' : undefined}
                data-testid={item.testId}
              >
                <span>{item.label}</span>
                <span className="nav-counts">
                  {item.alert ? (
                    <span className="nav-alert" title={`${item.alert} unhealthy`}>
                      {item.alert}
                    </span>
                  ) : null}
                  {item.count !== undefined && <span className="nav-count">{item.count}</span>}
                </span>
              </a>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
