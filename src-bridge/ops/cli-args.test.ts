import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parseCliArgs, type CliArgs } from './cli-args';
import { certificateDir, makeTestCertificate } from '../test-certificates';
import { serverCommand, sha256, waitFor } from '../test-helpers';

const HASH = sha256('token');
const BIN = fileURLToPath(new URL('../../bin/mcp-fleet-bridge.mjs', import.meta.url));

function run(argv: string[]): CliArgs {
  const parsed = parseCliArgs(argv);
  assert.equal(parsed.kind, 'run');
  return (parsed as { args: CliArgs }).args;
}

describe('parseCliArgs', () => {
  it('reads every flag, repeated ones in order, and the command after --', () => {
    const args = run([
      '--port',
      '8080',
      '--host',
      '127.0.0.1',
      '--token-sha256',
      HASH,
      '--token-sha256',
      sha256('other'),
      '--members',
      '/m.json',
      '--mode',
      'dedicated',
      '--allow-cidr',
      '10.0.0.0/8',
      '--allow-cidr=fd00::/8',
      '--allow-gateway',
      '--trusted-proxy',
      '10.9.0.0/16',
      '--trusted-proxy=fd12::/64',
      '--tls-cert',
      '/tls/cert.pem',
      '--tls-key=/tls/key.pem',
      '--allow-origin',
      'https://a.example',
      '--env-file=/e.env',
      '--',
      'npx',
      '-y',
      '@x/server',
      '--port',
      '1',
    ]);
    assert.deepEqual(args, {
      port: 8080,
      host: '127.0.0.1',
      tokenSha256: [HASH, sha256('other')],
      membersFile: '/m.json',
      mode: 'dedicated',
      allowCidr: ['10.0.0.0/8', 'fd00::/8'],
      allowGateway: true,
      trustedProxy: ['10.9.0.0/16', 'fd12::/64'],
      tlsCert: '/tls/cert.pem',
      tlsKey: '/tls/key.pem',
      allowOrigin: ['https://a.example'],
      envFile: '/e.env',
      fairShare: {},
      roots: [],
      command: 'npx',
      args: ['-y', '@x/server', '--port', '1'],
    });
  });

  it('reads --root URI and --root URI=NAME, and refuses what MCP would not take as a root', () => {
    const base = ['--port', '1', '--token-sha256', HASH];
    const args = run([
      ...base,
      '--root',
      'file:///srv/data',
      '--root=file:///srv/a%3Db=Shared docs',
      '--',
      'x',
    ]);
    assert.deepEqual(args.roots, [
      { uri: 'file:///srv/data' },
      { uri: 'file:///srv/a%3Db', name: 'Shared docs' },
    ]);
    for (const [value, message] of [
      ['https://example.com/', /must be a file:\/\/ URI/],
      ['/srv/data', /must be a file:\/\/ URI/],
      ['file:///srv/my data', /without spaces or control characters/],
      ['file:///srv=', /1 to 200 printable characters/],
      ['file:///srv=a\u0007b', /1 to 200 printable characters/],
    ] as const)
      assert.throws(() => parseCliArgs([...base, '--root', value, '--', 'x']), message, value);
  });

  it('reads the fair-share and connection caps, and refuses ones that are not positive numbers', () => {
    const args = run([
      '--port',
      '1',
      '--token-sha256',
      HASH,
      '--member-sessions',
      '8',
      '--member-inflight=4',
      '--member-rps',
      '2.5',
      '--max-connections',
      '300',
      '--max-connections-per-source',
      '30',
      '--',
      'cmd',
    ]);
    assert.deepEqual(args.fairShare, {
      memberSessions: 8,
      memberInflight: 4,
      memberRps: 2.5,
      maxConnections: 300,
      maxConnectionsPerSource: 30,
    });
    const base = ['--port', '1', '--token-sha256', HASH];
    for (const [flag, value] of [
      ['--member-sessions', '0'],
      ['--member-inflight', '1.5'],
      ['--member-rps', '-1'],
      ['--member-rps', 'fast'],
      ['--max-connections', '1e3'],
    ] as const) {
      assert.throws(() => parseCliArgs([...base, flag, value, '--', 'cmd']), new RegExp(`${flag} must be`));
    }
    assert.throws(
      () => parseCliArgs([...base, '--member-rps', '1', '--member-rps', '2', '--', 'cmd']),
      /--member-rps may be given only once/,
    );
  });

  it('defaults to host 0.0.0.0, shared mode, plain HTTP, no gateway and no trusted proxy', () => {
    const args = run(['--port', '1', '--token-sha256', HASH, '--', 'cmd']);
    assert.equal(args.host, '0.0.0.0');
    assert.equal(args.mode, 'shared');
    assert.equal(args.tlsCert, undefined);
    assert.equal(args.tlsKey, undefined);
    assert.equal(args.allowGateway, false);
    assert.deepEqual(args.trustedProxy, []);
  });

  it('takes --allow-gateway as a switch, right before the command too', () => {
    assert.equal(
      run(['--port', '1', '--token-sha256', HASH, '--allow-gateway', '--', 'cmd']).allowGateway,
      true,
    );
  });

  const bad: [string, string[], RegExp][] = [
    ['unknown flag', ['--port', '1', '--token-sha256', HASH, '--nope', '--', 'x'], /unknown option --nope/],
    ['missing command', ['--port', '1', '--token-sha256', HASH], /missing the server command/],
    ['empty command', ['--port', '1', '--token-sha256', HASH, '--'], /missing the server command/],
    ['no auth', ['--port', '1', '--', 'x'], /--token-sha256 HEX or --members FILE/],
    ['bad port', ['--port', '70000', '--token-sha256', HASH, '--', 'x'], /not a port number/],
    ['missing port', ['--token-sha256', HASH, '--', 'x'], /--port is required/],
    ['a token instead of its hash', ['--port', '1', '--token-sha256', 'hunter2', '--', 'x'], /64 hex digits/],
    ['bad mode', ['--port', '1', '--token-sha256', HASH, '--mode', 'both', '--', 'x'], /shared or dedicated/],
    [
      'flag without value',
      ['--port', '1', '--token-sha256', HASH, '--host', '--', 'x'],
      /--host needs a value/,
    ],
    ['port twice', ['--port', '1', '--port', '2', '--token-sha256', HASH, '--', 'x'], /only once/],
    [
      '--tls-cert without --tls-key',
      ['--port', '1', '--token-sha256', HASH, '--tls-cert', '/c.pem', '--', 'x'],
      /give both --tls-cert FILE and --tls-key FILE, or neither/,
    ],
    [
      '--tls-key without --tls-cert',
      ['--port', '1', '--token-sha256', HASH, '--tls-key', '/k.pem', '--', 'x'],
      /give both --tls-cert FILE and --tls-key FILE, or neither/,
    ],
    [
      'two certificates',
      [
        '--port',
        '1',
        '--token-sha256',
        HASH,
        '--tls-cert',
        'a',
        '--tls-cert',
        'b',
        '--tls-key',
        'k',
        '--',
        'x',
      ],
      /--tls-cert may be given only once/,
    ],
    [
      'a value for --allow-gateway',
      ['--port', '1', '--token-sha256', HASH, '--allow-gateway=yes', '--', 'x'],
      /--allow-gateway takes no value/,
    ],
    [
      '--trusted-proxy without a range',
      ['--port', '1', '--token-sha256', HASH, '--trusted-proxy', '--', 'x'],
      /--trusted-proxy needs a value/,
    ],
    [
      'stray argument',
      ['--port', '1', '--token-sha256', HASH, 'npx', '--', 'x'],
      /put the server command after --/,
    ],
  ];
  for (const [name, argv, message] of bad) {
    it(`refuses ${name}`, () => assert.throws(() => parseCliArgs(argv), message));
  }
});

function spawnBin(args: string[]): {
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  kill: (s: NodeJS.Signals) => void;
  stdout: () => string;
} {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { done, kill: (s) => child.kill(s), stdout: () => stdout };
}

describe('mcp-fleet-bridge executable', () => {
  it('exits 2 with one line on stderr for a bad flag', async () => {
    const { code, stderr, stdout } = await spawnBin(['--port', '1', '--frobnicate', '--', 'x']).done;
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.match(stderr, /^mcp-fleet-bridge: unknown option --frobnicate\n$/);
  });

  it('exits 2 when the members file is missing, naming it', async () => {
    const { code, stderr } = await spawnBin([
      '--port',
      '0',
      '--members',
      '/nonexistent/members.json',
      '--',
      'x',
    ]).done;
    assert.equal(code, 2);
    assert.match(stderr, /cannot read the members file \/nonexistent\/members.json/);
  });

  it('exits 2 before listening when a TLS file is unreadable or the key is not the certificate’s, naming the flag', async () => {
    const { dir, cleanup } = await certificateDir();
    try {
      const good = await makeTestCertificate(dir, 'good');
      const other = await makeTestCertificate(dir, 'other');
      const base = ['--port', '0', '--host', '127.0.0.1', '--token-sha256', HASH];
      const missing = await spawnBin([
        ...base,
        '--tls-cert',
        good.certFile,
        '--tls-key',
        `${dir}/absent.key`,
        '--',
        'x',
      ]).done;
      assert.equal(missing.code, 2);
      assert.equal(missing.stdout, '', 'nothing logged: it never listened');
      assert.match(missing.stderr, /^mcp-fleet-bridge: --tls-key \S+absent\.key: cannot read it \(ENOENT/);
      const mismatched = await spawnBin([
        ...base,
        '--tls-cert',
        good.certFile,
        '--tls-key',
        other.keyFile,
        '--',
        'x',
      ]).done;
      assert.equal(mismatched.code, 2);
      assert.equal(mismatched.stdout, '');
      assert.match(
        mismatched.stderr,
        /^mcp-fleet-bridge: --tls-key \S+other\.key does not match the certificate in --tls-cert \S+good\.crt\n$/,
      );
    } finally {
      await cleanup();
    }
  });

  it('serves a real server, then on SIGTERM stops it and exits 0', async () => {
    const { command, args } = serverCommand('server-memory');
    const proc = spawnBin([
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--token-sha256',
      HASH,
      '--',
      command,
      ...args,
    ]);
    let port = 0;
    await waitFor(() => {
      const line = proc
        .stdout()
        .split('\n')
        .find((l) => l.includes('"event":"listening"'));
      if (line) port = (JSON.parse(line) as { port: number }).port;
      return port > 0 && proc.stdout().includes('"event":"child_ready"');
    }, 'the bridge to listen and its child to be ready');
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(await health.text(), 'ok');
    proc.kill('SIGTERM');
    const { code, stdout } = await proc.done;
    assert.equal(code, 0);
    assert.match(stdout, /"event":"child_exited"/);
    assert.match(stdout, /"event":"shutdown_complete"/);
    assert.ok(!stdout.includes(HASH), 'no token material in the log');
  });
});
