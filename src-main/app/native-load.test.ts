// The real module: loaded as the app loads it, and made to fail for real (a binary for another OS, and
// the Linux binary patched to ask for a glibc this machine does not have).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { checkNativeStore, describeNativeLoadFailure, glibcFloor } from './native-load';

const require = createRequire(import.meta.url);
const prebuilds = path.join(
  path.dirname(require.resolve('better-sqlite3-multiple-ciphers/package.json')),
  'prebuilds',
);
const ownPrebuild = path.join(prebuilds, `linux-${process.arch}.node`);
const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header
  .glibcVersionRuntime;
const onGlibcLinux = process.platform === 'linux' && glibc !== undefined;

/** The error a real load of `file` raises. */
function dlopenError(file: string): Error {
  try {
    process.dlopen({ exports: {} }, file);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`${file} loaded`);
}

test('the store module loads here', () => {
  assert.deepEqual(checkNativeStore(), { ok: true });
});

test('the glibc floor read from the shipped Linux binaries is the one objdump reports', (t) => {
  const objdump = spawnSync('objdump', ['--version']);
  if (objdump.status !== 0) return t.skip('no objdump to compare with');
  for (const arch of ['x64', 'arm64']) {
    const file = path.join(prebuilds, `linux-${arch}.node`);
    const dump = spawnSync('objdump', ['-T', file], { encoding: 'utf8' }).stdout;
    const versions = [...dump.matchAll(/GLIBC_(\d+(?:\.\d+)+)/g)].map((m) => m[1] ?? '');
    const newest = versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
    assert.ok(newest, `objdump found no GLIBC_ versions in ${file}`);
    assert.equal(glibcFloor(readFileSync(file)), newest, arch);
  }
});

test('a binary for another OS fails for real, and the sentence names the glibc floor and this glibc', () => {
  const err = dlopenError(path.join(prebuilds, 'darwin-arm64.node'));
  assert.equal((err as NodeJS.ErrnoException).code, 'ERR_DLOPEN_FAILED');
  assert.equal(
    describeNativeLoadFailure(err, { platform: 'linux', glibcRuntime: '2.31', glibcFloor: '2.34' }),
    "MCP Fleet's encrypted store cannot start: its SQLite module did not load: it needs glibc 2.34 or newer " +
      'and this system has glibc 2.31. Run MCP Fleet on a newer distribution (Ubuntu 22.04, Debian 12, RHEL 9 or later)',
  );
  const recentEnough = describeNativeLoadFailure(err, {
    platform: 'linux',
    glibcRuntime: '2.36',
    glibcFloor: '2.34',
  });
  assert.match(
    recentEnough,
    /\(.*darwin-arm64\.node: invalid ELF header\); it needs glibc 2\.34 or newer and this system has glibc 2\.36: reinstall MCP Fleet/,
  );
  for (const platform of ['darwin', 'win32'] as const) {
    const sentence = describeNativeLoadFailure(err, {
      platform,
      glibcRuntime: undefined,
      glibcFloor: undefined,
    });
    assert.match(
      sentence,
      /did not load \(.*invalid ELF header\): reinstall MCP Fleet; if that does not help, report this message$/,
    );
  }
  const musl = describeNativeLoadFailure(err, {
    platform: 'linux',
    glibcRuntime: undefined,
    glibcFloor: '2.34',
  });
  assert.match(musl, /musl system \(Alpine\), which uses the linuxmusl build: reinstall/);
});

test(
  'a binary that needs a newer glibc than this one is refused by the loader, and said so',
  { skip: !onGlibcLinux && 'needs glibc Linux' },
  (t) => {
    // The shipped binary with its newest GLIBC_ version renamed to one no glibc has yet: the dynamic loader
    // refuses it exactly as an old distribution refuses the real one.
    const floor = glibcFloor(readFileSync(ownPrebuild));
    assert.ok(floor);
    // Same length (9.99 for 2.34), so no offset in the binary moves.
    const future = `GLIBC_${floor.replace(/\d/g, '9')}`;
    const dir = mkdtempSync(path.join(tmpdir(), 'fleet-native-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const patched = path.join(dir, 'linux.node');
    copyFileSync(ownPrebuild, patched);
    writeFileSync(
      patched,
      Buffer.from(readFileSync(patched).toString('latin1').replaceAll(`GLIBC_${floor}`, future), 'latin1'),
    );

    const result = checkNativeStore({ nativeBinding: patched });
    assert.equal(result.ok, false);
    assert.equal(
      result.ok ? '' : result.message,
      `MCP Fleet's encrypted store cannot start: its SQLite module did not load: it needs glibc ${future.slice(6)} or newer ` +
        `and this system has glibc ${glibc}. Run MCP Fleet on a newer distribution (Ubuntu 22.04, Debian 12, RHEL 9 or later)`,
    );
  },
);

test("the loader's libstdc++ complaint gets its own sentence", () => {
  // glibc's loader words this so; a libstdc++ this old is not at hand to make it for real.
  const err = new Error(
    "/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.29' not found (required by /opt/fleet/linux-x64.node)",
  );
  assert.match(
    describeNativeLoadFailure(err, { platform: 'linux', glibcRuntime: '2.35', glibcFloor: '2.34' }),
    /needs a libstdc\+\+ with GLIBCXX_3\.4\.29 \(GCC 11 or newer\)/,
  );
});
