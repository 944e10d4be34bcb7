/**
 * Python package versions (PEP 440), as far as picking the newest release of an index needs: parse,
 * order, and tell a pre-release from a final one. Local versions (`1.0+local`) are never on a public
 * index and are not taken.
 */

const PRE_RANK: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

const PATTERN =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?$/i;

export interface Pep440Version {
  /** The version as the index wrote it. */
  text: string;
  epoch: number;
  release: number[];
  pre: [number, number] | null;
  post: number | null;
  dev: number | null;
}

/** The version, or null when `text` is not a PEP 440 public version. */
export function parsePep440(text: string): Pep440Version | null {
  const m = PATTERN.exec(text.trim());
  if (!m) return null;
  const [, epoch, release, preLabel, preNumber, postImplicit, postLabel, postNumber, devLabel, devNumber] = m;
  return {
    text,
    epoch: Number(epoch ?? 0),
    release: (release ?? '0').split('.').map(Number),
    pre: preLabel === undefined ? null : [PRE_RANK[preLabel.toLowerCase()] ?? 0, Number(preNumber ?? 0)],
    post:
      postImplicit !== undefined || postLabel !== undefined ? Number(postImplicit ?? postNumber ?? 0) : null,
    dev: devLabel === undefined ? null : Number(devNumber ?? 0),
  };
}

/** A pre-release or a development release: what an installer skips unless asked. */
export function isPrerelease(v: Pep440Version): boolean {
  return v.pre !== null || v.dev !== null;
}

function compareNumbers(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Negative when a is older than b, positive when newer, 0 when they are the same version. */
export function comparePep440(a: Pep440Version, b: Pep440Version): number {
  const epoch = compareNumbers(a.epoch, b.epoch);
  if (epoch !== 0) return epoch;
  for (let i = 0; i < Math.max(a.release.length, b.release.length); i++) {
    const part = compareNumbers(a.release[i] ?? 0, b.release[i] ?? 0);
    if (part !== 0) return part;
  }
  return compareKeys(suffixKey(a), suffixKey(b));
}

/**
 * The order after the release numbers: 1.0.dev1 < 1.0a1.dev1 < 1.0a1 < 1.0a1.post1 < 1.0 < 1.0.post1.dev1
 * < 1.0.post1.
 */
function suffixKey(v: Pep440Version): number[] {
  const pre =
    v.pre !== null
      ? v.pre
      : v.post === null && v.dev !== null
        ? [-1, 0] // 1.0.dev1 comes before every pre-release of 1.0
        : [Number.POSITIVE_INFINITY, 0];
  const post = v.post === null ? Number.NEGATIVE_INFINITY : v.post;
  const dev = v.dev === null ? Number.POSITIVE_INFINITY : v.dev;
  return [...pre, post, dev];
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const part = compareNumbers(a[i] ?? 0, b[i] ?? 0);
    if (part !== 0) return part;
  }
  return 0;
}
