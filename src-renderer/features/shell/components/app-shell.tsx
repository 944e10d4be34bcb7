import type { ReactNode } from 'react';
import type { AppInfo } from '../../../../src-main/shared/contract';
import type { ConnectionState } from '../../../lib/event-stream';
import type { Route } from '../../../lib/router';
import { Sidebar } from './sidebar';
import { Topbar } from './topbar';

export interface AppShellProps {
  route: Route;
  info: AppInfo;
  connection: ConnectionState;
  onLogout: (() => void) | null;
  children: ReactNode;
}

export function AppShell({ route, info, connection, onLogout, children }: AppShellProps) {
  return (
    <div className="shell">
      <Sidebar route={route} />
      <div className="shell-main">
        <Topbar info={info} connection={connection} onLogout={onLogout} />
        <main className="content">{children}</main>
      </div>
    </div>
  );
}
