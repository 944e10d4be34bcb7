import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  WINDOWS_DOCKER_PIPE,
  WINDOWS_OPENSSH_AGENT_PIPE,
  currentHost,
  defaultNpmCommand,
  defaultSshAgent,
  guiPath,
  localDockerEndpoint,
  startDockerAdvice,
  type HostFacts,
} from './platform-defaults';

const host = (over: Partial<HostFacts> & { files?: string[] }): HostFacts => {
  const files = new Set(over.files ?? []);
  return { platform: 'linux', env: {}, home: '/home/ops', exists: (f) => files.has(f), ...over };
};

describe("this machine's Docker engine", () => {
  test('DOCKER_HOST wins on every OS', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const env = { DOCKER_HOST: 'tcp://10.0.0.5:2376' };
      assert.deepEqual(localDockerEndpoint(host({ platform, env })), {
        kind: 'docker-host-env',
        host: 'tcp://10.0.0.5:2376',
      });
    }
    // An empty DOCKER_HOST is unset, as the docker CLI treats it.
    assert.equal(localDockerEndpoint(host({ env: { DOCKER_HOST: '' } })).kind, 'socket');
  });

  test('Linux: the system socket, else rootless Docker in XDG_RUNTIME_DIR', () => {
    const env = { XDG_RUNTIME_DIR: '/run/user/1000' };
    const socket = (files: string[]) => localDockerEndpoint(host({ env, files }));
    assert.deepEqual(socket([]), { kind: 'socket', path: '/var/run/docker.sock' });
    assert.deepEqual(socket(['/var/run/docker.sock', '/run/user/1000/docker.sock']), {
      kind: 'socket',
      path: '/var/run/docker.sock',
    });
    assert.deepEqual(socket(['/run/user/1000/docker.sock']), {
      kind: 'socket',
      path: '/run/user/1000/docker.sock',
    });
    assert.deepEqual(localDockerEndpoint(host({ files: ['/run/user/1000/docker.sock'] })), {
      kind: 'socket',
      path: '/var/run/docker.sock',
    });
  });

  test("Windows: Docker Desktop's named pipe, in the spelling docker-modem takes", () => {
    assert.deepEqual(localDockerEndpoint(host({ platform: 'win32', home: 'C:\\Users\\ops' })), {
      kind: 'socket',
      path: WINDOWS_DOCKER_PIPE,
    });
    assert.equal(WINDOWS_DOCKER_PIPE, '//./pipe/docker_engine');
  });

  test('macOS: the first engine socket that exists, Docker Desktop first', () => {
    const home = '/Users/ops';
    const mac = (files: string[]) => localDockerEndpoint(host({ platform: 'darwin', home, files }));
    const cases: [string[], string][] = [
      [[], '/Users/ops/.docker/run/docker.sock'],
      [['/var/run/docker.sock', '/Users/ops/.docker/run/docker.sock'], '/Users/ops/.docker/run/docker.sock'],
      [['/var/run/docker.sock', '/Users/ops/.colima/default/docker.sock'], '/var/run/docker.sock'],
      [
        ['/Users/ops/.colima/default/docker.sock', '/Users/ops/.orbstack/run/docker.sock'],
        '/Users/ops/.colima/default/docker.sock',
      ],
      [['/Users/ops/.orbstack/run/docker.sock'], '/Users/ops/.orbstack/run/docker.sock'],
      [['/Users/ops/.rd/docker.sock'], '/Users/ops/.rd/docker.sock'],
    ];
    for (const [files, expected] of cases)
      assert.deepEqual(mac(files), { kind: 'socket', path: expected }, files.join());
  });

  test('the advice when no engine answers fits the OS', () => {
    assert.equal(startDockerAdvice('linux'), 'install Docker or start its service');
    assert.match(startDockerAdvice('darwin'), /^start Docker Desktop \(or Colima, OrbStack\)/);
    assert.match(startDockerAdvice('win32'), /^start Docker Desktop, or set DOCKER_HOST/);
  });

  test('the real check finds a real socket (a Unix socket standing in for the engine)', async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'fleet-home-'));
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const facts = { ...currentHost(), platform: 'darwin' as const, env: {}, home };
    const dir = join(home, '.orbstack', 'run');
    mkdirSync(dir, { recursive: true });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, 'docker.sock'), resolve));
    t.after(() => server.close());
    // /var/run/docker.sock may exist on this machine (it comes second); Docker Desktop's and Colima's do not.
    const expected = existsSync('/var/run/docker.sock') ? '/var/run/docker.sock' : join(dir, 'docker.sock');
    assert.deepEqual(localDockerEndpoint(facts), { kind: 'socket', path: expected });
  });
});

describe('the SSH agent', () => {
  test('SSH_AUTH_SOCK wins on every OS', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const env = { SSH_AUTH_SOCK: '/tmp/agent.sock' };
      assert.equal(
        defaultSshAgent(host({ platform, env, files: [WINDOWS_OPENSSH_AGENT_PIPE] })),
        '/tmp/agent.sock',
      );
    }
  });

  test("Windows: OpenSSH's agent pipe when it runs, else Pageant", () => {
    assert.equal(
      defaultSshAgent(host({ platform: 'win32', files: [WINDOWS_OPENSSH_AGENT_PIPE] })),
      WINDOWS_OPENSSH_AGENT_PIPE,
    );
    assert.equal(defaultSshAgent(host({ platform: 'win32' })), 'pageant');
    assert.equal(defaultSshAgent(host({ platform: 'win32', env: { SSH_AUTH_SOCK: '' } })), 'pageant');
    // ssh2 opens an OpenSSH agent (not Cygwin's) for paths of this shape.
    assert.match(WINDOWS_OPENSSH_AGENT_PIPE, /^[/\\][/\\]\.[/\\]pipe[/\\].+/);
  });

  test('Linux and macOS without SSH_AUTH_SOCK have no agent', () => {
    assert.equal(defaultSshAgent(host({ platform: 'linux' })), undefined);
    assert.equal(defaultSshAgent(host({ platform: 'darwin', env: { SSH_AUTH_SOCK: '' } })), undefined);
  });
});

describe('the PATH of a process the desktop started', () => {
  const all = () => true;

  test("macOS from Finder gains Homebrew's, MacPorts' and Volta's folders that exist, after its own", () => {
    const env = { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', HOME: '/Users/ops' };
    assert.equal(
      guiPath(env, 'darwin', all),
      '/usr/bin:/bin:/usr/sbin:/sbin:/opt/homebrew/bin:/usr/local/bin:/opt/local/bin:/Users/ops/.volta/bin',
    );
    const intel = new Set(['/usr/local/bin']);
    assert.equal(
      guiPath(env, 'darwin', (dir) => intel.has(dir)),
      '/usr/bin:/bin:/usr/sbin:/sbin:/usr/local/bin',
    );
  });

  test('macOS from a terminal keeps its PATH, order and all, adding no duplicate', () => {
    const env = {
      PATH: '/Users/ops/.nvm/versions/node/v22.1.0/bin:/usr/local/bin:/opt/homebrew/bin:/usr/bin:/bin',
    };
    assert.equal(
      guiPath(env, 'darwin', (dir) => dir !== '/opt/local/bin'),
      env.PATH,
    );
  });

  test('macOS with no PATH at all starts from the system default', () => {
    assert.equal(
      guiPath({}, 'darwin', (dir) => dir === '/opt/homebrew/bin'),
      '/usr/bin:/bin:/usr/sbin:/sbin:/opt/homebrew/bin',
    );
  });

  test('Linux and Windows keep what the session handed them', () => {
    assert.equal(guiPath({ PATH: '/usr/bin:/bin' }, 'linux', all), '/usr/bin:/bin');
    const windows = {
      Path: 'C:\\Windows\\system32;C:\\Program Files\\nodejs\\;C:\\Users\\ops\\AppData\\Roaming\\npm',
    };
    assert.equal(guiPath(windows, 'win32', all), windows.Path);
    assert.equal(guiPath({}, 'win32', all), '');
  });
});

describe('how npm is started for a baked server', () => {
  test('npm on PATH outside Windows', () => {
    assert.deepEqual(defaultNpmCommand(host({ platform: 'darwin' })), ['npm']);
    assert.deepEqual(defaultNpmCommand(host({ platform: 'linux' })), ['npm']);
  });

  test('Windows: the npm-cli.js beside the first node.exe on Path that has one, run by that node', () => {
    const env = { Path: 'C:\\Windows\\system32;C:\\Program Files\\nodejs;D:\\other\\nodejs' };
    const files = [
      'D:\\other\\nodejs\\node.exe',
      'C:\\Program Files\\nodejs\\node.exe',
      'C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js',
      'D:\\other\\nodejs\\node_modules\\npm\\bin\\npm-cli.js',
    ];
    assert.deepEqual(defaultNpmCommand(host({ platform: 'win32', env, files })), [
      'C:\\Program Files\\nodejs\\node.exe',
      'C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js',
    ]);
    // A node.exe without its npm (a standalone binary) is passed over.
    assert.equal(
      defaultNpmCommand(host({ platform: 'win32', env, files: ['C:\\Program Files\\nodejs\\node.exe'] })),
      undefined,
    );
  });
});
