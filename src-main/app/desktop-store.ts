/**
 * The desktop app's hold on the store: one store, two ways to open it. The key is always
 * scrypt(passphrase, salt in store.json), exactly as for the CLI and web mode, so all three open the same
 * store; the OS keychain may keep a copy of that key ("Remember on this computer") so the next start opens
 * without asking. Without either the store waits locked for the passphrase typed in the window.
 * Plain Node: the keychain arrives as a KeychainSealer (Electron's safeStorage in the app).
 */
import type { ErrorLog } from '../ipc/handle';
import type { SessionState, SessionUnlockInput } from '../shared/contract';
import { FleetError } from '../shared/errors';
import { KeychainKey, type KeychainSealer } from '../services/store/keychain-key';
import {
  PassphraseKeyProvider,
  StaticKeyProvider,
  loadKdfSettings,
  refuseLegacySealedKey,
  storeHasData,
} from '../services/store/key-providers';
import { StoreGate, type Closable } from '../services/store/store-gate';
import type { KeyProvider } from '../services/store/types';
import type { Services } from './composition-root';

export interface DesktopStoreOptions {
  /** The data directory. */
  home: string;
  /** The OS keychain. */
  sealer: KeychainSealer;
  /** Builds the services on a store key (createServices in the app); throws FleetError('store_locked') for a wrong key. */
  openServices: (keyProvider: KeyProvider) => Promise<Services>;
  logError: ErrorLog;
  now?: () => number;
}

/** The services, and the key that opened them: what the keychain is asked to remember. */
interface Opened extends Closable {
  services: Services;
  key: Buffer;
}

export class DesktopStore {
  private readonly gate: StoreGate<Opened>;
  private readonly keychain: KeychainKey;
  /** Why the store is locked although a way to open it was there; shown on the unlock screen. */
  private notice: string | null = null;

  constructor(private readonly options: DesktopStoreOptions) {
    this.keychain = new KeychainKey(options.home, options.sealer);
    this.gate = new StoreGate<Opened>({
      home: options.home,
      open: (passphrase) => this.openWithPassphrase(passphrase),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /**
   * Opens the store without asking when it can: with `passphrase` (MCP_FLEET_PASSPHRASE) when given,
   * else with the key the keychain remembered. Otherwise the store stays locked, with a notice when a way
   * to open it was there but failed. Never throws: the window asks for the passphrase instead.
   */
  async start(passphrase?: string): Promise<void> {
    try {
      refuseLegacySealedKey(this.options.home);
      if (passphrase !== undefined) {
        await this.gate.openWith(() => this.openWithPassphrase(passphrase));
      } else {
        await this.openFromKeychain();
      }
    } catch (err) {
      if (!(err instanceof FleetError) || err.code === 'internal') this.options.logError('store start', err);
      const why = err instanceof FleetError ? err.message : 'an unexpected error; see the log';
      this.notice = passphrase !== undefined ? `MCP_FLEET_PASSPHRASE did not open the store: ${why}` : why;
    }
  }

  /** The open services, or null while the store is locked. */
  current(): Services | null {
    return this.gate.current()?.services ?? null;
  }

  /** Runs `listener` once the store is open (at once when it already is); returns its removal. */
  onUnlock(listener: (services: Services) => void): () => void {
    return this.gate.onUnlock((opened) => listener(opened.services));
  }

  async state(): Promise<SessionState> {
    return { ...this.gate.state(), keychain: await this.keychain.available(), notice: this.notice };
  }

  /**
   * Opens (or creates) the store with the passphrase typed in the window; then, where the keychain can,
   * remembers the key (`remember`) or forgets any remembered one. Nothing is forgotten before the
   * passphrase has opened the store. Throws FleetError as StoreGate.unlock does.
   */
  async unlock({ passphrase, remember }: SessionUnlockInput): Promise<SessionState> {
    await this.gate.unlock(passphrase);
    const opened = this.gate.current() as Opened;
    this.notice = null;
    // Without a keychain the choice was never offered: a copy kept from a session with one stays.
    if (await this.keychain.available()) {
      if (remember) await this.remember(opened.key);
      else this.forget();
    }
    return this.state();
  }

  /** Closes what is open now and, once it finishes, what an attempt in flight opens. */
  close(): Promise<void> {
    const closing = this.gate.close();
    this.gate.current()?.close();
    return closing;
  }

  private async openFromKeychain(): Promise<void> {
    if (!this.keychain.exists()) return;
    const { home } = this.options;
    if (!storeHasData(home)) {
      throw new FleetError(
        'store_locked',
        `the key remembered on this computer belongs to a store that is no longer in ${home}; choose a passphrase for a new one`,
      );
    }
    // The key is remembered only beside the salt it came from: what the app opens, the CLI must open too.
    loadKdfSettings(home);
    const kept = await this.keychain.read();
    if (!kept) return;
    try {
      await this.gate.openWith(() => this.openWithKey(kept.key));
    } catch (err) {
      if (!(err instanceof FleetError) || err.code !== 'store_locked') throw err;
      throw new FleetError(
        'store_locked',
        `the key remembered on this computer (${this.keychain.path}) does not open the store: was its passphrase changed, or the file copied from another computer?`,
        { cause: err },
      );
    }
    if (kept.stale) await this.remember(kept.key);
  }

  /** A key the keychain would not keep leaves the store open; the log and the notice say so. */
  private async remember(key: Buffer): Promise<void> {
    try {
      await this.keychain.remember(key);
    } catch (err) {
      // The window has moved on from the unlock screen by now: the log is where this is read.
      this.options.logError('remember the store key', err);
      const why = err instanceof FleetError ? err.message : 'an unexpected error; see the log';
      this.notice = `the store is open, but this computer could not remember its key: ${why}`;
    }
  }

  /** The store is open whatever happens here: a file that will not go is reported, not thrown. */
  private forget(): void {
    try {
      this.keychain.forget();
    } catch (err) {
      this.options.logError('forget the store key', err);
      this.notice = `the store is open, but ${this.keychain.path} could not be removed; delete it by hand`;
    }
  }

  private async openWithPassphrase(passphrase: string): Promise<Opened> {
    const key = await new PassphraseKeyProvider(passphrase).getKey(this.options.home);
    return this.openWithKey(key);
  }

  private async openWithKey(key: Buffer): Promise<Opened> {
    const services = await this.options.openServices(new StaticKeyProvider(key));
    return { services, key, close: () => services.close() };
  }
}
