/**
 * Pins npx and uvx sources to exact versions, and tells which servers have a newer one, by asking the
 * registries this machine's npm and uv use (see registry-settings.ts). A source that already names an
 * exact version never reaches the network. Answers are cached for a while, so a page that refetches on
 * every store change does not ask the registry each time.
 */
import { gt, valid } from 'semver';
import type { ServerSource, ServerVersion, VersionPin } from '../../shared/contract';
import { FleetError } from '../../shared/errors';
import { splitPackage, validateSource } from '../server/source';
import { exactNpmVersion, fetchNpmPackage, resolveNpmSpec, type NpmPackageInfo } from './npm-registry';
import { comparePep440, parsePep440 } from './pep440';
import { fetchPypiVersions, newestPypiVersion, normalizePypiName } from './pypi-index';
import { RegistryRequestError } from './registry-get';
import {
  displayUrl,
  npmRegistryFor,
  registrySettingsFromEnv,
  type RegistrySettings,
} from './registry-settings';

export interface SourcePinnerOptions {
  /** Read on every lookup, so a changed environment applies; default registrySettingsFromEnv(). */
  settings?: () => RegistrySettings;
  /** How long one registry request may take; default 10 s. */
  timeoutMs?: number;
  /** How long an answer is reused; default 10 minutes. */
  cacheMs?: number;
  now?: () => number;
}

export interface PinnedSource {
  source: ServerSource;
  /** What the registry chose; null when the source needed no registry (exact already, image, command). */
  pinned: VersionPin | null;
}

/** The servers `versions` looks at: any with a name and a source. */
export interface VersionedServer {
  name: string;
  source: ServerSource;
}

type PackageKind = 'npx' | 'uvx';

interface CacheEntry {
  at: number;
  value: Promise<NpmPackageInfo | string[]>;
}

const LOOKUPS_AT_ONCE = 8;

export class SourcePinner {
  private readonly settings: () => RegistrySettings;
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(options: SourcePinnerOptions = {}) {
    this.settings = options.settings ?? (() => registrySettingsFromEnv());
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.cacheMs = options.cacheMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The source with an exact version: npx without one gets the registry's `latest` tag, a tag or range
   * the version it names; uvx without one (or with `@latest`) the index's newest final release. Exact
   * versions, images and commands come back as given (npm's `v1.2.3` as 1.2.3). Throws FleetError:
   * invalid_input for a bad source or a version that is no version, not_found when the registry has no
   * such package or version, unavailable when it could not be asked; each message says how to pin by hand.
   */
  async pin(source: ServerSource): Promise<PinnedSource> {
    validateSource(source);
    if (source.kind !== 'npx' && source.kind !== 'uvx') return { source, pinned: null };
    const { name, version } = splitPackage(source.kind, source.value);
    if (source.kind === 'npx' && version !== null) {
      const exact = exactNpmVersion(version);
      if (exact !== null) return { source: { kind: 'npx', value: `${name}@${exact}` }, pinned: null };
    }
    if (source.kind === 'uvx' && version !== null && version.toLowerCase() !== 'latest') {
      if (parsePep440(version) === null) {
        throw new FleetError(
          'invalid_input',
          `"${version}" is not a PyPI version: give an exact one (${name}@1.2.3), or none for the newest`,
        );
      }
      return { source, pinned: null };
    }
    const found = await this.resolve(source.kind, name, version);
    return {
      source: { kind: source.kind, value: `${name}@${found.version}` },
      pinned: { package: name, requested: version, version: found.version, registry: found.registry },
    };
  }

  /**
   * Each npx and uvx server's pinned version beside the newest the registry has (images and commands are
   * left out). A registry that cannot be asked fails that server's row (`error`), not the report.
   */
  async versions(servers: readonly VersionedServer[], timeoutMs?: number): Promise<ServerVersion[]> {
    const packaged = servers.filter(
      (s): s is VersionedServer & { source: { kind: PackageKind } } =>
        s.source.kind === 'npx' || s.source.kind === 'uvx',
    );
    const out: ServerVersion[] = [];
    for (let i = 0; i < packaged.length; i += LOOKUPS_AT_ONCE) {
      const batch = packaged.slice(i, i + LOOKUPS_AT_ONCE);
      out.push(...(await Promise.all(batch.map((s) => this.versionOf(s, timeoutMs)))));
    }
    return out;
  }

  private async versionOf(
    server: VersionedServer & { source: { kind: PackageKind } },
    timeoutMs: number | undefined,
  ): Promise<ServerVersion> {
    const kind = server.source.kind;
    const { name, version } = splitPackage(kind, server.source.value);
    // A range or tag stored before versions were pinned at add time counts as not pinned.
    const pinned =
      version === null
        ? null
        : kind === 'npx'
          ? exactNpmVersion(version)
          : parsePep440(version) === null
            ? null
            : version;
    const row = { server: server.name, kind, package: name, pinned: version };
    try {
      const latest = await this.resolve(kind, name, null, timeoutMs);
      return {
        ...row,
        latest: latest.version,
        registry: latest.registry,
        outdated: pinned === null || isNewer(kind, latest.version, pinned),
        error: null,
      };
    } catch (err) {
      return {
        ...row,
        latest: null,
        registry: this.registryOf(kind, name),
        outdated: false,
        error: err instanceof FleetError ? err.message : 'unexpected error; see the log',
      };
    }
  }

  /** The exact version `spec` names at the package's registry. Throws as `pin` does. */
  private async resolve(
    kind: PackageKind,
    name: string,
    spec: string | null,
    timeoutMs = this.timeoutMs,
  ): Promise<{ version: string; registry: string }> {
    const registry = this.registryOf(kind, name);
    const shown = displayUrl(registry);
    try {
      const known = await this.lookup(kind, registry, name, timeoutMs);
      const version = Array.isArray(known)
        ? newestPypiVersion(name, known)
        : resolveNpmSpec(name, known, spec === null || spec.toLowerCase() === 'latest' ? null : spec);
      return { version, registry: shown };
    } catch (err) {
      const what = spec === null || spec.toLowerCase() === 'latest' ? 'the latest version' : `"${spec}"`;
      const reason =
        err instanceof RegistryRequestError || err instanceof FleetError ? err.message : 'unexpected error';
      const code = err instanceof FleetError ? err.code : 'unavailable';
      throw new FleetError(
        code,
        `could not resolve ${what} of ${name} from ${shown}: ${reason}; give an exact version with ${name}@1.2.3`,
        { cause: err },
      );
    }
  }

  private registryOf(kind: PackageKind, name: string): string {
    const settings = this.settings();
    return kind === 'npx' ? npmRegistryFor(settings, name) : settings.pypi;
  }

  /** The registry's answer for the package, from the cache while it is fresh; failures are not kept. */
  private lookup(
    kind: PackageKind,
    registry: string,
    name: string,
    timeoutMs: number,
  ): Promise<NpmPackageInfo | string[]> {
    const project = kind === 'npx' ? name : normalizePypiName(name.replace(/\[.*\]$/, ''));
    const key = `${kind} ${registry} ${project}`;
    const cached = this.cache.get(key);
    if (cached !== undefined && this.now() - cached.at < this.cacheMs) return cached.value;
    const value =
      kind === 'npx'
        ? fetchNpmPackage(registry, project, timeoutMs)
        : fetchPypiVersions(registry, project, timeoutMs);
    const entry = { at: this.now(), value };
    this.cache.set(key, entry);
    void value.catch(() => {
      if (this.cache.get(key) === entry) this.cache.delete(key);
    });
    return value;
  }
}

function isNewer(kind: PackageKind, latest: string, pinned: string): boolean {
  if (kind === 'npx') return valid(latest) !== null && gt(latest, pinned);
  const a = parsePep440(latest);
  const b = parsePep440(pinned);
  return a !== null && b !== null && comparePep440(a, b) > 0;
}
