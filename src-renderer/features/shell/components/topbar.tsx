import type { AppInfo } from '../../../../src-main/shared/contract';
import { Button } from '../../../components/ui/button';
import type { ConnectionState } from '../../../lib/event-stream';
import { useTheme, type Theme } from '../../../lib/theme';

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

const THEME_LABEL: Record<Theme, string> = {
  system: 'Theme: system',
  light: 'Theme: light',
  dark: 'Theme: dark',
};

export function Topbar({ info, connection, onLogout }: TopbarProps) {
  const { theme, cycle } = useTheme();
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
        <Button
          variant="ghost"
          onClick={cycle}
          title="Theme: system, light or dark"
          data-testid="theme-toggle"
        >
          {THEME_LABEL[theme]}
        </Button>
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
