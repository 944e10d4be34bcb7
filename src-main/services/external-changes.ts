import type { EventBus } from './events';
import type { Store } from './store/store';

const DOMAINS = ['hosts', 'servers', 'members', 'instances'] as const;

/**
 * Watches for commits by other processes (the CLI while the app or web mode runs) and tells open UIs to
 * refetch. A pragma read every interval costs microseconds; returns the stop function.
 */
export function watchExternalChanges(store: Store, events: EventBus, intervalMs = 1000): () => void {
  let last = store.dataVersion();
  const timer = setInterval(() => {
    let now: number;
    try {
      now = store.dataVersion();
    } catch {
      return; // Store closed under us: the stop function is about to run.
    }
    if (now === last) return;
    last = now;
    for (const domain of DOMAINS) events.emit('store:changed', { domain });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
