// Runs electron-builder itself on the checkout, with electron-builder.yml as it is, for the Linux
// `dir` target: the same file filters, production-dependency collection, asar packing, unpack rules
// and fuse flipping as `npm run package`, minus the installers. Electron's binary cannot be
// downloaded here, so electronDist points at a stand-in: a file carrying Electron's fuse wire (the
// sentinel and Electron's default fuse states) where the binary would be. It is the mock at the
// Electron-binary boundary; everything electron-builder does around it is real.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** @electron/fuses' marker, then wire version 1 and its length, then one byte per fuse. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/**
 * Electron's own defaults, in FuseV1Options order: RunAsNode on, cookie encryption off, NODE_OPTIONS
 * on, --inspect on, asar integrity off, only-load-from-asar off, browser V8 snapshot off, file://
 * privileges on. Every fuse the config sets is a change from these, so an unflipped fuse shows.
 */
const ELECTRON_DEFAULT_WIRE = '10110001';

/** Writes the stand-in Electron distribution for Linux into `dir`. */
function writeStandInElectron(dir) {
  mkdirSync(path.join(dir, 'resources'), { recursive: true });
  const binary = path.join(dir, 'electron');
  writeFileSync(
    binary,
    Buffer.concat([
      Buffer.from('package-check stand-in for the Electron binary\n'),
      Buffer.from(FUSE_SENTINEL, 'ascii'),
      Buffer.from([1, ELECTRON_DEFAULT_WIRE.length]),
      Buffer.from(ELECTRON_DEFAULT_WIRE, 'ascii'),
      Buffer.from('\n'),
    ]),
  );
  chmodSync(binary, 0o755);
}

/** The arch flag electron-builder takes for this machine. */
function archFlag() {
  const flags = { x64: '--x64', arm64: '--arm64', ia32: '--ia32', arm: '--armv7l' };
  const flag = flags[process.arch];
  if (flag === undefined) throw new Error(`electron-builder has no target for arch ${process.arch}`);
  return flag;
}

/**
 * Packs the app for linux-<this arch> into `scratch`/dist. Resolves to where the app landed; rejects
 * with electron-builder's output when it fails.
 */
export async function packLinuxDir({ repo, scratch, executableName }) {
  const electronDist = path.join(scratch, 'electron-dist');
  writeStandInElectron(electronDist);
  const output = path.join(scratch, 'dist');
  const cli = createRequire(path.join(repo, 'package.json')).resolve('electron-builder/cli.js');
  const args = [
    cli,
    '--linux',
    'dir',
    archFlag(),
    '--projectDir',
    repo,
    '--publish',
    'never',
    `-c.electronDist=${electronDist}`,
    `-c.directories.output=${output}`,
  ];
  const log = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repo, env: { ...process.env, CI: 'true' } });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`electron-builder exited with ${code}:\n${text}`)),
    );
  });
  // linux-unpacked for x64, linux-<arch>-unpacked otherwise.
  const unpacked = readdirSync(output).find((name) => /^linux(-[a-z0-9]+)?-unpacked$/.test(name));
  if (unpacked === undefined) throw new Error(`electron-builder wrote no linux-*-unpacked folder:\n${log}`);
  const appOutDir = path.join(output, unpacked);
  return {
    log,
    appOutDir,
    resourcesDir: path.join(appOutDir, 'resources'),
    executable: path.join(appOutDir, executableName),
  };
}
