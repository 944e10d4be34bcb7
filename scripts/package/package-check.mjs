// `npm run package:check`: packs the app with electron-builder.yml as `npm run package` would (Linux
// `dir` target, a stand-in for the Electron binary, see pack-linux-dir.mjs), then checks the result:
// the archive's contents (asar-contents.mjs), the fuses, the deb's sandbox fix, the macOS signing
// settings and the icons (builder-checks.mjs), that the main process loads from the extracted
// package with only its packed dependencies (main-imports.mjs), and that the preload works in a
// sandbox (preload-sandbox.mjs). Needs no network, only `npm install`; run on Linux so far (on
// macOS and Windows hosts it packs the Linux layout too). Exits 1 on any problem.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import asar from '@electron/asar';
import { parse } from 'yaml';
import { checkArchive } from './asar-contents.mjs';
import { ensureBuilt } from './build-fresh.mjs';
import { checkDebSandbox, checkFuses, checkIcons, checkMacSigning } from './builder-checks.mjs';
import { readLockPackages } from './lockfile.mjs';
import { checkMainImports } from './main-imports.mjs';
import { packLinuxDir } from './pack-linux-dir.mjs';
import { checkPreload } from './preload-sandbox.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const log = (line) => console.log(`package-check: ${line}`);
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  log(`needs Node 22 or newer (this is ${process.version}); run it as npm run package:check`);
  process.exit(1);
}

const started = Date.now();
const since = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mcp-fleet-package-check-'));
const sections = [];
let failed = false;
try {
  if (ensureBuilt(repo, log)) log(`built out/ (${since()})`);
  const config = parse(readFileSync(path.join(repo, 'electron-builder.yml'), 'utf8'));
  const executableName =
    config.linux?.executableName ?? JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).name;
  const packed = await packLinuxDir({ repo, scratch, executableName });
  log(`electron-builder packed linux-${process.arch} (${since()})`);

  const archive = checkArchive({
    repo,
    resourcesDir: packed.resourcesDir,
    lockPackages: readLockPackages(path.join(repo, 'package-lock.json')),
    platform: 'linux',
    arch: process.arch,
  });
  sections.push(['archive contents', archive.problems]);
  sections.push(['fuses', await checkFuses(config, packed.executable)]);
  sections.push(['deb sandbox fix', checkDebSandbox(repo, config)]);
  sections.push(['macOS signing settings', checkMacSigning(repo, config)]);
  sections.push(['icons', await checkIcons(repo, config, scratch)]);

  const appDir = path.join(scratch, 'app');
  asar.extractAll(path.join(packed.resourcesDir, 'app.asar'), appDir);
  const main = await checkMainImports({ appDir, scratch });
  sections.push(['main process imports', main.problems]);
  const preload = await checkPreload({ appDir, repo });
  sections.push(['sandboxed preload', preload.problems]);

  for (const [name, problems] of sections) {
    log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${name}`);
    for (const p of problems) console.log(`    ${p.replaceAll('\n', '\n    ')}`);
    if (problems.length > 0) failed = true;
  }
  const { stats } = archive;
  const unpackedBytes = stats.unpacked.reduce((n, u) => n + u.size, 0);
  log(
    `app.asar ${mb(stats.archiveBytes)}, ${stats.files} files, ${stats.packages} packages; ` +
      `${stats.unpacked.length} files unpacked (${mb(unpackedBytes)}): ` +
      stats.unpacked
        .filter((u) => u.file.endsWith('.node'))
        .map((u) => u.file)
        .join(', '),
  );
  log(
    `main imports ${main.stats.packages.join(', ')} and electron { ${main.stats.electronNames.join(', ')} }` +
      (main.stats.dynamic > 0 ? `; ${main.stats.dynamic} import() with a computed name not checked` : ''),
  );
  log(`preload exposes api with ${preload.stats.members} members`);
} catch (err) {
  failed = true;
  log(`FAIL ${err instanceof Error ? err.message : String(err)}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
log(failed ? `the package has problems (${since()})` : `the package is sound (${since()})`);
process.exitCode = failed ? 1 : 0;
