import { href, type RoutePath } from '../../../lib/router';
import { useHosts } from '../../hosts/hooks/use-hosts';
import { useServers } from '../../servers/hooks/use-servers';

interface NavItem {
  path: RoutePath;
  label: string;
  count: number | undefined;
  testId: string;
}

export function Sidebar({ route }: { route: RoutePath }) {
  const servers = useServers();
  const hosts = useHosts();
  const items: NavItem[] = [
    { path: '/servers', label: 'Servers', count: servers.data?.length, testId: 'nav-servers' },
    { path: '/hosts', label: 'Hosts', count: hosts.data?.length, testId: 'nav-hosts' },
  ];
  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        MCP Fleet
      </div>
      <nav aria-label="Main">
        <ul>
          {items.map((item) => {
            const active = route === item.path || route.startsWith(item.path + '/');
            return (
              <li key={item.path}>
                <a
                  href={href(item.path)}
                  className={active ? 'nav-link is-active' : 'nav-link'}
                  aria-current={active ? 'page' : undefined}
                  data-testid={item.testId}
                >
                  <span>{item.label}</span>
                  {item.count !== undefined && <span className="nav-count">{item.count}</span>}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
    </aside>
  );
}
