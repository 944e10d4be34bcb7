/**
 * Where this machine's Docker engine and SSH agent are, and the PATH a process started from Finder or the
 * Start menu should use, per OS. Pure functions of the platform, the environment and what exists, so every
 * branch is tested on Linux; the defaults read the real process.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export interface HostFacts {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** The user's home folder. */
  home: string;
  exists: (file: string) => boolean;
}

export function currentHost(): HostFacts {
  return { platform: process.platform, env: process.env, home: homedir(), exists: existsSync };
}

/** docker-modem's spelling of Docker Desktop's engine pipe on Windows. */
export const WINDOWS_DOCKER_PIPE = '//./pipe/docker_engine';
/** The agent of Windows' own OpenSSH (the "OpenSSH Authentication Agent" service). */
export const WINDOWS_OPENSSH_AGENT_PIPE = '\\\\.\\pipe\\openssh-ssh-agent';

export type LocalDockerEndpoint =
  /** DOCKER_HOST is set: docker-modem reads it (unix://, npipe://, tcp://, ssh://) with its TLS variables. */
  { kind: 'docker-host-env'; host: string } | { kind: 'socket'; path: string };

/**
 * The engine on this machine. Linux: the system socket, else rootless Docker's. Windows: Docker Desktop's
 * named pipe. macOS: the first socket that exists of Docker Desktop (its per-user socket since 4.13, then
 * the /var/run link it makes when allowed to), Colima, OrbStack and Rancher Desktop; with none,
 * Docker Desktop's, which the "engine missing" sentence then names.
 */
export function localDockerEndpoint(host: HostFacts = currentHost()): LocalDockerEndpoint {
  const fromEnv = host.env['DOCKER_HOST'];
  if (fromEnv !== undefined && fromEnv !== '') return { kind: 'docker-host-env', host: fromEnv };
  if (host.platform === 'win32') return { kind: 'socket', path: WINDOWS_DOCKER_PIPE };
  if (host.platform === 'darwin') {
    const desktop = path.posix.join(host.home, '.docker/run/docker.sock');
    const candidates = [
      desktop,
      '/var/run/docker.sock',
      path.posix.join(host.home, '.colima/default/docker.sock'),
      path.posix.join(host.home, '.orbstack/run/docker.sock'),
      path.posix.join(host.home, '.rd/docker.sock'),
    ];
    return { kind: 'socket', path: candidates.find((socket) => host.exists(socket)) ?? desktop };
  }
  const system = '/var/run/docker.sock';
  const runtime = host.env['XDG_RUNTIME_DIR'];
  const rootless = runtime ? path.posix.join(runtime, 'docker.sock') : undefined;
  const found = !host.exists(system) && rootless !== undefined && host.exists(rootless) ? rootless : system;
  return { kind: 'socket', path: found };
}

/** What to do when no engine answers on this machine, in the operator's terms for their OS. */
export function startDockerAdvice(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'win32':
      return 'start Docker Desktop, or set DOCKER_HOST to the engine to use';
    case 'darwin':
      return 'start Docker Desktop (or Colima, OrbStack), or set DOCKER_HOST to the engine to use';
    default:
      return 'install Docker or start its service';
  }
}

/**
 * The SSH agent ssh2 should ask: SSH_AUTH_SOCK when set (on Windows too: Git Bash and Cygwin set it). A
 * Windows process started from the Start menu has none, so there it is the OpenSSH agent's pipe when that
 * service runs, else Pageant (ssh2 understands the word "pageant"). Elsewhere nothing: no agent.
 */
export function defaultSshAgent(host: HostFacts = currentHost()): string | undefined {
  const fromEnv = host.env['SSH_AUTH_SOCK'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (host.platform !== 'win32') return undefined;
  return host.exists(WINDOWS_OPENSSH_AGENT_PIPE) ? WINDOWS_OPENSSH_AGENT_PIPE : 'pageant';
}

/**
 * The PATH for a process the desktop started. macOS gives apps opened from Finder only
 * /usr/bin:/bin:/usr/sbin:/sbin, where no npm lives: this appends the folders where Homebrew (Apple
 * silicon, then Intel and the nodejs.org installer), MacPorts and Volta put node and npm, those that
 * exist and are not there yet, after the operator's own entries. Not Electron's own folder (its
 * process.execPath is the app, not node). Windows' Start menu and Linux desktop sessions already hand
 * apps the PATH the installers wrote, so theirs is kept as it is.
 */
export function guiPath(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  exists: (dir: string) => boolean,
): string {
  const current = pathValue(env, platform);
  if (platform !== 'darwin') return current;
  const entries = (current || '/usr/bin:/bin:/usr/sbin:/sbin').split(':').filter((entry) => entry !== '');
  const home = env['HOME'];
  const extras = [
    '/opt/homebrew/bin',
    '/usr/local/bin',
    '/opt/local/bin',
    ...(home ? [path.posix.join(home, '.volta/bin')] : []),
  ];
  for (const dir of extras) if (!entries.includes(dir) && exists(dir)) entries.push(dir);
  return entries.join(':');
}

/** Windows spells the variable Path; a copied environment object no longer ignores the case. */
function pathValue(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  if (platform !== 'win32') return env['PATH'] ?? '';
  const key = Object.keys(env).find((name) => name.toUpperCase() === 'PATH');
  return key === undefined ? '' : (env[key] ?? '');
}

/**
 * How to start npm for a baked npm server. Elsewhere `npm` on PATH; on Windows npm is `npm.cmd`, which
 * execFile can neither find nor run without a shell (Node's CVE-2024-27980 fix), and a shell would have
 * to quote the build folder: so the npm-cli.js beside the first node.exe on PATH, run by that node.
 * Undefined on Windows when no Node is on PATH (the install step then says npm is missing).
 */
export function defaultNpmCommand(host: HostFacts = currentHost()): readonly string[] | undefined {
  if (host.platform !== 'win32') return ['npm'];
  const pathValue = host.env['Path'] ?? host.env['PATH'] ?? '';
  for (const dir of pathValue.split(';').filter((d) => d !== '')) {
    const node = path.win32.join(dir, 'node.exe');
    const cli = path.win32.join(dir, 'node_modules', 'npm', 'bin', 'npm-cli.js');
    if (host.exists(node) && host.exists(cli)) return [node, cli];
  }
  return undefined;
}
