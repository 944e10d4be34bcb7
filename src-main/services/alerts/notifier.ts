/**
 * Where a raised alert is shown besides webhooks. The desktop app adds a native notification
 * (app/desktop-notifier.ts); every UI, web mode included, gets the `alerts:raised` event and shows it
 * in the page.
 */
import type { AlertView } from '../../shared/contract';
import type { EventBus } from '../events';

export interface AlertNotifier {
  /** Shows the alert; must not throw (a failing notifier is skipped). */
  notify(alert: AlertView): void;
}

/** Pushes the alert to every open page (IPC windows and web sockets relay the bus). */
export class PageNotifier implements AlertNotifier {
  constructor(private readonly events: EventBus) {}

  notify(alert: AlertView): void {
    this.events.emit('alerts:raised', alert);
  }
}
