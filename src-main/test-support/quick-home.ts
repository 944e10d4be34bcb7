import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/**
 * Temporary folders for one test file, removed after its tests: `dir()` an empty one, `home()` a data
 * folder whose store.json asks for scrypt at its smallest accepted cost, so each key derivation is quick.
 */
export function tempFolders(prefix: string): { dir: () => string; home: () => string } {
  const roots: string[] = [];
  after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));
  const dir = (): string => {
    const root = mkdtempSync(join(tmpdir(), prefix));
    roots.push(root);
    return root;
  };
  const home = (): string => {
    const folder = join(dir(), 'home');
    mkdirSync(folder, { mode: 0o700 });
    const settings = { kdf: 'scrypt', N: 2 ** 14, r: 8, p: 1, salt: randomBytes(16).toString('base64') };
    writeFileSync(join(folder, 'store.json'), JSON.stringify(settings));
    return folder;
  };
  return { dir, home };
}
