import type { AppInfo } from '../../../../src-main/shared/contract';
import { Button } from '../../../components/ui/button';
import type { ConnectionState } from '../../../lib/event-stream';

const CONNECTION_LABEL: Record<ConnectionState, string> = {
  live: 'live',
  connecting: 'connecting…',
  offline: 'offline · retrying',
};

export interface TopbarProps {
  info: AppInfo;
  connection: ConnectionState;
  onLogout: (() => void) | null;
}

export function Topbar({ info, connection, onLogout }: TopbarProps) {
  return (
    <header className="topbar">
      <div className="topbar-context">
        <span className="tag" data-testid="transport">
          {info.transport === 'web' ? 'web mode' : 'desktop'}
        </span>
        <span className="muted mono topbar-home" title={`Data directory: ${info.home}`}>
          {info.home}
        </span>
      </div>
      <div className="topbar-actions">
        <span
          className={`status status-${connection}`}
          data-testid="connection-state"
          title="Live updates from the services"
        >
          <span className="status-dot" aria-hidden="true" />
          {CONNECTION_LABEL[connection]}
        </span>
        <span className="muted">v{info.version}</span>
        {onLogout && (
          <Button variant="ghost" onClick={onLogout} data-testid="logout">
            Log out
          </Button>
        )}
      </div>
    </header>
  );
}
