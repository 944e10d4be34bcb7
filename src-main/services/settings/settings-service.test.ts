// Real parts: an encrypted store with migrations applied (createTestStore), the settings table of
// migration 7 and its host trigger.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FleetError, type ErrorCode } from '../../shared/errors';
import { runtimeSettings } from '../deploy/deploy-wiring';
import { EventBus } from '../events';
import { createTestStore, type TestStore } from '../../test-support/store';
import { pinnerRegistries } from './pinner-registries';
import { SettingsService } from './settings-service';

const code = (expected: ErrorCode) => (err: unknown) => err instanceof FleetError && err.code === expected;

function addHost(t: TestStore, name: string): string {
  return t.store.hosts.insert(
    { name, kind: 'local', user: null, address: null, port: null, auth: 'none', hostKeySha256: null },
    null,
  ).id;
}

void describe('SettingsService on a real store', () => {
  let t: TestStore;
  let events: EventBus;
  const env: NodeJS.ProcessEnv = {};
  let s: SettingsService;

  beforeEach(async () => {
    t = await createTestStore();
    events = new EventBus();
    for (const k of Object.keys(env)) delete env[k];
    s = new SettingsService(t.store, events, 'test', env);
  });
  afterEach(() => t.cleanup());

  void it('shows every key with its default when nothing is set', () => {
    const listing = s.get();
    assert.equal(listing.host, null);
    assert.deepEqual(
      listing.settings.map((v) => [v.key, v.value, v.source]),
      [
        ['base-image', 'node:22-bookworm-slim', 'default'],
        ['npm-registry', null, 'default'],
        ['pypi-index', null, 'default'],
        ['bake', 'npm-install', 'default'],
        ['uv', 'on', 'default'],
        ['push-registry', null, 'default'],
      ],
    );
  });

  void it('applies environment > host > fleet > default, per host', () => {
    const a = addHost(t, 'a');
    addHost(t, 'b');
    s.set({ key: 'base-image', value: 'registry.example:5000/node:22' });
    s.set({ key: 'base-image', value: 'mirror.example/node:22@sha256:' + 'ab'.repeat(32), host: 'a' });
    const onA = s.get({ key: 'base-image', host: 'a' }).settings[0];
    assert.equal(onA?.source, 'host');
    assert.equal(onA?.value, 'mirror.example/node:22@sha256:' + 'ab'.repeat(32));
    assert.equal(onA?.fleet, 'registry.example:5000/node:22');
    assert.equal(s.get({ key: 'base-image', host: 'b' }).settings[0]?.source, 'fleet');
    assert.equal(s.effective(a)['base-image'].source, 'host');
    assert.equal(s.effective(null)['base-image'].value, 'registry.example:5000/node:22');

    env.MCP_FLEET_BASE_IMAGE = 'from-env:1';
    const overridden = s.get({ key: 'base-image', host: 'a' }).settings[0];
    assert.deepEqual([overridden?.value, overridden?.source], ['from-env:1', 'environment']);
    env.MCP_FLEET_BASE_IMAGE = '';
    assert.equal(s.effective(a)['base-image'].source, 'host', 'an empty variable counts as unset');

    assert.equal(s.unset({ key: 'base-image', host: 'a' }).removed, true);
    assert.equal(s.effective(a)['base-image'].source, 'fleet');
    assert.equal(s.unset({ key: 'base-image', host: 'a' }).removed, false);
    s.unset({ key: 'base-image' });
    assert.equal(s.effective(a)['base-image'].source, 'default');
  });

  void it('refuses bad values with a sentence naming the key, and saves nothing', () => {
    addHost(t, 'a');
    const auditBefore = t.store.audit.list().length;
    const bad: [Parameters<SettingsService['set']>[0], RegExp][] = [
      [{ key: 'base-image', value: 'Not An Image' }, /base-image .*not an image reference/],
      [{ key: 'base-image', value: 'node:22;rm -rf /' }, /base-image/],
      [{ key: 'npm-registry', value: 'http://npm.example/' }, /npm-registry must be an https URL, not http/],
      [{ key: 'npm-registry', value: 'https://me:s3cret@npm.example/' }, /user name or password/],
      [{ key: 'pypi-index', value: 'pypi.example/simple' }, /pypi-index must be an https URL/],
      [{ key: 'pypi-index', value: 'https://pypi.example/simple?x=1' }, /query/],
      [{ key: 'bake', value: 'npm' }, /bake must be npm-install, npm-in-image or copy-installed/],
      [{ key: 'uv', value: 'yes' }, /uv must be on or off/],
      [{ key: 'push-registry', value: 'https://registry.example' }, /without a scheme/],
      [{ key: 'push-registry', value: 'registry.example/Upper' }, /not a registry host/],
      [{ key: 'base-image', value: 'x'.repeat(600) }, /longer than 512/],
    ];
    for (const [input, message] of bad) {
      assert.throws(
        () => s.set(input),
        (err: unknown) => code('invalid_input')(err) && message.test((err as Error).message),
        JSON.stringify(input).slice(0, 80),
      );
      assert.throws(() => s.set({ ...input, host: 'a' }), code('invalid_input'));
    }
    assert.throws(() => s.set({ key: 'uv', value: 'off', host: 'nope' }), code('not_found'));
    assert.deepEqual(t.store.settings.all(), []);
    assert.equal(t.store.audit.list().length, auditBefore);
    // A credential never lands in an error either.
    assert.throws(
      () => s.set({ key: 'npm-registry', value: 'https://me:s3cret@npm.example/' }),
      (err: unknown) => !(err as Error).message.includes('s3cret'),
    );
  });

  void it('stores URLs with a trailing slash and reports an invalid overriding variable by name', () => {
    assert.equal(
      s.set({ key: 'npm-registry', value: 'https://npm.example/r' }).fleet,
      'https://npm.example/r/',
    );
    env.MCP_FLEET_WITH_UV = '0';
    assert.deepEqual(s.effective(null).uv, { value: 'off', source: 'environment' });
    env.MCP_FLEET_WITH_UV = 'perhaps';
    assert.throws(
      () => s.get(),
      (err: unknown) =>
        code('invalid_input')(err) && /MCP_FLEET_WITH_UV \(which overrides uv\)/.test(String(err)),
    );
  });

  void it("removes a host's overrides with the host, and tells UIs on each change", () => {
    const seen: string[] = [];
    events.subscribe((event, payload) => {
      if (event === 'store:changed') seen.push((payload as { domain: string }).domain);
    });
    addHost(t, 'gone');
    s.set({ key: 'uv', value: 'off', host: 'gone' });
    s.set({ key: 'uv', value: 'on' });
    assert.equal(t.store.settings.all().length, 2);
    t.store.hosts.remove('gone');
    assert.deepEqual(
      t.store.settings.all().map((r) => [r.hostId, r.key, r.value]),
      [['', 'uv', 'on']],
    );
    assert.deepEqual(seen, ['hosts', 'hosts']);
  });

  void it('feeds the runtime image settings of each host and the version pinner', async () => {
    const a = addHost(t, 'a');
    s.set({ key: 'base-image', value: 'base-a:1', host: 'a' });
    s.set({ key: 'bake', value: 'copy-installed' });
    s.set({ key: 'uv', value: 'off' });
    s.set({ key: 'npm-registry', value: 'https://npm.example/' });
    s.set({ key: 'pypi-index', value: 'https://pypi.example/simple/' });
    const paths = {
      resourcesDir: '/opt/app/resources/runtime',
      bridgeBundle: () => Promise.resolve('/b.mjs'),
    };
    const runtime = runtimeSettings(paths, s, { MCP_FLEET_BAKE_ROOT: '/srv/mods' });
    assert.deepEqual(await runtime(a), {
      resourcesDir: '/opt/app/resources/runtime',
      bridgeBundle: '/b.mjs',
      baseImage: 'base-a:1',
      bake: { kind: 'copy-installed', root: '/srv/mods' },
      withUv: false,
      npmRegistry: 'https://npm.example/',
      pypiIndex: 'https://pypi.example/simple/',
    });
    assert.equal((await runtime(null)).baseImage, 'node:22-bookworm-slim');
    // A change applies to the next call: nothing is cached.
    s.set({ key: 'base-image', value: 'base-b:2' });
    assert.equal((await runtime(null)).baseImage, 'base-b:2');

    const machine = {
      npm: 'https://machine.example/',
      npmScopes: { '@acme': 'https://acme.example/' },
      pypi: 'https://m/',
    };
    assert.deepEqual(pinnerRegistries(s, () => machine)(), {
      npm: 'https://npm.example/',
      npmScopes: { '@acme': 'https://acme.example/' },
      pypi: 'https://pypi.example/simple/',
    });
  });
});
