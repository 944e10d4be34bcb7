// What `npm start` starts: the Electron window, fetching the binary first when it is missing, or web
// mode with the exact reason Electron cannot run here and how to get it. Takes the platform, the
// environment, the user id and the paths as arguments, so every branch runs under plain Node in tests.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { electronVersion, fetchBinary, locateBinary, skipRequested } from './electron-fetch.mjs';
import { sandboxCheck } from './electron-sandbox.mjs';

const X11_PLATFORMS = new Set(['linux', 'freebsd', 'openbsd']);
const PACKAGED = 'or install a packaged build of the app (`npm run package` makes one)';

function web(reason, remedy) {
  return { web: { reason, remedy } };
}

function firstLine(text) {
  return (
    (text ?? '')
      .split('\n')
      .find((line) => line.trim())
      ?.trim() ?? ''
  );
}

// A binary can exist and still not start (missing shared libraries, wrong architecture).
function probe(binary) {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  if (result.status === 0) return null;
  if (result.error) return result.error.message;
  return firstLine(result.stderr) || (result.signal ? `killed by ${result.signal}` : `exit ${result.status}`);
}

function fetchRemedy(failure, env) {
  const mirror = env.ELECTRON_MIRROR || env.npm_config_electron_mirror;
  const retry = failure.host
    ? `run \`npx install-electron\` again once ${failure.host} is reachable`
    : 'run `npx install-electron` to see the installer fail in full';
  const viaMirror = mirror
    ? `check that ELECTRON_MIRROR (${mirror}) serves Electron's release files`
    : 'set ELECTRON_MIRROR to an Electron mirror you can reach (for example https://npmmirror.com/mirrors/electron/)';
  return `To get the app, ${retry}, ${viaMirror}, ${PACKAGED}.`;
}

/**
 * The plan: `{ electron: { binary, args, notices } }` or `{ web: { reason, remedy } }`. Fetches the
 * binary (install.js, output on this terminal) when it is missing and may be fetched; never throws for
 * a machine that cannot run Electron. `sandbox` overrides where the Linux sandbox check looks (tests).
 */
export async function planStart({
  repo,
  pkgDir,
  platform,
  env,
  uid,
  execPath,
  log = console.log,
  sandbox = {},
}) {
  // First, so that a machine with no display is not sent to download 100 MB it cannot use.
  if (X11_PLATFORMS.has(platform) && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return web(
      'there is no display (DISPLAY and WAYLAND_DISPLAY are unset, as over SSH, in a container or a service)',
      'To get the app, run `npm start` in a desktop session (or over `ssh -X`); web mode below needs only a browser.',
    );
  }
  if (!pkgDir) {
    return web(
      'the electron package is not installed',
      'To get the app, run `npm install` (electron is a devDependency).',
    );
  }
  let found = locateBinary(pkgDir, env, platform);
  if (!found.binary && !found.fetchable) {
    return web(
      found.missing,
      'To get the app, point ELECTRON_OVERRIDE_DIST_PATH at an Electron dist folder or unset it.',
    );
  }
  if (!found.binary) {
    if (skipRequested(env)) {
      return web(
        'the Electron binary has not been fetched, and ELECTRON_SKIP_BINARY_DOWNLOAD is set, so it is not fetched now',
        'To get the app, fetch it with `npx install-electron` (which ignores that variable), or unset ' +
          `ELECTRON_SKIP_BINARY_DOWNLOAD and run \`npm start\` again, ${PACKAGED}.`,
      );
    }
    log(
      `start: fetching the Electron ${electronVersion(pkgDir)} binary (about 100 MB, once) with install-electron`,
    );
    const fetched = await fetchBinary({ pkgDir, env, execPath });
    if (!fetched.ok) {
      return web(`fetching the Electron binary failed: ${fetched.reason}`, fetchRemedy(fetched, env));
    }
    found = locateBinary(pkgDir, env, platform);
    if (!found.binary) {
      return web(
        `install-electron finished, but ${join(pkgDir, 'path.txt')} names no binary`,
        fetchRemedy({}, env),
      );
    }
  }
  const { binary } = found;
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    return web(
      `${binary} is not executable`,
      `To get the app, make it executable (chmod +x) or delete ${join(pkgDir, 'dist')} and run \`npm start\` again.`,
    );
  }
  const broken = probe(binary);
  if (broken) {
    return web(
      `the Electron binary does not start on this machine: ${broken}`,
      `To get the app, install what that names (on Linux usually a shared library, through the package manager), ${PACKAGED}.`,
    );
  }
  const flags = [];
  const notices = [];
  if (env.MCP_FLEET_ELECTRON_NO_SANDBOX === '1') {
    flags.push('--no-sandbox');
    notices.push(
      "start: MCP_FLEET_ELECTRON_NO_SANDBOX=1: Electron runs without Chromium's OS sandbox (the window's own " +
        'sandbox option still holds); unset it once the sandbox can start (see `npm start` without it).',
    );
  } else if (uid === 0) {
    // Chromium refuses to start as root with its OS sandbox on; the window's own sandbox option still holds.
    flags.push('--no-sandbox');
  } else if (platform === 'linux') {
    const check = sandboxCheck({ binary, ...sandbox });
    if (!check.ok) return web(check.reason, check.remedy);
  }
  return { electron: { binary, args: [repo, ...flags], notices } };
}

/** The paragraph `npm start` prints before it starts web mode instead of Electron. */
export function webModeNotice({ reason, remedy }) {
  const sentence = reason.replace(/\.$/, ''); // installer errors often end with their own full stop
  return `start: Electron cannot start here: ${sentence}.\n${remedy}\nStarting web mode instead: open the URL it prints in a browser.`;
}
