import type { EventName, EventPayload } from '../shared/contract';

type Listener = (event: EventName, payload: unknown) => void;

/** In-process fan-out of contract events to every connected UI (IPC windows, web sockets). */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch {
        // One broken subscriber must not stop the others.
      }
    }
  }
}
