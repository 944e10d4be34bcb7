/**
 * What a Python package index offers of a project, read through the Simple API: `GET <index>/<name>/`
 * asking for PEP 691 JSON and taking PEP 503 HTML when that is all the index speaks (private indexes,
 * older mirrors). Versions come from the PEP 700 `versions` list when the index gives one, else from the
 * file names. A version whose every file is yanked does not count.
 */
import { FleetError } from '../../shared/errors';
import { comparePep440, isPrerelease, parsePep440, type Pep440Version } from './pep440';
import { registryGet } from './registry-get';

/** PEP 503: runs of "-", "_" and "." are one "-", lower case. */
export function normalizePypiName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

interface IndexFile {
  filename: string;
  yanked: boolean;
}

/**
 * The project's versions that are not yanked. Throws FleetError('not_found') when the index has no such
 * project, RegistryRequestError when it did not answer, FleetError('unavailable') for an answer it cannot
 * read.
 */
export async function fetchPypiVersions(index: string, name: string, timeoutMs: number): Promise<string[]> {
  const project = normalizePypiName(name);
  const res = await registryGet(
    `${index}${project}/`,
    'application/vnd.pypi.simple.v1+json, text/html;q=0.1',
    timeoutMs,
  );
  if (res.status === 404) throw new FleetError('not_found', `the index has no project ${name}`);
  if (res.status !== 200) throw new FleetError('unavailable', `the index answered HTTP ${res.status}`);
  const { files, versions } = /json/i.test(res.contentType) ? fromJson(res.body) : fromHtml(res.body);
  const byVersion = new Map<string, IndexFile[]>();
  for (const file of files) {
    const version = versionOfFile(file.filename, project);
    if (version !== null) byVersion.set(version, [...(byVersion.get(version) ?? []), file]);
  }
  const listed = versions ?? [...byVersion.keys()];
  // A version with files, all of them yanked, is withdrawn; one listed without files is taken as listed.
  return listed.filter((v) => !(byVersion.get(v)?.every((f) => f.yanked) ?? false));
}

/**
 * The newest final release among `versions` (a pre-release only when the project has nothing else), as
 * uv and pip pick one. Throws FleetError('not_found') when there is none.
 */
export function newestPypiVersion(name: string, versions: readonly string[]): string {
  const parsed = versions.map(parsePep440).filter((v): v is Pep440Version => v !== null);
  const finals = parsed.filter((v) => !isPrerelease(v));
  const pool = finals.length > 0 ? finals : parsed;
  const newest = pool.reduce<Pep440Version | null>(
    (best, v) => (best === null || comparePep440(v, best) > 0 ? v : best),
    null,
  );
  if (newest === null) throw new FleetError('not_found', `the index lists no release of ${name}`);
  return newest.text;
}

function fromJson(body: string): { files: IndexFile[]; versions: string[] | null } {
  let doc: { files?: unknown; versions?: unknown };
  try {
    doc = JSON.parse(body) as typeof doc;
  } catch {
    throw new FleetError('unavailable', 'the index answered with something that is not JSON');
  }
  if (!Array.isArray(doc.files)) throw new FleetError('unavailable', 'the index answered without files');
  const files = doc.files.flatMap((f: unknown): IndexFile[] => {
    const file = f as { filename?: unknown; yanked?: unknown };
    if (typeof file.filename !== 'string') return [];
    return [{ filename: file.filename, yanked: file.yanked !== undefined && file.yanked !== false }];
  });
  const versions = Array.isArray(doc.versions)
    ? doc.versions.filter((v): v is string => typeof v === 'string')
    : null;
  return { files, versions };
}

function fromHtml(body: string): { files: IndexFile[]; versions: null } {
  const files: IndexFile[] = [];
  for (const m of body.matchAll(/<a\s([^>]*)>([^<]*)<\/a>/gi)) {
    const attributes = m[1] ?? '';
    files.push({
      filename: decodeEntities((m[2] ?? '').trim()),
      yanked: /\bdata-yanked\b/i.test(attributes),
    });
  }
  return { files, versions: null };
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) =>
    e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : "'",
  );
}

/** The version in a wheel's or an sdist's file name, or null for another project's file or none. */
function versionOfFile(filename: string, project: string): string | null {
  if (filename.endsWith('.whl')) {
    // name-version(-build)?-python-abi-platform.whl, the name's "-" written as "_".
    const [name, version] = filename.slice(0, -4).split('-');
    return name !== undefined && normalizePypiName(name) === project && version !== undefined
      ? version
      : null;
  }
  const stem = /^(.*)\.(?:tar\.gz|tar\.bz2|tar\.xz|tgz|zip)$/i.exec(filename)?.[1];
  if (stem === undefined) return null;
  // name-version: the name may hold "-" itself, so try each split from the right.
  for (let i = stem.lastIndexOf('-'); i > 0; i = stem.lastIndexOf('-', i - 1)) {
    if (normalizePypiName(stem.slice(0, i)) === project) return stem.slice(i + 1);
  }
  return null;
}
