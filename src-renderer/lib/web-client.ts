/**
 * The web-mode implementation of FleetApi: each channel is a POST to /api/call/<channel>, events come
 * over the WebSocket at /api/events. Derived from the contract like the Electron preload, so both
 * transports expose the same methods.
 */
import {
  ResultShape,
  StoreState,
  channelNames,
  eventNames,
  listenerName,
  methodName,
  type FleetApi,
  type Result,
} from '../../src-main/shared/contract';
import { EventStream, type ConnectionState } from './event-stream';

/** What only web mode has: logging in and out, and a connection that can drop. */
export interface WebSession {
  login: (token: string) => Promise<Result<unknown>>;
  logout: () => Promise<void>;
  /** Called whenever the server answers 401: the session ended or never existed. */
  onUnauthorized: (listener: () => void) => () => void;
  /** Starts the event socket; called once a request has proven the session works. */
  connect: () => void;
  connection: () => ConnectionState;
  onConnection: (listener: (state: ConnectionState) => void) => () => void;
  onResync: (listener: () => void) => () => void;
  /** Whether the store is locked (web mode started without a passphrase) and whether it exists yet. */
  storeState: () => Promise<Result<StoreState>>;
  /** Opens the store with a passphrase (creating it when none exists yet). */
  unlock: (passphrase: string) => Promise<Result<StoreState>>;
}

/** Checks a successful answer's data against the contract; anything else reads as unreachable. */
function withState(result: Result<unknown>): Result<StoreState> {
  if (!result.ok) return result;
  const parsed = StoreState.safeParse(result.data);
  return parsed.success ? { ok: true, data: parsed.data } : unreachable;
}

const unreachable: Result<never> = {
  ok: false,
  error: {
    code: 'unavailable',
    message: 'the MCP Fleet server did not answer; is `mcp-fleet serve` still running?',
  },
};

export function createWebClient(origin: string = window.location.origin): {
  api: FleetApi;
  session: WebSession;
} {
  const stream = new EventStream(origin.replace(/^http/, 'ws') + '/api/events');
  const unauthorizedListeners = new Set<() => void>();

  async function request(path: string, body?: unknown): Promise<Result<unknown>> {
    let response: Response;
    try {
      response = await fetch(
        origin + path,
        body === undefined
          ? { credentials: 'same-origin' }
          : {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify(body),
              credentials: 'same-origin',
            },
      );
    } catch {
      return unreachable;
    }
    if (response.status === 401 && path !== '/api/login') {
      stream.stop();
      for (const listener of unauthorizedListeners) listener();
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      return unreachable;
    }
    const parsed = ResultShape.safeParse(json);
    return parsed.success ? parsed.data : unreachable;
  }

  const api: Record<string, unknown> = {};
  for (const channel of channelNames) {
    api[methodName(channel)] = (input: unknown) => request(`/api/call/${channel}`, input ?? {});
  }
  for (const event of eventNames) {
    api[listenerName(event)] = (listener: (payload: unknown) => void) => stream.on(event, listener);
  }

  const session: WebSession = {
    async login(token) {
      const result = await request('/api/login', { token });
      if (result.ok) stream.start();
      return result;
    },
    async logout() {
      stream.stop();
      await request('/api/logout', {});
    },
    onUnauthorized(listener) {
      unauthorizedListeners.add(listener);
      return () => unauthorizedListeners.delete(listener);
    },
    connect: () => {
      if (stream.current() === 'offline') stream.start();
    },
    connection: () => stream.current(),
    onConnection: (listener) => stream.onState(listener),
    onResync: (listener) => stream.onResync(listener),
    storeState: async () => withState(await request('/api/state')),
    unlock: async (passphrase) => withState(await request('/api/unlock', { passphrase })),
  };
  return { api: Object.freeze(api) as FleetApi, session };
}
