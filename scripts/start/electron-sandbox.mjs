// Whether Chromium's OS sandbox can start on Linux. Ubuntu 24.04 and later restrict unprivileged user
// namespaces through AppArmor (kernel.apparmor_restrict_unprivileged_userns = 1); Chromium then needs its
// setuid helper (chrome-sandbox, owned by root, mode 4755) or an AppArmor profile that grants `userns`
// to the binary. With neither, Electron aborts at start ("The SUID sandbox helper binary was found, but
// is not configured correctly") after the window was promised. Checked before starting, so `npm start`
// can say why and how to fix it, and never drops the sandbox unless the operator asks.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const USERNS_SYSCTL = '/proc/sys/kernel/apparmor_restrict_unprivileged_userns';
export const APPARMOR_DIR = '/etc/apparmor.d';
export const PROFILE_NAME = 'mcp-fleet-electron';

/** The AppArmor profile that lets this Electron binary create user namespaces (Ubuntu's documented form). */
export function appArmorProfile(binary) {
  return [
    'abi <abi/4.0>,',
    'include <tunables/global>',
    '',
    `profile ${PROFILE_NAME} "${binary}" flags=(unconfined) {`,
    '  userns,',
    '',
    `  include if exists <local/${PROFILE_NAME}>`,
    '}',
    '',
  ].join('\n');
}

function shellQuote(text) {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

function restricted(sysctlPath) {
  try {
    return readFileSync(sysctlPath, 'utf8').trim() === '1';
  } catch {
    return false; // no such sysctl: not Ubuntu's restriction (older kernel, no AppArmor)
  }
}

function setuidRoot(helper, stat) {
  try {
    const info = stat(helper);
    return info.uid === 0 && (info.mode & 0o4000) !== 0;
  } catch {
    return false;
  }
}

// A profile under /etc/apparmor.d that names this binary and grants userns, such as the one printed
// below once the operator saved it. Loaded profiles cannot be listed without root, so the file stands in.
function profileGrantsUserns(binary, apparmorDir) {
  let entries;
  try {
    entries = readdirSync(apparmorDir, { withFileTypes: true });
  } catch {
    return false;
  }
  return entries.some((entry) => {
    if (!entry.isFile()) return false;
    try {
      const text = readFileSync(join(apparmorDir, entry.name), 'utf8');
      return text.includes(binary) && /^\s*userns\s*,/m.test(text);
    } catch {
      return false;
    }
  });
}

/**
 * For a non-root user on Linux: `{ ok: true }` when Chromium's sandbox can start, else
 * `{ ok: false, reason, remedy }` naming the two fixes with this binary's exact paths.
 */
export function sandboxCheck({
  binary,
  sysctlPath = USERNS_SYSCTL,
  apparmorDir = APPARMOR_DIR,
  stat = statSync,
}) {
  if (!restricted(sysctlPath)) return { ok: true };
  const helper = join(dirname(binary), 'chrome-sandbox');
  if (setuidRoot(helper, stat) || profileGrantsUserns(binary, apparmorDir)) return { ok: true };
  const profilePath = join(APPARMOR_DIR, PROFILE_NAME);
  const reason =
    `this system restricts unprivileged user namespaces (${sysctlPath} is 1, as on Ubuntu 24.04 and later), ` +
    `and ${helper} is not setuid root, so Chromium's sandbox would abort Electron at start`;
  const remedy = [
    `Fix it in one of two ways, then run \`npm start\` again.`,
    `(1) Make the sandbox helper setuid root (redo this after Electron is fetched again):`,
    `    sudo chown root:root ${shellQuote(helper)} && sudo chmod 4755 ${shellQuote(helper)}`,
    `(2) Or allow this binary user namespaces with an AppArmor profile: save the text below as ${profilePath}`,
    `    and load it with \`sudo apparmor_parser -r ${profilePath}\`:`,
    ...appArmorProfile(binary)
      .trimEnd()
      .split('\n')
      .map((line) => (line ? `      ${line}` : '')),
    `MCP_FLEET_ELECTRON_NO_SANDBOX=1 npm start starts Electron without Chromium's OS sandbox instead; ` +
      `not recommended, since the app then handles SSH keys and secrets with that protection off.`,
  ].join('\n');
  return { ok: false, reason, remedy };
}
