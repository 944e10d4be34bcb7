// `npm run package` (after `npm run build`): electron-builder for this machine's platform and arch,
// with electron-builder.yml, installers in dist/. Extra arguments go to electron-builder
// (`npm run package -- --dir` for an unpacked app only).
// electron-builder downloads Electron (and, per target, its tools) from GitHub; where that cannot be
// reached the failure is said in one line instead of electron-builder's stack trace.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(repo, 'package.json'));

const PLATFORM_FLAGS = { darwin: '--mac', win32: '--win', linux: '--linux' };
const ARCH_FLAGS = { x64: '--x64', arm64: '--arm64', ia32: '--ia32', arm: '--armv7l' };
/** Errors of a download that never reached its server. */
const NETWORK_ERROR =
  /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|socket hang up)\b/;

const platformFlag = PLATFORM_FLAGS[process.platform];
const archFlag = ARCH_FLAGS[process.arch];
if (platformFlag === undefined || archFlag === undefined) {
  console.error(`package: electron-builder cannot package on ${process.platform}-${process.arch}`);
  process.exit(1);
}

const cli = require.resolve('electron-builder/cli.js');
const electronVersion = require('electron/package.json').version;
const args = [cli, platformFlag, archFlag, '--publish', 'never', ...process.argv.slice(2)];
const child = spawn(process.execPath, args, { cwd: repo, stdio: ['inherit', 'pipe', 'pipe'] });
// electron-builder reports a failure on stdout as a "⨯" line followed by its stack: progress lines
// pass through as they come, a failure block is held back until it is known what went wrong.
let held = '';
let holding = false;
let partial = '';
child.stdout.on('data', (chunk) => {
  const lines = (partial + chunk).split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    if (/^\s*⨯/.test(line)) holding = true;
    else if (holding && !/^\s+(at |\S+Error|stackTrace)/.test(line)) holding = false;
    if (holding) held += `${line}\n`;
    else process.stdout.write(`${line}\n`);
  }
});
child.stderr.on('data', (chunk) => (held += chunk));
child.on('close', (code) => {
  held += partial;
  if (code === 0) {
    process.stdout.write(held);
    console.log(
      `package: installers for ${process.platform}-${process.arch} are in ${path.join(repo, 'dist')}`,
    );
    return;
  }
  const network = NETWORK_ERROR.exec(held);
  if (network) {
    const host = /\b(?:getaddrinfo \w+|connect \w+) ([\w.-]+)/.exec(held)?.[1] ?? 'its download server';
    console.error(
      `package: electron-builder could not download Electron ${electronVersion} or its tools for ` +
        `${process.platform}-${process.arch} (${network[1]} reaching ${host}). Packaging needs ` +
        'github.com, a mirror in ELECTRON_MIRROR, or an unpacked Electron passed as ' +
        '`npm run package -- -c.electronDist=DIR`; `npm run package:check` checks the package without any.',
    );
  } else {
    process.stderr.write(held);
    console.error(`package: electron-builder failed (exit ${code}); see its messages above`);
  }
  process.exitCode = code ?? 1;
});
