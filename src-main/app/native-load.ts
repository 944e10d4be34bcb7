/**
 * The encrypted store is a native module (better-sqlite3-multiple-ciphers). When its binary cannot load,
 * the app must say so in a window and exit, not linger as a process without one. This loads it once,
 * before the store opens, and turns a failure into a sentence the operator can act on; the commonest
 * cause on Linux is a glibc older than the one the shipped binary was built against.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const PACKAGE = 'better-sqlite3-multiple-ciphers';

export type NativeStoreCheck = { ok: true } | { ok: false; message: string };

export interface NativeStoreOptions {
  /** A binary to load instead of the package's own choice (tests hand it a broken one). */
  nativeBinding?: string;
  platform?: NodeJS.Platform;
}

type DatabaseConstructor = new (
  filename: string,
  options?: { nativeBinding?: string },
) => { prepare(sql: string): { get(): unknown }; close(): void };

/** Opens an in-memory database through the real module. Never throws: a failure comes back as a sentence. */
export function checkNativeStore(options: NativeStoreOptions = {}): NativeStoreCheck {
  const require = createRequire(import.meta.url);
  try {
    const Database = require(PACKAGE) as DatabaseConstructor;
    const db = new Database(
      ':memory:',
      options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding },
    );
    db.prepare('select 1').get();
    db.close();
    return { ok: true };
  } catch (error) {
    const platform = options.platform ?? process.platform;
    const binary = options.nativeBinding ?? prebuildPath(require);
    return {
      ok: false,
      message: describeNativeLoadFailure(error, {
        platform,
        glibcRuntime: platform === 'linux' ? runtimeGlibc() : undefined,
        glibcFloor: binary === undefined ? undefined : glibcFloorOf(binary),
      }),
    };
  }
}

export interface NativeLoadFacts {
  platform: NodeJS.Platform;
  /** This system's glibc; absent on musl (Alpine) and off Linux. */
  glibcRuntime: string | undefined;
  /** The newest GLIBC_ symbol version the binary needs. */
  glibcFloor: string | undefined;
}

const REINSTALL = 'reinstall MCP Fleet; if that does not help, report this message';

/** The operator's sentence for a failed load. */
export function describeNativeLoadFailure(error: unknown, facts: NativeLoadFacts): string {
  const firstLine = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.trim() ?? '';
  const lead = "MCP Fleet's encrypted store cannot start: its SQLite module did not load";
  if (facts.platform !== 'linux') return `${lead} (${firstLine}): ${REINSTALL}`;
  if (facts.glibcRuntime === undefined) {
    return `${lead} (${firstLine}); this looks like a musl system (Alpine), which uses the linuxmusl build: ${REINSTALL}`;
  }
  // The loader names the exact version it missed: glibc's own, or libstdc++'s.
  const missing = /version `(GLIBC(?:XX)?_[\d.]+)' not found/.exec(firstLine)?.[1];
  if (missing?.startsWith('GLIBCXX_')) {
    return (
      `${lead}: it needs a libstdc++ with ${missing} (GCC 11 or newer) and this system's is older. ` +
      'Run MCP Fleet on a newer distribution (Ubuntu 22.04, Debian 12, RHEL 9 or later)'
    );
  }
  const floor = missing?.replace('GLIBC_', '') ?? facts.glibcFloor;
  const needs = floor === undefined ? 'a newer glibc' : `glibc ${floor} or newer`;
  const tooOld = floor !== undefined && compareVersions(facts.glibcRuntime, floor) < 0;
  if (missing !== undefined || tooOld) {
    return (
      `${lead}: it needs ${needs} and this system has glibc ${facts.glibcRuntime}. ` +
      'Run MCP Fleet on a newer distribution (Ubuntu 22.04, Debian 12, RHEL 9 or later)'
    );
  }
  return `${lead} (${firstLine}); it needs ${needs} and this system has glibc ${facts.glibcRuntime}: ${REINSTALL}`;
}

/** The newest GLIBC_x.y a binary asks for: the version names sit as plain strings in its dynamic table. */
export function glibcFloor(binary: Buffer): string | undefined {
  const versions = [...binary.toString('latin1').matchAll(/GLIBC_(\d+(?:\.\d+)+)/g)].map((m) => m[1] ?? '');
  return versions.sort(compareVersions).at(-1);
}

function glibcFloorOf(file: string): string | undefined {
  try {
    return glibcFloor(readFileSync(file));
  } catch {
    return undefined;
  }
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function runtimeGlibc(): string | undefined {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime;
}

/** The binary the package itself would load (its own selection: linux or linuxmusl, then the arch). */
function prebuildPath(require: NodeJS.Require): string | undefined {
  try {
    const dir = path.dirname(require.resolve(`${PACKAGE}/package.json`));
    const binding = require(path.join(dir, 'lib', 'binding.js')) as { getPrebuildPath(): string | null };
    return binding.getPrebuildPath() ?? undefined;
  } catch {
    return undefined;
  }
}
