/**
 * Web mode's hold on the services. Started with a passphrase, the services are open from the start;
 * started without one, the store stays locked until an operator unlocks it in the browser, and until then
 * every call is answered with `store_locked`. Unlock attempts run one at a time (each costs a slow KDF) and
 * wrong ones are rate-limited.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Services } from '../app/composition-root';
import { STORE_FILE } from '../services/store/database';
import { MIN_NEW_PASSPHRASE, type StoreState } from '../shared/contract';
import { FleetError } from '../shared/errors';

export type OpenServices = (passphrase: string) => Promise<Services>;

/** Wrong passphrases allowed per window before further attempts are refused outright. */
export const MAX_FAILED_UNLOCKS = 5;
export const UNLOCK_WINDOW_MS = 60_000;

export const LOCKED_MESSAGE = 'the store is locked: unlock it in the app';

export class UnlockRateLimited extends FleetError {
  constructor(readonly retryAfterSeconds: number) {
    super('unavailable', `too many wrong passphrases; wait ${retryAfterSeconds} s before the next attempt`);
  }
}

export interface StoreGateOptions {
  /** Services already open (the passphrase came from the environment). */
  services?: Services;
  /** How to open the services with a passphrase typed in the browser. */
  open?: OpenServices;
  /** The data directory; tells whether a store exists yet. */
  home?: string;
  now?: () => number;
}

export class StoreGate {
  private services: Services | null;
  private readonly listeners = new Set<(services: Services) => void>();
  private failures: number[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: StoreGateOptions) {
    if (!options.services && !(options.open && options.home !== undefined)) {
      throw new FleetError('internal', 'web mode needs open services, or a way to open them and a home');
    }
    this.services = options.services ?? null;
  }

  /** The open services, or null while the store is locked. */
  current(): Services | null {
    return this.services;
  }

  state(): StoreState {
    return { locked: this.services === null, initialized: this.initialized() };
  }

  /** Runs `listener` once the services are open (at once when they already are). */
  onUnlock(listener: (services: Services) => void): () => void {
    if (this.services) listener(this.services);
    else this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Opens the store with `passphrase`; creates it when none exists yet.
   * Throws FleetError: store_locked (wrong passphrase: nothing changed), invalid_input (a new passphrase
   * that is too short), conflict (already unlocked), or UnlockRateLimited.
   */
  unlock(passphrase: string): Promise<StoreState> {
    // One at a time: each attempt runs scrypt with 128 MiB, and two could both create the store.
    const attempt = this.queue.then(() => this.attempt(passphrase));
    this.queue = attempt.catch(() => undefined);
    return attempt;
  }

  /** Waits for an unlock in flight; after this no attempt opens services any more. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
  }

  private async attempt(passphrase: string): Promise<StoreState> {
    if (this.closed) throw new FleetError('unavailable', 'web mode is shutting down');
    if (this.services) throw new FleetError('conflict', 'the store is already unlocked');
    this.checkRate();
    const creating = !this.initialized();
    if (creating && passphrase.length < MIN_NEW_PASSPHRASE) {
      throw new FleetError(
        'invalid_input',
        `choose a passphrase of at least ${MIN_NEW_PASSPHRASE} characters; it encrypts every secret the fleet holds`,
      );
    }
    let services: Services;
    try {
      services = await (this.options.open as OpenServices)(passphrase);
    } catch (err) {
      if (err instanceof FleetError && err.code === 'store_locked') this.failures.push(this.now());
      throw err;
    }
    if (this.closed) {
      services.close();
      throw new FleetError('unavailable', 'web mode is shutting down');
    }
    this.services = services;
    this.failures = [];
    for (const listener of this.listeners) listener(services);
    this.listeners.clear();
    return this.state();
  }

  private checkRate(): void {
    const now = this.now();
    this.failures = this.failures.filter((at) => now - at < UNLOCK_WINDOW_MS);
    if (this.failures.length >= MAX_FAILED_UNLOCKS) {
      const oldest = this.failures[0] ?? now;
      throw new UnlockRateLimited(Math.max(1, Math.ceil((oldest + UNLOCK_WINDOW_MS - now) / 1000)));
    }
  }

  private initialized(): boolean {
    if (this.services) return true;
    const path = join(this.options.home as string, STORE_FILE);
    // An empty file is what a first open that failed half-way leaves: no store yet.
    return existsSync(path) && statSync(path).size > 0;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
