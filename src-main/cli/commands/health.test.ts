// Integration: `mcp-fleet health` as a subprocess against a store holding one instance running on the
// testbed (sshd + Docker, server-sequential-thinking from npm) and one on a host that does not answer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readTestbed } from '../../../e2e/fixtures/env';
import type { HealthSummary } from '../../shared/contract';
import { freeLoopbackPort } from '../../test-support/private-sshd';
import { createTestFleet } from '../../test-support/health-fleet';
import type { TestFleet, TestInstance } from '../../test-support/health-fleet';
import { installedVersion } from '../../test-support/runtime-image';
import { addTestbedHost } from '../../test-support/ssh-hosts';
import { waitFor } from '../../test-support/wait-for';
import { PassphraseKeyProvider } from '../../services/store/key-providers';
import { Store } from '../../services/store/store';

const BIN = resolve(import.meta.dirname, '../../../bin/mcp-fleet.mjs');
const PASS = 'health cli passphrase';
const tb = readTestbed();

function cli(home: string, args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--home', home, ...args], {
    env: { ...process.env, MCP_FLEET_PASSPHRASE: PASS },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('mcp-fleet health', { skip: tb?.docker ? false : 'no testbed with a Docker engine' }, () => {
  let home = '';
  let fleet: TestFleet | undefined;
  let running: TestInstance;

  before(async () => {
    if (!tb) return;
    home = await mkdtemp(join(tmpdir(), 'fleet-health-cli-'));
    const store = await Store.open({ home, keyProvider: new PassphraseKeyProvider(PASS) });
    try {
      fleet = await createTestFleet();
      const host = addTestbedHost(store, tb, 'key', { name: 'testbed' });
      const server = '@modelcontextprotocol/server-sequential-thinking';
      running = await fleet.instance(store, host, {
        source: `${server}@${await installedVersion(server)}`,
        mode: 'shared',
        members: ['alice'],
      });
      // A host on a port nothing listens on, with an instance recorded there.
      const gone = addTestbedHost(store, tb, 'key', { name: 'gone', port: await freeLoopbackPort() });
      const ghost = store.servers.insert({
        name: 'ghost',
        sourceKind: 'command',
        sourceValue: 'node',
        args: [],
        env: [],
        mode: 'shared',
        port: 18999,
      });
      const token = 'ghost-token';
      store.members.insert({
        serverId: ghost.id,
        name: 'bob',
        token,
        tokenSha256: createHash('sha256').update(token).digest('hex'),
        tools: ['*'],
      });
      store.instances.upsert({
        serverId: ghost.id,
        memberId: null,
        hostId: gone.id,
        containerName: 'mcp-fleet-ghost',
        port: 18999,
        configHash: 'x',
        status: 'running',
      });
    } finally {
      store.close();
    }
    // The one-shot command reports what it sees: wait until the bridge's server is up.
    await waitFor(async () => (await fetch(`http://127.0.0.1:${running.port}/readyz`)).ok, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: "the bridge's server to be up",
    });
  });

  after(async () => {
    await fleet?.dispose();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('--json prints every instance with state, reason, latency and restarts', () => {
    const r = cli(home, ['--json', 'health']);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as HealthSummary;
    assert.deepEqual(summary.counts, { healthy: 1, degraded: 0, unhealthy: 0, unknown: 1 });
    const up = summary.instances.find((i) => i.containerName === running.containerName);
    assert.ok(up);
    assert.equal(up.state, 'healthy', up.reason);
    assert.equal(up.host, 'testbed');
    assert.ok(up.latencyMs !== null && up.latencyMs >= 0);
    assert.deepEqual(up.restarts, { container: 0, child: 0 });
    const ghost = summary.instances.find((i) => i.server === 'ghost');
    assert.equal(ghost?.state, 'unknown');
    assert.match(ghost?.reason ?? '', /cannot reach host "gone"/);
  });

  it('prints a table for people, and refuses --interval without --watch', () => {
    const r = cli(home, ['health']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0] ?? '', /^STATE\s+INSTANCE\s+HOST\s+LATENCY\s+RESTARTS\s+REASON$/);
    assert.ok(
      lines.some((l) => /^unknown\s+ghost\s+gone\s+-\s+-\s+cannot reach host "gone"/.test(l)),
      r.stdout,
    );
    assert.ok(
      lines.some((l) => l.startsWith('healthy') && l.includes('answers MCP ping in')),
      r.stdout,
    );
    assert.ok(r.stdout.includes('1 unknown, 1 healthy'));
    const bad = cli(home, ['health', '--interval', '5']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--interval goes with --watch/);
  });
});
