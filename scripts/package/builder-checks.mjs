// Checks of what electron-builder does with electron-builder.yml beyond the archive: the fuses it
// flipped, the deb's AppArmor fix for Ubuntu 24.04, and that it takes the app icons as they are
// (converting them would fetch its icon toolset from GitHub, which packaging should not need).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import fuses from '@electron/fuses';

const { FuseV1Options, getCurrentFuseWire } = fuses;
/** How the wire stores a fuse (@electron/fuses' FuseState, which it does not export): '1' or '0'. */
const ENABLED = '1'.charCodeAt(0);
const DISABLED = '0'.charCodeAt(0);

/** The fuses the house style requires in every package (STYLE.md, security defaults). */
const REQUIRED_FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
};

/** Fuses: the config asks for the required ones, and the packed binary carries what it asks for. */
export async function checkFuses(config, executable) {
  const problems = [];
  const wanted = config.electronFuses ?? {};
  for (const [name, value] of Object.entries(REQUIRED_FUSES)) {
    if (wanted[name] !== value)
      problems.push(`electron-builder.yml must set electronFuses.${name}: ${value}`);
  }
  const wire = await getCurrentFuseWire(executable);
  for (const [name, value] of Object.entries(wanted)) {
    if (typeof value !== 'boolean' || name === 'resetAdHocDarwinSignature') continue;
    const index = FuseV1Options[name.charAt(0).toUpperCase() + name.slice(1)];
    if (index === undefined) {
      problems.push(`electronFuses.${name} is not a fuse @electron/fuses knows`);
      continue;
    }
    const expected = value ? ENABLED : DISABLED;
    if (wire[index] !== expected) {
      problems.push(`fuse ${name} is ${String.fromCharCode(wire[index])} in the packed binary, not ${value}`);
    }
  }
  return problems;
}

/** electron-builder's own modules, resolved from the electron-builder the repo installs. */
function builderRequire(repo) {
  const fromRepo = createRequire(path.join(repo, 'package.json'));
  return createRequire(fromRepo.resolve('electron-builder/package.json'));
}

/**
 * The deb sandbox fix: electron-builder's after-install script installs an AppArmor profile that
 * grants `userns` to the app, which Chromium's sandbox needs on Ubuntu 24.04 (unprivileged user
 * namespaces are otherwise denied and the app would not start without --no-sandbox).
 */
export function checkDebSandbox(repo, config) {
  const req = builderRequire(repo);
  const templates = path.join(
    path.dirname(req.resolve('app-builder-lib/package.json')),
    'templates',
    'linux',
  );
  const deb = config.deb ?? {};
  const afterInstall = deb.afterInstall
    ? path.resolve(repo, deb.afterInstall)
    : path.join(templates, 'after-install.tpl');
  const profile = deb.appArmorProfile
    ? path.resolve(repo, deb.appArmorProfile)
    : path.join(templates, 'apparmor-profile.tpl');
  const problems = [];
  if (!/apparmor_parser[^\n]*--replace/.test(readFileSync(afterInstall, 'utf8'))) {
    problems.push(
      `${afterInstall} no longer loads an AppArmor profile; the deb would not start on Ubuntu 24.04`,
    );
  }
  if (!/^\s*userns,/m.test(readFileSync(profile, 'utf8'))) {
    problems.push(`${profile} does not grant userns; Chromium's sandbox would fail on Ubuntu 24.04`);
  }
  return problems;
}

/**
 * macOS signing settings: the hardened runtime (notarisation requires it) and entitlements that
 * let V8 JIT, which electron-builder takes from build/entitlements.mac{,.inherit}.plist.
 */
export function checkMacSigning(repo, config) {
  const problems = [];
  if (config.mac?.hardenedRuntime !== true)
    problems.push('electron-builder.yml must set mac.hardenedRuntime: true');
  const buildResources = path.join(repo, config.directories?.buildResources ?? 'build');
  for (const name of ['entitlements.mac.plist', 'entitlements.mac.inherit.plist']) {
    let text;
    try {
      text = readFileSync(path.join(buildResources, name), 'utf8');
    } catch {
      problems.push(
        `${name} is missing from ${buildResources}; electron-builder would use its broader default`,
      );
      continue;
    }
    if (!/<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/.test(text)) {
      problems.push(
        `${name} does not grant com.apple.security.cs.allow-jit; V8 cannot run under the hardened runtime`,
      );
    }
  }
  return problems;
}

/** Walks an ICNS file; returns the element types, or throws on a malformed file. */
function icnsTypes(bytes) {
  if (bytes.toString('ascii', 0, 4) !== 'icns' || bytes.readUInt32BE(4) !== bytes.length) {
    throw new Error('not an ICNS file (bad magic or length)');
  }
  const types = [];
  for (let at = 8; at < bytes.length;) {
    const length = bytes.readUInt32BE(at + 4);
    if (length < 8 || at + length > bytes.length) throw new Error(`element at ${at} overruns the file`);
    types.push(bytes.toString('ascii', at, at + 4));
    at += length;
  }
  return types;
}

/** The icons: electron-builder resolves each platform's icon to our file, with no conversion. */
export async function checkIcons(repo, config, scratch) {
  const { convertIcon } = builderRequire(repo)('app-builder-lib/out/util/iconConverter.js');
  const problems = [];
  const roots = [repo, path.join(repo, config.directories?.buildResources ?? 'build')];
  const wanted = [
    ['mac', 'icns'],
    ['win', 'ico'],
    ['linux', 'set'],
  ];
  for (const [platform, format] of wanted) {
    const source = config[platform]?.icon;
    if (typeof source !== 'string') {
      problems.push(`electron-builder.yml sets no ${platform}.icon`);
      continue;
    }
    const outDir = path.join(scratch, `icon-${format}`);
    try {
      const { icons, isFallback } = await convertIcon({
        sources: [source],
        fallbackSources: [],
        roots,
        format,
        outDir,
      });
      const ours = icons.every((i) => i.file.startsWith(path.join(repo, source)));
      if (isFallback || icons.length === 0 || !ours) {
        problems.push(`electron-builder does not use ${source} as the ${platform} icon as it is`);
      }
    } catch (err) {
      problems.push(`electron-builder cannot use ${source} as the ${platform} icon: ${err.message}`);
    }
  }
  try {
    const types = icnsTypes(readFileSync(path.join(repo, config.mac.icon)));
    if (!types.includes('ic10')) problems.push(`${config.mac.icon} has no 1024 px (ic10) image`);
  } catch (err) {
    problems.push(`${config.mac?.icon}: ${err.message}`);
  }
  return problems;
}
