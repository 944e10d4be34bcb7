/**
 * The web client's event channel: one WebSocket to /api/events, reconnected with backoff, dispatching
 * `{ event, payload }` messages to listeners after checking them against the contract.
 */
import { events, type EventName } from '../../src-main/shared/contract';

export type ConnectionState = 'connecting' | 'live' | 'offline';

const MAX_BACKOFF_MS = 10_000;

export class EventStream {
  private socket: WebSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempts = 0;
  private wasLive = false;
  private running = false;
  private state: ConnectionState = 'offline';
  private readonly listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly resyncListeners = new Set<() => void>();

  constructor(private readonly url: string) {}

  /** (Re)opens the socket now, e.g. right after a login. */
  start(): void {
    this.running = true;
    this.attempts = 0;
    this.open();
  }

  stop(): void {
    this.running = false;
    this.clearRetry();
    this.socket?.close();
    this.socket = null;
    this.setState('offline');
  }

  on(event: EventName, listener: (payload: unknown) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Fires after a reconnect: events may have been missed, so cached data should be refetched. */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  current(): ConnectionState {
    return this.state;
  }

  private open(): void {
    this.clearRetry();
    if (this.socket) {
      this.socket.onclose = null;
      this.socket.close();
    }
    this.setState('connecting');
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.setState('live');
      if (this.wasLive) for (const listener of this.resyncListeners) listener();
      this.wasLive = true;
    };
    socket.onmessage = (message: MessageEvent) => this.deliver(message.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.setState('offline');
      if (this.running) this.scheduleRetry();
    };
  }

  private deliver(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: { event?: unknown; payload?: unknown };
    try {
      message = JSON.parse(data) as typeof message;
    } catch {
      return;
    }
    const name = message.event;
    if (typeof name !== 'string' || !Object.hasOwn(events, name)) return;
    const event = name as EventName;
    const parsed = events[event].safeParse(message.payload);
    if (!parsed.success) return;
    for (const listener of this.listeners.get(event) ?? []) listener(parsed.data);
  }

  private scheduleRetry(): void {
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempts);
    this.attempts += 1;
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}
