/**
 * Alerts as native desktop notifications (Electron's Notification). No Electron binary runs in the
 * tests here, so this is not run by them; AlertService is tested with the page notifier beside it.
 */
import { Notification } from 'electron';
import type { AlertNotifier } from '../services/alerts/notifier';

export function desktopNotifier(): AlertNotifier {
  return {
    notify(alert) {
      if (!Notification.isSupported()) return;
      new Notification({
        title: `MCP Fleet: ${alert.subject}`,
        body: alert.message,
        silent: alert.severity === 'info',
      }).show();
    },
  };
}
