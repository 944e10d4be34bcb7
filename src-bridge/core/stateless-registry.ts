import type { ListenSession } from '../wire/listen-stream';
import type { Session } from './session';

/**
 * The 2026-07-28 side of the bridge's state: exchanges whose call the child is working on (or that
 * wait for their client's input), and open subscriptions/listen streams. Neither is a session: they
 * are not counted, listed or expired as sessions, but they take part in routing what the child sends.
 */
export class StatelessRegistry {
  readonly callers = new Set<Session>();
  readonly listeners = new Set<ListenSession>();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly maxListeners: number) {}

  get full(): boolean {
    return this.listeners.size >= this.maxListeners;
  }

  /** Keep-alive comments on open listen streams, so proxies do not drop an idle one. */
  startHousekeeping(everyMs: number): void {
    this.timer = setInterval(() => {
      for (const listener of this.listeners) listener.keepAlive();
    }, everyMs);
    this.timer.unref();
  }

  stopHousekeeping(): void {
    clearInterval(this.timer);
  }
}
