/**
 * A small query cache over FleetApi: results are keyed by channel and input, shared between components,
 * refetched in the background when a `store:changed` event names their domain (the old data stays on
 * screen meanwhile, so nothing jumps).
 */
import type { Channel, ChannelInput, ChannelOutput, FleetApi } from '../../src-main/shared/contract';
import type { ErrorShape } from '../../src-main/shared/errors';
import { call } from './call';

export interface QueryState<T> {
  data: T | undefined;
  error: ErrorShape | null;
  /** True while a request is in flight, including background refetches. */
  fetching: boolean;
}

interface Entry {
  channel: Channel;
  input: unknown;
  state: QueryState<unknown>;
  listeners: Set<() => void>;
  inFlight: Promise<void> | null;
  stale: boolean;
}

export type Domain = 'hosts' | 'servers' | 'members' | 'instances' | 'health';

/**
 * Which channel prefixes a domain change makes stale: servers show member and instance counts, a new
 * member of a Dedicated server is a new instance, and the health summary lists the stored instances.
 */
const AFFECTS: Record<Domain, string[]> = {
  // Settings are the fleet's and each host's: a settings change is announced as a hosts change.
  hosts: ['hosts:', 'settings:'],
  servers: ['servers:', 'members:', 'pins:'],
  members: ['members:', 'servers:', 'instances:', 'health:'],
  instances: ['instances:', 'servers:', 'health:'],
  health: ['health:'],
};

const failed = {
  ok: false as const,
  error: { code: 'unavailable' as const, message: 'the request did not reach the MCP Fleet services' },
};

const EMPTY: QueryState<never> = { data: undefined, error: null, fetching: false };

export function queryKey(channel: Channel, input: unknown): string {
  return `${channel} ${JSON.stringify(input ?? {})}`;
}

export class QueryClient {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly api: FleetApi) {}

  snapshot<C extends Channel>(channel: C, input: ChannelInput<C>): QueryState<ChannelOutput<C>> {
    return (this.entries.get(queryKey(channel, input))?.state ?? EMPTY) as QueryState<ChannelOutput<C>>;
  }

  subscribe(channel: Channel, input: unknown, listener: () => void): () => void {
    const entry = this.entry(channel, input);
    entry.listeners.add(listener);
    if (entry.stale) void this.run(entry);
    return () => entry.listeners.delete(listener);
  }

  /** Fetches now (or joins the request in flight) and resolves when the entry is updated. */
  fetch<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<void> {
    return this.run(this.entry(channel, input));
  }

  /** Marks a domain stale; entries on screen refetch at once, the rest on their next use. */
  invalidate(domain: Domain): void {
    const prefixes = AFFECTS[domain];
    for (const entry of this.entries.values()) {
      if (prefixes.some((prefix) => entry.channel.startsWith(prefix))) this.markStale(entry);
    }
  }

  invalidateAll(): void {
    for (const entry of this.entries.values()) this.markStale(entry);
  }

  private markStale(entry: Entry): void {
    entry.stale = true;
    if (entry.listeners.size > 0) void this.run(entry);
  }

  private entry(channel: Channel, input: unknown): Entry {
    const key = queryKey(channel, input);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { channel, input, state: EMPTY, listeners: new Set(), inFlight: null, stale: true };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private run(entry: Entry): Promise<void> {
    if (entry.inFlight) return entry.inFlight;
    entry.stale = false;
    this.update(entry, { ...entry.state, fetching: true });
    const request = call(this.api, entry.channel, entry.input as never)
      .catch(() => failed)
      .then((result) => {
        entry.inFlight = null;
        if (result.ok) this.update(entry, { data: result.data, error: null, fetching: false });
        else this.update(entry, { data: entry.state.data, error: result.error, fetching: false });
        // An invalidation that arrived mid-flight asks for one more round.
        if (entry.stale && entry.listeners.size > 0) void this.run(entry);
      });
    entry.inFlight = request;
    return request;
  }

  private update(entry: Entry, state: QueryState<unknown>): void {
    entry.state = state;
    for (const listener of entry.listeners) listener();
  }
}
