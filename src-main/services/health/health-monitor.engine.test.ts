// Fault tests of the health monitor on real parts: the testbed's sshd and Docker engine (every host is
// reached over SSH, Docker through a forwarded socket, bridges through SSH channels), a private sshd
// of this test's own for the host that goes away, @modelcontextprotocol/server-sequential-thinking
// from npm in the runtime image, and a tiny stdio server with a sleeping tool for the slow bridge.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { readTestbed } from '../../../e2e/fixtures/env';
import type { EventPayload, HealthState, InstanceHealth } from '../../shared/contract';
import { DefaultDockerClientFactory } from '../docker/docker-client-factory';
import { EventBus } from '../events';
import { installedVersion } from '../../test-support/runtime-image';
import { Ssh2Connector } from '../ssh/ssh-connector';
import { SshSessionRegistry } from '../ssh/ssh-session-registry';
import { addTestbedHost } from '../../test-support/ssh-hosts';
import { createTestStore } from '../../test-support/store';
import type { TestStore } from '../../test-support/store';
import type { HostRecord } from '../store/types';
import { HealthMonitor } from './health-monitor';
import type { HealthMonitorDeps } from './health-monitor';
import { FleetHostAccess } from '../bridge-client/host-access';
import { startPrivateSshd } from '../../test-support/private-sshd';
import { createTestFleet } from '../../test-support/health-fleet';
import type { TestFleet, TestInstance } from '../../test-support/health-fleet';
import { waitFor } from '../../test-support/wait-for';

const run = promisify(execFile);
const tb = readTestbed();
const SERVER = '@modelcontextprotocol/server-sequential-thinking';

describe(
  'health monitor on a real engine, real sshd and real MCP servers',
  { skip: tb?.docker ? false : 'no testbed with a Docker engine (bash scripts/testbed/up.sh)' },
  () => {
    let ts: TestStore;
    let connector: Ssh2Connector;
    let ssh: SshSessionRegistry;
    let factory: DefaultDockerClientFactory;
    let fleet: TestFleet;
    let host: HostRecord;
    let npmSource = '';
    const monitors: HealthMonitor[] = [];
    const events: EventPayload<'health:changed'>[] = [];
    const bus = new EventBus();
    bus.subscribe((event, payload) => {
      if (event === 'health:changed') events.push(payload as EventPayload<'health:changed'>);
    });

    before(async () => {
      if (!tb) return;
      ts = await createTestStore();
      connector = new Ssh2Connector();
      ssh = new SshSessionRegistry({
        store: ts.store,
        connector,
        readyTimeoutMs: 10_000,
        connectAttempts: 2,
        backoffBaseMs: 100,
      });
      factory = new DefaultDockerClientFactory({ store: ts.store, ssh, log: () => undefined });
      fleet = await createTestFleet();
      host = addTestbedHost(ts.store, tb, 'key', { name: 'testbed' });
      npmSource = `${SERVER}@${await installedVersion(SERVER)}`;
    });

    after(async () => {
      for (const m of monitors) await m.stop();
      await ssh?.dispose();
      await fleet?.dispose();
      ts?.cleanup();
    });

    function monitor(options: HealthMonitorDeps['options'] = {}, clock?: () => number): HealthMonitor {
      const m = new HealthMonitor({
        store: ts.store,
        access: new FleetHostAccess(ssh, factory),
        events: bus,
        options: { failureThreshold: 2, timeoutMs: 5_000, ...options },
        ...(clock ? { clock } : {}),
        log: () => undefined,
      });
      monitors.push(m);
      return m;
    }

    const view = (m: HealthMonitor, inst: TestInstance): InstanceHealth => {
      const found = m.summary().instances.find((i) => i.instanceId === inst.record.id);
      assert.ok(found, `instance ${inst.containerName} is in the summary`);
      return found;
    };

    /** Sweeps until `done` holds (the bridge takes a moment to start); fails with the last view after 90 s. */
    async function sweepUntil(
      m: HealthMonitor,
      inst: TestInstance,
      done: (v: InstanceHealth) => boolean,
    ): Promise<InstanceHealth> {
      return waitFor(
        async () => {
          await m.sweep();
          const v = view(m, inst);
          if (done(v)) return v;
          throw new Error(`${v.state}: ${v.reason}`); // the last view, for the timeout's message
        },
        { timeoutMs: 90_000, intervalMs: 200, what: `the awaited health of ${inst.containerName}` },
      );
    }

    const is = (state: HealthState) => (v: InstanceHealth) => v.state === state;

    async function bridgeStatus(
      inst: TestInstance,
      token: string,
    ): Promise<{ child: { pid: number; restarts: number }; auth: { failures: number } }> {
      const res = await fetch(`http://127.0.0.1:${inst.port}/status`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200);
      return (await res.json()) as { child: { pid: number; restarts: number }; auth: { failures: number } };
    }

    it('turns a container killed with docker kill unhealthy within two sweeps, and healthy after it starts again', async () => {
      const inst = await fleet.instance(ts.store, host, {
        source: npmSource,
        mode: 'dedicated',
        members: ['alice'],
      });
      const m = monitor();
      const first = await sweepUntil(m, inst, is('healthy'));
      assert.match(first.reason, /^answers MCP ping in \d+ ms/);
      assert.equal(first.member, 'alice');
      const seen = m.history(inst.record.id).transitions.length;

      await run('docker', ['kill', inst.containerName]);
      let v = view(m, inst);
      for (let sweeps = 0; sweeps < 2 && v.state !== 'unhealthy'; sweeps++) {
        await m.sweep();
        v = view(m, inst);
      }
      assert.equal(v.state, 'unhealthy', v.reason);
      assert.match(v.reason, /^the container was killed \(SIGKILL, exit code 137\) \d+ s ago$/);
      assert.ok(
        events.some((e) => e.changed.some((c) => c.instanceId === inst.record.id && c.state === 'unhealthy')),
        'health:changed carried the change',
      );

      // unless-stopped does not bring back a container stopped by `docker kill` (a manual stop to Docker).
      const { stdout } = await run('docker', ['inspect', '-f', '{{.State.Status}}', inst.containerName]);
      assert.equal(stdout.trim(), 'exited');
      await run('docker', ['start', inst.containerName]);
      const back = await sweepUntil(m, inst, is('healthy'));
      assert.equal(back.restarts.container, 0, 'a manual start is not an engine restart');
      const timeline = m.history(inst.record.id).transitions.map((t) => `${t.from ?? 'none'}->${t.to}`);
      assert.deepEqual(timeline.slice(seen), ['healthy->unhealthy', 'unhealthy->healthy']);
    });

    it('shows the restarts of a child that crashed inside a running container, from /status', async () => {
      const inst = await fleet.instance(ts.store, host, {
        source: npmSource,
        mode: 'shared',
        members: ['alice', 'bob'],
      });
      const [alice, bob] = inst.members;
      assert.ok(alice && bob);
      const m = monitor();
      const before = await sweepUntil(m, inst, is('healthy'));
      assert.equal(before.restarts.child, 0);

      const { child } = await bridgeStatus(inst, bob.token);
      await run('docker', [
        'exec',
        inst.containerName,
        'node',
        '-e',
        `process.kill(${child.pid}, 'SIGKILL')`,
      ]);
      const v = await sweepUntil(m, inst, (x) => x.state === 'degraded' && (x.restarts.child ?? 0) >= 1);
      assert.match(v.reason, /^child exited on SIGKILL once in \d+ s$/);
      assert.equal(v.restarts.container, 0, 'the container itself kept running');
      const samples = m.history(inst.record.id).samples;
      assert.ok(samples.every((s) => s.latencyMs === null || s.latencyMs >= 0));

      // A token the bridge no longer knows: unhealthy with the reason, and not presented again every sweep.
      ts.store.members.update(alice.id, { token: 'not-the-deployed-token', tokenSha256: 'f'.repeat(64) });
      bus.emit('store:changed', { domain: 'members' });
      const refused = await sweepUntil(m, inst, is('unhealthy'));
      assert.match(refused.reason, /refuse(s|d) the token of member "alice"/);
      const failures = (await bridgeStatus(inst, bob.token)).auth.failures;
      await m.sweep();
      await m.sweep();
      assert.equal(
        (await bridgeStatus(inst, bob.token)).auth.failures,
        failures,
        'the refused token is not retried at once',
      );
    });

    it('turns the instances of a host whose sshd stopped unknown (never unhealthy), and back when it returns', async () => {
      assert.ok(tb);
      const sshd = await startPrivateSshd(tb);
      try {
        const far = addTestbedHost(ts.store, tb, 'key', { name: 'private-sshd', port: sshd.port });
        const inst = await fleet.instance(ts.store, far, {
          source: npmSource,
          mode: 'shared',
          members: ['alice'],
        });
        let offset = 0;
        const m = monitor({ hostBackoffBaseMs: 60_000 }, () => Date.now() + offset);
        await sweepUntil(m, inst, is('healthy'));
        const seen = m.history(inst.record.id);

        await sshd.stop();
        await m.sweep();
        assert.notEqual(view(m, inst).state, 'unhealthy');
        const second = await m.sweep();
        const v = view(m, inst);
        assert.equal(v.state, 'unknown');
        assert.match(v.reason, /cannot reach host "private-sshd".*; next try in 1 minute$/);
        assert.equal(second.hostsBackedOff, 1, 'the dead host is left alone until its backoff ends');

        await sshd.start();
        offset += 61_000;
        const back = await sweepUntil(m, inst, is('healthy'));
        assert.equal(back.host, 'private-sshd');
        const later = m.history(inst.record.id);
        const states = later.samples.slice(seen.samples.length).map((s) => s.state);
        assert.ok(!states.includes('unhealthy'), `never unhealthy: ${states.join(', ')}`);
        assert.deepEqual(
          later.transitions.slice(seen.transitions.length).map((t) => `${t.from ?? 'none'}->${t.to}`),
          ['healthy->unknown', 'unknown->healthy'],
        );
      } finally {
        await sshd.dispose();
      }
    });

    it('shows a bridge whose calls are slow (a server with a sleeping tool) as degraded', async () => {
      const inst = await fleet.instance(ts.store, host, {
        source: 'sleepy',
        mode: 'shared',
        members: ['alice'],
      });
      const [alice] = inst.members;
      assert.ok(alice);
      const m = monitor({ slowRequestMs: 1_000 });
      await sweepUntil(m, inst, is('healthy'));

      const client = new Client({ name: 'slow-caller', version: '1.0.0' }, { capabilities: {} });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${inst.port}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${alice.token}` } },
        }),
      );
      try {
        await Promise.all([1, 2].map(() => client.callTool({ name: 'sleep', arguments: { ms: 1500 } })));
      } finally {
        await client.close();
      }
      await m.sweep();
      const v = view(m, inst);
      assert.equal(v.state, 'degraded', v.reason);
      assert.match(
        v.reason,
        /^requests through the bridge are slow: p99 1\.[5-9] s over the last \d+ \(slow above 1 s\)$/,
      );
    });
  },
);
