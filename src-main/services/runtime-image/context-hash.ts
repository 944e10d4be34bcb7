// The runtime image's tag is derived from everything that goes into it, so the same definition
// always names the same image: a deploy can skip the build when that tag exists, and two different
// servers never share a tag.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

/** Repository part of every runtime image tag. */
export const RUNTIME_IMAGE_REPOSITORY = 'mcp-fleet/runtime';

/** The tag rule: `mcp-fleet/runtime:<first 16 hex digits of the context hash>`. */
export function runtimeImageTag(contextHash: string): string {
  if (!/^[0-9a-f]{16,64}$/.test(contextHash)) throw new Error(`not a hex digest: ${contextHash}`);
  return `${RUNTIME_IMAGE_REPOSITORY}:${contextHash.slice(0, 16)}`;
}

async function hashTree(root: string, dir: string, into: ReturnType<typeof createHash>): Promise<void> {
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    const full = path.join(dir, name);
    const relative = path.relative(root, full).split(path.sep).join('/');
    const info = await lstat(full);
    if (info.isSymbolicLink()) {
      into.update(`L ${relative} -> ${await readlink(full)}\n`);
    } else if (info.isDirectory()) {
      into.update(`D ${relative}\n`);
      await hashTree(root, full, into);
    } else if (info.isFile()) {
      // Docker keeps the execute bit, so it is part of what the image holds.
      const exec = (info.mode & 0o111) !== 0 ? 'x' : '-';
      const digest = createHash('sha256')
        .update(await readFile(full))
        .digest('hex');
      into.update(`F ${relative} ${exec} ${digest}\n`);
    }
  }
}

/** SHA-256 over a build context folder (paths, links, exec bits, contents) and the build settings. */
export async function hashContext(dir: string, settings: Record<string, string>): Promise<string> {
  const hash = createHash('sha256');
  const sorted = Object.keys(settings)
    .sort()
    .map((key) => [key, settings[key]]);
  hash.update(`${JSON.stringify(sorted)}\n`);
  await hashTree(dir, dir, hash);
  return hash.digest('hex');
}
