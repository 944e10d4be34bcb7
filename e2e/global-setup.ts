/**
 * Builds the renderer when out/renderer is missing or older than its sources, so the specs always test
 * the code in the checkout.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export default function globalSetup(): void {
  const built = join(repo, 'out', 'renderer', 'index.html');
  const sources = ['src-renderer', 'src-main/shared', 'electron.vite.config.ts', 'package.json'].map((p) =>
    join(repo, p),
  );
  const stale = !existsSync(built) || sources.some((source) => newestMtime(source) > statSync(built).mtimeMs);
  if (stale) execFileSync('npx', ['--no-install', 'electron-vite', 'build'], { cwd: repo, stdio: 'inherit' });
}
