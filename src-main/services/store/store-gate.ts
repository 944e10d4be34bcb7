/**
 * The hold a long-running UI (web mode, the desktop app) has on the store. Opened at start (a passphrase
 * from the environment, a key the keychain remembered), it is open from the start; otherwise it stays
 * locked until an operator types the passphrase, and until then every call is answered with
 * `store_locked`. Attempts run one at a time (each costs a slow KDF, and two could both create the
 * store) and wrong passphrases are rate-limited.
 */
import { MIN_NEW_PASSPHRASE, type StoreState } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { storeHasData } from './key-providers';

/** What the gate holds once open: the services, or whatever the caller builds on the store. */
export interface Closable {
  close(): void;
}

/** Opens the store with a passphrase typed by the operator; throws FleetError('store_locked') for a wrong one. */
export type OpenWithPassphrase<S> = (passphrase: string) => Promise<S>;

/** Wrong passphrases allowed per window before further attempts are refused outright. */
export const MAX_FAILED_UNLOCKS = 5;
export const UNLOCK_WINDOW_MS = 60_000;

export const LOCKED_MESSAGE = 'the store is locked: unlock it in the app';

export class UnlockRateLimited extends FleetError {
  constructor(readonly retryAfterSeconds: number) {
    super('unavailable', `too many wrong passphrases; wait ${retryAfterSeconds} s before the next attempt`);
  }
}

export interface StoreGateOptions<S> {
  /** Already open (the passphrase came from the environment). */
  opened?: S;
  /** How to open the store with a passphrase typed by the operator. */
  open?: OpenWithPassphrase<S>;
  /** The data directory; tells whether a store exists yet. */
  home?: string;
  now?: () => number;
}

export class StoreGate<S extends Closable> {
  private opened: S | null;
  private readonly listeners = new Set<(opened: S) => void>();
  private failures: number[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: StoreGateOptions<S>) {
    if (!options.opened && !(options.open && options.home !== undefined)) {
      throw new FleetError('internal', 'a store gate needs an open store, or a way to open one and a home');
    }
    this.opened = options.opened ?? null;
  }

  /** What is open, or null while the store is locked. */
  current(): S | null {
    return this.opened;
  }

  state(): StoreState {
    return { locked: this.opened === null, initialized: this.initialized() };
  }

  /** Runs `listener` once the store is open (at once when it already is). */
  onUnlock(listener: (opened: S) => void): () => void {
    if (this.opened) listener(this.opened);
    else this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Opens the store with a passphrase the operator typed; creates it when none exists yet.
   * Throws FleetError: store_locked (wrong passphrase: nothing changed), invalid_input (a new passphrase
   * that is too short), conflict (already unlocked), or UnlockRateLimited.
   */
  unlock(passphrase: string): Promise<StoreState> {
    return this.serially(() => {
      this.checkRate();
      if (!this.initialized() && passphrase.length < MIN_NEW_PASSPHRASE) {
        throw new FleetError(
          'invalid_input',
          `choose a passphrase of at least ${MIN_NEW_PASSPHRASE} characters; it encrypts every secret the fleet holds`,
        );
      }
      return (this.options.open as OpenWithPassphrase<S>)(passphrase).catch((err: unknown) => {
        if (err instanceof FleetError && err.code === 'store_locked') this.failures.push(this.now());
        throw err;
      });
    });
  }

  /**
   * Opens the store without an operator typing anything (a key the OS keychain remembered, a passphrase
   * from the environment): not rate-limited, since no one is guessing. Throws what `open` throws, or
   * FleetError('conflict') when the store is already open.
   */
  openWith(open: () => Promise<S>): Promise<StoreState> {
    return this.serially(open);
  }

  /** Waits for an attempt in flight; after this no attempt opens the store any more. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
  }

  private serially(open: () => Promise<S>): Promise<StoreState> {
    const attempt = this.queue.then(() => this.attempt(open));
    this.queue = attempt.catch(() => undefined);
    return attempt;
  }

  private async attempt(open: () => Promise<S>): Promise<StoreState> {
    if (this.closed) throw new FleetError('unavailable', 'MCP Fleet is shutting down');
    if (this.opened) throw new FleetError('conflict', 'the store is already unlocked');
    const opened = await open();
    if (this.closed) {
      opened.close();
      throw new FleetError('unavailable', 'MCP Fleet is shutting down');
    }
    this.opened = opened;
    this.failures = [];
    for (const listener of this.listeners) listener(opened);
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
    return this.opened !== null || storeHasData(this.options.home as string);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
