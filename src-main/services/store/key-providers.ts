import { randomBytes, scrypt } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { FleetError } from '../../shared/errors';
import { STORE_FILE, ensureHome } from './database';
import type { KeyProvider } from './types';

const KEY_BYTES = 32;
/** OWASP's scrypt floor: about 0.4 s and 128 MiB per unlock on a small machine. */
const DEFAULT_KDF = { N: 2 ** 17, r: 8, p: 1 } as const;

export interface KdfSettings {
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
}

function locked(message: string): FleetError {
  return new FleetError('store_locked', message);
}

/**
 * Whether `<home>` holds a store with data. An empty fleet.db is what a first open that failed half-way
 * leaves: no store yet. A store with data must not silently get a fresh key: that key could never open it.
 */
export function storeHasData(home: string): boolean {
  const path = join(home, STORE_FILE);
  return existsSync(path) && statSync(path).size > 0;
}

/**
 * Writes `data` to `path` only if `path` does not exist yet, atomically (hard link of a synced temp file),
 * so two processes starting at once agree on one file. Returns false when another writer won.
 */
function writeNewFileAtomic(path: string, data: Buffer): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/** Reads key settings (store.json's text, or a backup's copy); throws FleetError('store_locked') naming `path` when damaged. */
export function parseKdf(text: string, path: string): KdfSettings {
  const damaged = locked(`the key settings in ${path} are damaged; restore the file from a backup`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw damaged;
  }
  const s = raw as Partial<KdfSettings>;
  const pow2 = (n: unknown): n is number =>
    Number.isInteger(n) && (n as number) > 1 && ((n as number) & ((n as number) - 1)) === 0;
  const intIn = (n: unknown, lo: number, hi: number): n is number =>
    Number.isInteger(n) && (n as number) >= lo && (n as number) <= hi;
  if (s.kdf !== 'scrypt' || !pow2(s.N) || s.N < 2 ** 14 || s.N > 2 ** 22) throw damaged;
  if (!intIn(s.r, 1, 32) || !intIn(s.p, 1, 16) || typeof s.salt !== 'string') throw damaged;
  if (Buffer.from(s.salt, 'base64').length < 16) throw damaged;
  return { kdf: 'scrypt', N: s.N, r: s.r, p: s.p, salt: s.salt };
}

/** The random store key earlier desktop builds sealed with the OS keychain, with no passphrase behind it. */
export const LEGACY_SEALED_KEY_FILE = 'key.sealed';

/**
 * Refuses a data directory set up by an earlier desktop build (a keychain-sealed random key, no
 * store.json): a passphrase can never derive that key, and a new store.json beside it would start a
 * second, empty store over the old one. Throws FleetError('store_locked') naming the file.
 */
export function refuseLegacySealedKey(home: string): void {
  const sealed = join(home, LEGACY_SEALED_KEY_FILE);
  if (existsSync(sealed) && !existsSync(join(home, 'store.json'))) {
    throw locked(
      `${sealed} holds a store key from an earlier MCP Fleet desktop build, which this version cannot open ` +
        'with a passphrase; move the folder aside (or point MCP_FLEET_HOME elsewhere) to start a new store',
    );
  }
}

/** Reads `<home>/store.json`, creating it with a fresh random salt on first use. */
export function loadKdfSettings(home: string): KdfSettings {
  const path = join(home, 'store.json');
  if (!existsSync(path)) {
    refuseLegacySealedKey(home);
    if (storeHasData(home)) {
      throw locked(
        `the store in ${home} exists but its key settings (store.json) are missing; restore them from a backup`,
      );
    }
    const fresh: KdfSettings = { kdf: 'scrypt', ...DEFAULT_KDF, salt: randomBytes(16).toString('base64') };
    writeNewFileAtomic(path, Buffer.from(`${JSON.stringify(fresh, null, 2)}\n`));
  }
  return parseKdf(readFileSync(path, 'utf8'), path);
}

function scryptAsync(passphrase: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase, salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** The store key a passphrase gives under `s`: scrypt(passphrase in NFC, salt), 32 bytes. */
export function deriveKey(passphrase: string, s: KdfSettings): Promise<Buffer> {
  // The same characters typed on another OS may arrive in another Unicode form.
  return scryptAsync(passphrase.normalize('NFC'), Buffer.from(s.salt, 'base64'), {
    N: s.N,
    r: s.r,
    p: s.p,
    maxmem: 256 * s.N * s.r * s.p,
  });
}

/** Web mode, CLI and tests: the key is scrypt(passphrase, salt from store.json). */
export class PassphraseKeyProvider implements KeyProvider {
  constructor(private readonly passphrase: string) {}

  /** Throws FleetError('store_locked') for an empty passphrase or missing/damaged key settings. */
  async getKey(home: string): Promise<Buffer> {
    if (this.passphrase === '') throw locked('MCP_FLEET_PASSPHRASE is empty');
    ensureHome(home);
    return deriveKey(this.passphrase, loadKdfSettings(home));
  }
}

/** The passphrase from MCP_FLEET_PASSPHRASE. Throws FleetError('store_locked') when it is not set. */
export function passphraseFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const value = env.MCP_FLEET_PASSPHRASE;
  if (value === undefined) throw locked('set MCP_FLEET_PASSPHRASE to the passphrase that encrypts the store');
  return value;
}

/** A fixed key, for tests. */
export class StaticKeyProvider implements KeyProvider {
  private readonly key: Buffer;
  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new FleetError('invalid_input', 'a store key must be 32 bytes');
    this.key = Buffer.from(key);
  }

  async getKey(): Promise<Buffer> {
    return Buffer.from(this.key);
  }
}
