// Finding Electron's binary in its npm package, and fetching it the way Electron 42 and later document:
// `npm install` no longer downloads it, the package's `install-electron` bin (install.js) does.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPORT_PRELOAD = join(dirname(fileURLToPath(import.meta.url)), 'fetch-report.cjs');

/** The electron package's directory as `repo` resolves it, or null when it is not installed. */
export function electronPackageDir(repo) {
  try {
    return dirname(createRequire(join(repo, 'package.json')).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** The Electron version the package fetches (its package.json version). */
export function electronVersion(pkgDir) {
  return JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
}

// The executable inside dist/, as install.js names it in path.txt.
function defaultExecutable(platform) {
  if (platform === 'darwin' || platform === 'mas') return 'Electron.app/Contents/MacOS/Electron';
  return platform === 'win32' ? 'electron.exe' : 'electron';
}

/**
 * The binary, or why there is none and whether fetching would help. Reads path.txt as the package's
 * index.js does but never requires the package: since Electron 42 that downloads as a side effect, with
 * no way to say why it failed.
 */
export function locateBinary(pkgDir, env, platform) {
  const pathFile = join(pkgDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    // install.js always extracts into the package's own dist/, so fetching cannot fill an override.
    const binary = join(override, executable || defaultExecutable(platform));
    if (existsSync(binary)) return { binary };
    return { missing: `ELECTRON_OVERRIDE_DIST_PATH is set, but ${binary} does not exist`, fetchable: false };
  }
  if (executable) {
    const binary = join(pkgDir, 'dist', executable);
    if (existsSync(binary)) return { binary };
  }
  return { missing: 'the Electron binary has not been fetched', fetchable: true };
}

/**
 * Whether the operator asked not to download Electron. The Electron 45 installer itself no longer reads
 * ELECTRON_SKIP_BINARY_DOWNLOAD (it had no install step to skip), so `npm start` honours it here.
 */
export function skipRequested(env) {
  const value = (env.ELECTRON_SKIP_BINARY_DOWNLOAD ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false';
}

/**
 * Runs the package's install.js with this Node, as `npx install-electron` does: the operator's terminal
 * attached (its progress bar and errors), the environment passed through so that ELECTRON_MIRROR,
 * ELECTRON_CUSTOM_DIR, electron_config_cache, electron_use_remote_checksums, ELECTRON_GET_USE_PROXY and
 * their npm_config_ forms apply as Electron documents them. Resolves to `{ ok: true }` or
 * `{ ok: false, reason, host? }`; never rejects. The wait for each answer is bounded by `answerTimeoutMs`.
 */
export async function fetchBinary({ pkgDir, env, execPath, answerTimeoutMs = 60_000 }) {
  const child = spawn(execPath, ['--require', REPORT_PRELOAD, join(pkgDir, 'install.js')], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    env: { ...env, MCP_FLEET_FETCH_ANSWER_TIMEOUT_MS: String(answerTimeoutMs) },
  });
  let reportText = '';
  child.stdio[3].setEncoding('utf8').on('data', (chunk) => (reportText += chunk));
  const exit = await new Promise((resolve) => {
    child.once('error', (error) => resolve({ error }));
    // 'close', not 'exit': the report pipe is read to its end by then.
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  if (!exit.error && exit.code === 0) return { ok: true };
  return { ok: false, ...describeFailure(parseReport(reportText), exit) };
}

function parseReport(text) {
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
}

const NETWORK_CAUSES = {
  ENOTFOUND: 'its name does not resolve, offline or DNS blocked',
  EAI_AGAIN: 'its name does not resolve, offline or DNS blocked',
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  UND_ERR_SOCKET: 'the connection closed before an answer',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  EHOSTUNREACH: 'no route to it',
  ENETUNREACH: 'no network',
};

function networkCause({ code, message }) {
  if (code && NETWORK_CAUSES[code]) return `${NETWORK_CAUSES[code]} (${code})`;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code ?? '')) {
    return `its TLS certificate is not trusted (${code}); behind a TLS-inspecting proxy, set NODE_EXTRA_CA_CERTS to its CA file`;
  }
  return code ? `${message} (${code})` : message;
}

/**
 * One sentence for why install.js failed: the last request that went wrong (what the preload saw), else
 * the first line the installer printed, else how it exited.
 */
export function describeFailure(events, { code, signal, error }) {
  const request = events.findLast((event) => event.kind !== 'error');
  if (request) {
    const host = request.hostname || new URL(request.url).host;
    if (request.kind === 'http') {
      return { host, reason: `${request.url} answered ${request.status} ${request.text ?? ''}`.trim() };
    }
    if (request.kind === 'timeout') {
      return { host, reason: `${host} did not answer within ${Math.round(request.ms / 1000)} s` };
    }
    return { host, reason: `cannot reach ${host}: ${networkCause(request)}` };
  }
  const line = events.find((event) => event.kind === 'error')?.line;
  // A plain Error adds nothing; a named one (HTTPError, ChecksumMismatchError) does.
  if (line) return { reason: `the installer failed: ${line.replace(/^Error: /, '')}` };
  if (error) return { reason: `the installer did not start: ${error.message}` };
  return {
    reason: signal ? `the installer was stopped by ${signal}` : `the installer exited with code ${code}`,
  };
}
