/**
 * Stand-in MCP servers as local images for the engine tests: a server written on the official SDK is
 * bundled into one file (esbuild) and copied into images FROM the testbed's Node base, one image per
 * tag with the environment given for it. No registry is involved: the images exist only on this engine.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { NODE_BASE_IMAGE } from '../../e2e/fixtures/base-image';
import { repoRoot } from './fleet';

const run = promisify(execFile);

export interface StandInSource {
  /** The server's source text (ESM), or a file to bundle. */
  contents?: string;
  entry?: string;
}

/** Builds `repo:tag` for each tag, its ENV lines from `env`; resolves when every image exists. */
export async function buildStandInImages(
  source: StandInSource,
  repo: string,
  tags: { tag: string; env?: Record<string, string> }[],
): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'stand-in-'));
  try {
    await build({
      ...(source.contents !== undefined
        ? { stdin: { contents: source.contents, resolveDir: repoRoot, loader: 'js' as const } }
        : { entryPoints: [source.entry ?? ''] }),
      outfile: path.join(dir, 'server.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      logLevel: 'silent',
    });
    for (const { tag, env } of tags) {
      const envLines = Object.entries(env ?? {}).map(([k, v]) => `ENV ${k}=${JSON.stringify(v)}\n`);
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        `FROM ${NODE_BASE_IMAGE}\nCOPY server.mjs /app/server.mjs\n${envLines.join('')}ENTRYPOINT ["node", "/app/server.mjs"]\n`,
      );
      await run('docker', ['build', '-q', '-t', `${repo}:${tag}`, dir]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
