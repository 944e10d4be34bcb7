// Integration, real parts: the testbed's sshd and dockerd, the `mcp-fleet` CLI as a subprocess with no
// MCP_FLEET_BASE_IMAGE in its environment, @modelcontextprotocol/server-memory from node_modules baked
// into the runtime image. A base image of this run's own (the local Node base plus a label, which every
// image built FROM it inherits) shows which base a deploy used.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeployResult, HostCheck, SettingsListing } from '../../shared/contract';
import { NODE_BASE_IMAGE } from '../../../e2e/fixtures/base-image';
import { addHost, installedVersion, repoRoot, testFleet, type TestFleet } from '../../test-support/fleet';

const LABEL = 'org.mcp-fleet.test-settings-base';

void describe('settings: the base image comes from the store (testbed sshd + dockerd)', () => {
  let f: TestFleet | undefined;
  let server = '';
  let base = '';

  before(async (t) => {
    f = await testFleet(t as unknown as { skip(reason: string): void });
    if (!f) return;
    // The variable stays out of every CLI run below: the store is the only source of the base image.
    delete f.env.MCP_FLEET_BASE_IMAGE;
    base = `mcp-fleet-test/settings-base:${f.run}`;
    execFileSync('docker', ['build', '--quiet', '--label', `${LABEL}=${f.run}`, '-t', base, '-'], {
      input: `FROM ${NODE_BASE_IMAGE}\n`,
    });
  });

  after(async () => {
    if (!f) return;
    await f.wipe([server].filter((s) => s !== ''));
    await f.docker
      .getImage(base)
      .remove({ force: true })
      .catch(() => undefined);
  });

  const labelOf = async (fl: TestFleet, image: string): Promise<string | undefined> =>
    (await fl.docker.getImage(image).inspect()).Config.Labels?.[LABEL];

  void it('a changed base-image setting is built into the next deploy, and hosts check reports it', async (t) => {
    if (!f) return t.skip('no testbed with Docker');
    const fl = f;
    addHost(fl, 'tb', 'key');
    server = `setbase-${fl.run}`;
    const version = installedVersion('@modelcontextprotocol/server-memory');
    const add = fl.cli([
      'servers',
      'add',
      server,
      '--npx',
      `@modelcontextprotocol/server-memory@${version}`,
      '--mode',
      'shared',
    ]);
    assert.equal(add.code, 0, add.stderr);
    assert.equal(fl.cli(['members', 'add', server, 'alice']).code, 0);

    // First deploy: the fleet's base is the plain local Node base.
    assert.equal(fl.cli(['settings', 'set', 'base-image', NODE_BASE_IMAGE]).code, 0);
    const first = fl.json<DeployResult>(['deploy', server, '--host', 'tb']);
    assert.equal(
      await labelOf(fl, first.image),
      undefined,
      'the first image is not built FROM the labelled base',
    );

    // The setting changes; the next deploy builds FROM the new base and replaces the instance.
    const set = fl.cli(['settings', 'set', 'base-image', base]);
    assert.equal(set.code, 0, set.stderr);
    const listing = fl.json<SettingsListing>(['settings', 'get', 'base-image', '--host', 'tb']);
    assert.deepEqual(
      [listing.settings[0]?.value, listing.settings[0]?.source],
      [base, 'fleet'],
      'no variable is set, so the fleet value applies',
    );
    const second = fl.json<DeployResult>(['deploy', server, '--host', 'tb']);
    assert.notEqual(second.image, first.image);
    assert.equal(second.imageBuilt, true);
    assert.equal(
      await labelOf(fl, second.image),
      fl.run,
      'the runtime image is built FROM the configured base',
    );
    const running = await fl.containers(server);
    assert.equal(running.length, 1);
    const container = await fl.docker.getContainer(running[0]?.name ?? '').inspect();
    assert.equal(container.Config.Labels?.[LABEL], fl.run, 'the running instance uses that image');

    const present = fl.json<HostCheck>(['hosts', 'check', 'tb']);
    assert.deepEqual(
      [present.baseImage?.ref, present.baseImage?.source, present.baseImage?.state],
      [base, 'fleet', 'present'],
    );

    // A host override of an image nobody has: hosts check says it is not there and cannot be fetched.
    const absent = `mcp-fleet-test/absent-${fl.run}:1`;
    assert.equal(fl.cli(['settings', 'set', 'base-image', absent, '--host', 'tb']).code, 0);
    const missing = fl.json<HostCheck>(['hosts', 'check', 'tb']);
    assert.deepEqual([missing.baseImage?.ref, missing.baseImage?.source], [absent, 'host']);
    assert.equal(missing.baseImage?.state, 'unreachable', missing.baseImage?.detail);
    assert.match(missing.baseImage?.detail ?? '', /not on the host/);
    const text = fl.cli(['hosts', 'check', 'tb']);
    assert.match(
      text.stdout,
      new RegExp(`base image: ${absent.replace(/[.]/g, '\\.')} \\(host\\): unreachable`),
    );

    // The variable still overrides the store, for the process it is set in.
    const env = { ...fl.env, MCP_FLEET_BASE_IMAGE: NODE_BASE_IMAGE };
    const viaEnv = JSON.parse(
      execFileSync(
        process.execPath,
        [
          path.join(repoRoot, 'bin', 'mcp-fleet.mjs'),
          '--home',
          fl.home,
          '--json',
          'settings',
          'get',
          'base-image',
          '--host',
          'tb',
        ],
        {
          env,
          encoding: 'utf8',
        },
      ),
    ) as SettingsListing;
    assert.deepEqual(
      [viaEnv.settings[0]?.value, viaEnv.settings[0]?.source],
      [NODE_BASE_IMAGE, 'environment'],
    );
  });
});
