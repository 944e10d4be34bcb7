// Boundary: an HTTP package registry. The npm registry and the PyPI index are a local stand-in
// (test-support/registry-stub.ts) speaking npm's packument JSON and PyPI's Simple API (PEP 691 JSON and
// PEP 503 HTML), so nothing here reaches the internet.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { FleetError } from '../../shared/errors';
import { deadRegistryUrl, startRegistryStub, type RegistryStub } from '../../test-support/registry-stub';
import { comparePep440, parsePep440 } from './pep440';
import { displayUrl, registrySettingsFromEnv, type RegistrySettings } from './registry-settings';
import { SourcePinner } from './source-pinner';

const MEMORY = '@modelcontextprotocol/server-memory';

describe('SourcePinner', () => {
  let stub: RegistryStub;
  let dead: string;
  let clock: number;
  const settingsOf = (over: Partial<RegistrySettings> = {}): RegistrySettings => ({
    npm: stub.npm,
    npmScopes: {},
    pypi: stub.pypi,
    ...over,
  });
  const pinner = (over: Partial<RegistrySettings> = {}) =>
    new SourcePinner({ settings: () => settingsOf(over), timeoutMs: 2_000, now: () => clock });

  before(async () => {
    stub = await startRegistryStub();
    dead = await deadRegistryUrl();
  });
  after(() => stub.close());
  beforeEach(() => {
    clock = 0;
    stub.requests.length = 0;
    stub.html = false;
    stub.packages.npm = {
      [MEMORY]: {
        tags: { latest: '2026.8.31', next: '2026.9.0-rc.1' },
        versions: ['1.0.0', '1.4.2', '1.5.0-beta.1', '2026.8.31', '2026.9.0-rc.1'],
      },
      'plain-server': { tags: { latest: '2.0.0' }, versions: ['1.9.9', '2.0.0'] },
    };
    stub.packages.pypi = {
      'mcp-server-fetch': {
        files: [
          { filename: 'mcp_server_fetch-2025.4.7-py3-none-any.whl' },
          { filename: 'mcp_server_fetch-2025.4.7.tar.gz' },
          { filename: 'mcp_server_fetch-2025.10.1-py3-none-any.whl', yanked: true },
          { filename: 'mcp_server_fetch-2026.1.0rc1-py3-none-any.whl' },
          { filename: 'mcp-server-fetch-2024.12.1.tar.gz' },
        ],
      },
    };
  });

  it('pins an npx package without a version to the latest tag, asking for the scoped name as @scope%2fname', async () => {
    const pinned = await pinner().pin({ kind: 'npx', value: MEMORY });
    assert.deepEqual(pinned, {
      source: { kind: 'npx', value: `${MEMORY}@2026.8.31` },
      pinned: { package: MEMORY, requested: null, version: '2026.8.31', registry: stub.npm },
    });
    assert.deepEqual(stub.requests, ['/@modelcontextprotocol%2fserver-memory']);
  });

  it('resolves a range to the highest matching version, and a tag to its version', async () => {
    const p = pinner();
    const value = async (v: string) => (await p.pin({ kind: 'npx', value: v })).source.value;
    assert.equal(await value(`${MEMORY}@^1`), `${MEMORY}@1.4.2`, 'pre-releases are not in a plain range');
    assert.equal(await value(`${MEMORY}@1.x`), `${MEMORY}@1.4.2`);
    assert.equal(await value(`${MEMORY}@latest`), `${MEMORY}@2026.8.31`);
    assert.equal(await value(`${MEMORY}@next`), `${MEMORY}@2026.9.0-rc.1`);
    assert.equal(await value(`${MEMORY}@>=2000`), `${MEMORY}@2026.8.31`, 'latest when it matches');
    assert.equal(stub.requests.length, 1, 'one packument, cached for the rest');
  });

  it('leaves an exact version, an image and a command alone without asking anybody', async () => {
    const p = pinner({ npm: dead, pypi: dead });
    for (const source of [
      { kind: 'npx', value: 'plain-server@1.9.9' },
      { kind: 'uvx', value: 'mcp-server-fetch==2025.4.7' },
      { kind: 'uvx', value: 'mcp-server-fetch@2025.4.7' },
      { kind: 'image', value: 'ghcr.io/acme/server:1.2' },
      { kind: 'command', value: '/usr/bin/server' },
    ] as const) {
      assert.deepEqual(await p.pin(source), { source, pinned: null });
    }
    assert.deepEqual(
      (await p.pin({ kind: 'npx', value: 'plain-server@v1.9.9' })).source.value,
      'plain-server@1.9.9',
    );
    assert.equal(stub.requests.length, 0);
  });

  it('pins a uvx package to the newest final release that is not yanked, from JSON or HTML', async () => {
    for (const html of [false, true]) {
      stub.html = html;
      const pinned = await pinner().pin({ kind: 'uvx', value: 'mcp_server.fetch' });
      assert.deepEqual(pinned.source, { kind: 'uvx', value: 'mcp_server.fetch@2025.4.7' }, `html: ${html}`);
      assert.equal(pinned.pinned?.registry, stub.pypi);
    }
    assert.deepEqual(stub.requests, ['/simple/mcp-server-fetch/', '/simple/mcp-server-fetch/']);
    const extras = await pinner().pin({ kind: 'uvx', value: 'mcp-server-fetch[cli]@latest' });
    assert.equal(extras.source.value, 'mcp-server-fetch[cli]@2025.4.7');
  });

  it("takes the index's PEP 700 versions list when it has one", async () => {
    stub.packages.pypi['mcp-server-fetch'] = {
      files: [{ filename: 'mcp_server_fetch-3.0.0-py3-none-any.whl', yanked: true }],
      versions: ['2.0.0', '2.1.0.post1', '3.0.0', '3.1.0.dev2'],
    };
    const pinned = await pinner().pin({ kind: 'uvx', value: 'mcp-server-fetch' });
    assert.equal(pinned.source.value, 'mcp-server-fetch@2.1.0.post1');
  });

  it('fails with an error that names the package, the registry and how to pin, when the registry is down', async () => {
    for (const [source, hint] of [
      [{ kind: 'npx', value: MEMORY }, `${MEMORY}@1.2.3`],
      [{ kind: 'uvx', value: 'mcp-server-fetch' }, 'mcp-server-fetch@1.2.3'],
    ] as const) {
      await assert.rejects(pinner({ npm: dead, pypi: `${dead}simple/` }).pin(source), (err: FleetError) => {
        assert.equal(err.code, 'unavailable');
        assert.match(
          err.message,
          /^could not resolve the latest version of \S+ from http:\/\/127\.0\.0\.1:\d+\//,
        );
        assert.match(err.message, /ECONNREFUSED/);
        assert.ok(err.message.endsWith(`; give an exact version with ${hint}`), err.message);
        return true;
      });
    }
  });

  it('says what is missing: a package, a tag, a matching version, a PyPI version', async () => {
    const cases = [
      [{ kind: 'npx', value: 'no-such-server' }, 'not_found', /the registry has no package no-such-server/],
      [
        { kind: 'npx', value: `${MEMORY}@beta` },
        'invalid_input',
        /has no tag "beta" \(its tags: latest, next\)/,
      ],
      [
        { kind: 'npx', value: `${MEMORY}@^3` },
        'not_found',
        /no version of \S+ matches "\^3" \(latest is 2026\.8\.31\)/,
      ],
      [{ kind: 'uvx', value: 'no-such-tool' }, 'not_found', /the index has no project no-such-tool/],
      [{ kind: 'uvx', value: 'mcp-server-fetch@newest' }, 'invalid_input', /"newest" is not a PyPI version/],
    ] as const;
    for (const [source, code, message] of cases) {
      await assert.rejects(pinner().pin(source), (err: FleetError) => {
        assert.deepEqual([err.code, message.test(err.message)], [code, true], err.message);
        return true;
      });
    }
  });

  it('reuses an answer for a while, then asks again', async () => {
    const p = pinner();
    await p.pin({ kind: 'npx', value: 'plain-server' });
    clock = 9 * 60_000;
    await p.pin({ kind: 'npx', value: 'plain-server' });
    assert.equal(stub.requests.length, 1);
    stub.packages.npm['plain-server'] = { tags: { latest: '2.1.0' }, versions: ['2.0.0', '2.1.0'] };
    clock = 11 * 60_000;
    assert.equal((await p.pin({ kind: 'npx', value: 'plain-server' })).source.value, 'plain-server@2.1.0');
    assert.equal(stub.requests.length, 2);
  });

  it('lists which servers have a newer version, and which registry could not be asked', async () => {
    const rows = await pinner({ npmScopes: { '@down': dead } }).versions([
      { name: 'memory', source: { kind: 'npx', value: `${MEMORY}@1.4.2` } },
      { name: 'current', source: { kind: 'npx', value: 'plain-server@2.0.0' } },
      { name: 'fetch', source: { kind: 'uvx', value: 'mcp-server-fetch==2024.12.1' } },
      { name: 'legacy', source: { kind: 'npx', value: 'plain-server' } },
      { name: 'gone', source: { kind: 'npx', value: '@down/server@1.0.0' } },
      { name: 'image', source: { kind: 'image', value: 'ghcr.io/acme/server:1.2' } },
    ]);
    assert.deepEqual(
      rows.map((r) => [r.server, r.pinned, r.latest, r.outdated, r.error === null]),
      [
        ['memory', '1.4.2', '2026.8.31', true, true],
        ['current', '2.0.0', '2.0.0', false, true],
        ['fetch', '2024.12.1', '2025.4.7', true, true],
        ['legacy', null, '2.0.0', true, true],
        ['gone', '1.0.0', null, false, false],
      ],
    );
    assert.match(rows[4]?.error ?? '', /could not resolve the latest version of @down\/server from http/);
  });
});

describe('registry settings', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const home = (npmrc: string | null) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fleet-npmrc-'));
    dirs.push(dir);
    if (npmrc !== null) writeFileSync(path.join(dir, '.npmrc'), npmrc);
    return dir;
  };

  it("uses the environment, then the user's .npmrc, then the public registries", () => {
    assert.deepEqual(registrySettingsFromEnv({}, home(null)), {
      npm: 'https://registry.npmjs.org/',
      npmScopes: {},
      pypi: 'https://pypi.org/simple/',
    });
    const npmrc = 'fund=false\nregistry = https://npm.example.test/repo\n@Acme:registry=${ACME_REGISTRY}\n';
    assert.deepEqual(registrySettingsFromEnv({ ACME_REGISTRY: 'https://acme.test/npm' }, home(npmrc)), {
      npm: 'https://npm.example.test/repo/',
      npmScopes: { '@acme': 'https://acme.test/npm/' },
      pypi: 'https://pypi.org/simple/',
    });
    const env = {
      ACME_REGISTRY: 'https://acme.test/npm',
      npm_config_registry: 'http://127.0.0.1:4873',
      PIP_INDEX_URL: 'https://pip.test/simple',
      UV_INDEX_URL: 'https://uv.test/simple/',
    };
    assert.deepEqual(registrySettingsFromEnv(env, home(npmrc)), {
      npm: 'http://127.0.0.1:4873/',
      npmScopes: { '@acme': 'https://acme.test/npm/' },
      pypi: 'https://uv.test/simple/',
    });
  });

  it('never shows the credentials an index URL carries', () => {
    assert.equal(displayUrl('https://user:s3cret@pip.test/simple/'), 'https://pip.test/simple/');
  });
});

describe('PEP 440 order', () => {
  it('orders dev, pre, final and post releases as PEP 440 says', () => {
    const ordered = [
      '1.0.dev1',
      '1.0a1.dev1',
      '1.0a1',
      '1.0b2',
      '1.0rc1',
      '1.0',
      '1.0.post1.dev1',
      '1.0.post1',
      '1.0.1',
      '1!0.1',
    ];
    const parsed = ordered.map((v) => {
      const p = parsePep440(v);
      assert.ok(p, v);
      return p;
    });
    for (let i = 1; i < parsed.length; i++) {
      assert.ok(comparePep440(parsed[i - 1]!, parsed[i]!) < 0, `${ordered[i - 1]} < ${ordered[i]}`);
    }
    assert.equal(comparePep440(parsePep440('1.0')!, parsePep440('1.0.0')!), 0);
    assert.equal(parsePep440('1.0+local'), null);
  });
});
