/**
 * What an npm registry knows of a package (its dist-tags and versions, from the abbreviated packument
 * `GET /<name>`, a scope's slash sent as %2f), and which exact version a tag or range names there, as
 * npm install would pick it.
 */
import { maxSatisfying, satisfies, valid, validRange } from 'semver';
import { FleetError } from '../../shared/errors';
import { registryGet } from './registry-get';

export interface NpmPackageInfo {
  distTags: Record<string, string>;
  versions: string[];
}

/**
 * The package's dist-tags and versions. Throws FleetError('not_found') when the registry has no such
 * package, RegistryRequestError when it did not answer, FleetError('unavailable') for an answer that is
 * not a packument (the message starts with what the registry said).
 */
export async function fetchNpmPackage(
  registry: string,
  name: string,
  timeoutMs: number,
): Promise<NpmPackageInfo> {
  const res = await registryGet(
    `${registry}${name.replace('/', '%2f')}`,
    'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8',
    timeoutMs,
  );
  if (res.status === 404) throw new FleetError('not_found', `the registry has no package ${name}`);
  if (res.status !== 200) throw new FleetError('unavailable', `the registry answered HTTP ${res.status}`);
  let doc: unknown;
  try {
    doc = JSON.parse(res.body);
  } catch {
    throw new FleetError('unavailable', 'the registry answered with something that is not JSON');
  }
  const record = (doc ?? {}) as { 'dist-tags'?: unknown; versions?: unknown };
  const tags = record['dist-tags'];
  const versions = record.versions;
  if (typeof tags !== 'object' || tags === null || typeof versions !== 'object' || versions === null) {
    throw new FleetError('unavailable', 'the registry answered without dist-tags and versions');
  }
  return {
    distTags: Object.fromEntries(
      Object.entries(tags).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    ),
    versions: Object.keys(versions).filter((v) => valid(v) !== null),
  };
}

/** An exact version (1.2.3, 1.2.3-rc.1), which needs no registry; normalized (v1.2.3 → 1.2.3). */
export function exactNpmVersion(spec: string): string | null {
  return /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(spec) ? valid(spec) : null;
}

/**
 * The exact version `spec` names: none → the `latest` tag; a dist-tag → its version; a range → the `latest`
 * tag when it satisfies the range (as npm picks), else the highest version that does.
 * Throws FleetError('not_found') when nothing matches, ('invalid_input') for a spec that is neither.
 */
export function resolveNpmSpec(name: string, info: NpmPackageInfo, spec: string | null): string {
  const latest = info.distTags['latest'];
  if (spec === null || spec === 'latest') {
    if (latest === undefined) throw new FleetError('not_found', `${name} has no "latest" tag`);
    return latest;
  }
  const tagged = info.distTags[spec];
  if (tagged !== undefined) return tagged;
  const range = validRange(spec);
  if (range === null) {
    const tags = Object.keys(info.distTags).join(', ') || 'none';
    throw new FleetError('invalid_input', `${name} has no tag "${spec}" (its tags: ${tags})`);
  }
  if (latest !== undefined && satisfies(latest, range)) return latest;
  const best = maxSatisfying(info.versions, range);
  if (best === null) {
    throw new FleetError(
      'not_found',
      `no version of ${name} matches "${spec}"${latest === undefined ? '' : ` (latest is ${latest})`}`,
    );
  }
  return best;
}
