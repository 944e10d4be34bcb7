// Real parts: the services as the app wires them (createServices) on an encrypted store, the real
// HealthMonitor sweeping an SSH host that does not answer (a closed loopback port: no Docker, no sshd
// needed), a real deploy failing on that host, a leaf certificate issued by the real FleetCa, and a
// webhook receiver on loopback. The restart storm is fed the monitor's event and views directly.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createServices, type Services } from '../../app/composition-root';
import type { InstanceHealth } from '../../shared/contract';
import { EventBus } from '../events';
import { StaticKeyProvider } from '../store/key-providers';
import { Store } from '../store/store';
import type { HostRecord, InstanceRecord } from '../store/types';
import { FleetCa } from '../tls/fleet-ca';
import { serverRecord } from '../../test-support/records';
import type { RaiseInput } from './alert-service';
import { AlertSources } from './alert-sources';
import { startReceiver, type Receiver } from './webhook-receiver.fixture';

type Body = { kind: string; severity: string; subject: string; message: string; fleet: string };

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

void describe(
  'alerts from the monitor, deploys and certificates, as the app wires them',
  { timeout: 60_000 },
  () => {
    let dir: string;
    let keyProvider: StaticKeyProvider;
    let store: Store;
    let services: Services;
    let receiver: Receiver;
    let host: HostRecord;
    let instance: InstanceRecord;

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'mcp-fleet-alerts-'));
      keyProvider = new StaticKeyProvider(randomBytes(32));
      // The test's own connection, as the CLI beside the app would have.
      store = await Store.open({ home: dir, keyProvider });
      host = store.hosts.insert(
        {
          name: 'gone',
          kind: 'ssh',
          user: 'nobody',
          address: '127.0.0.1',
          port: await closedPort(),
          auth: 'agent',
          hostKeySha256: null,
        },
        null,
      );
      const { id: _id, createdAt: _c, updatedAt: _u, ...server } = serverRecord();
      const saved = store.servers.insert(server);
      instance = store.instances.upsert({
        serverId: saved.id,
        memberId: null,
        hostId: host.id,
        containerName: 'mcp-memory',
        port: 18080,
        configHash: 'x',
        status: 'running',
      });
      receiver = await startReceiver();
      services = await createServices({ home: dir, keyProvider, transport: 'web', monitorHealth: false });
      services.alerts.addWebhook({
        name: 'ops',
        url: receiver.url,
        headers: [['Authorization', 'Bearer x']],
      });
    });
    afterEach(async () => {
      services.close();
      store.close();
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** The monitor's state changes of the instance so far (summary() first: it starts tracking the instance). */
    const changes = (s: Services): number => (
      s.health.summary(),
      s.health.history(instance.id).transitions.length
    );
    const bodies = (): Body[] => receiver.accepted().map((r) => r.body as Body);

    void it('alerts once when the monitor, after its threshold, finds the instance unknown (its host does not answer)', async () => {
      const started = await createServices({ home: dir, keyProvider, transport: 'web', monitorHealth: true });
      try {
        // Sweeps until the monitor's own threshold (2 failed checks) has passed; each sweep is a real one.
        let sweeps = 0;
        while (changes(started) === 0) {
          await started.health.sweep();
          sweeps += 1;
          assert.ok(sweeps < 10, 'the monitor never called the instance unknown');
        }
        assert.ok(sweeps >= 2, 'one failed check is not yet a state');
        await started.alerts.idle();
        await started.health.sweep();
        await started.alerts.idle();
        const got = bodies().filter((b) => b.kind === 'instance_unknown');
        assert.equal(got.length, 1);
        assert.equal(got[0]?.subject, 'memory on gone');
        assert.equal(got[0]?.severity, 'warning');
        assert.match(got[0]?.message ?? '', /^not checked → unknown: /);
      } finally {
        started.close();
      }
    });

    void it('says nothing for an instance stopped on purpose', async () => {
      store.instances.setStatus(instance.id, 'stopped');
      const started = await createServices({ home: dir, keyProvider, transport: 'web', monitorHealth: true });
      try {
        while (changes(started) === 0) await started.health.sweep();
        assert.equal(started.health.summary().instances[0]?.state, 'unknown');
        await started.alerts.idle();
        assert.deepEqual(
          bodies().filter((b) => b.kind.startsWith('instance_')),
          [],
        );
      } finally {
        started.close();
      }
    });

    void it('alerts on a failed deploy, in the process that ran it', async () => {
      await assert.rejects(services.fleet.deploy.deploy('memory', 'gone'));
      await services.alerts.idle();
      const got = bodies();
      assert.equal(got.length, 1);
      assert.equal(got[0]?.kind, 'deploy_failed');
      assert.equal(got[0]?.subject, 'deploy of memory on gone');
      assert.equal(store.deploys.list({}).at(0)?.outcome, 'failed');
    });

    void it('alerts once a day for an instance certificate that ends within 14 days', async () => {
      const ca = new FleetCa({ store, leafDays: 5, renewDays: 1 });
      await ca.leafFor(host.id, 'mcp-memory', { dns: ['gone.example'], ip: [] });
      const sources = new AlertSources({
        alerts: services.alerts,
        events: new EventBus(),
        store,
        instances: () => [],
      });
      assert.equal(sources.checkCertificates(), 1);
      sources.checkCertificates();
      await services.alerts.idle();
      const got = bodies();
      assert.equal(got.length, 1);
      assert.equal(got[0]?.kind, 'certificate_expiring');
      assert.equal(got[0]?.subject, 'memory (mcp-memory) on gone');
      assert.match(got[0]?.message ?? '', /ends on .* \(in 4 days\)/);
      // Fifteen days left is not yet worth a word.
      const quiet = new AlertSources({
        alerts: services.alerts,
        events: new EventBus(),
        store,
        instances: () => [],
        certificateDays: 3,
      });
      assert.equal(quiet.checkCertificates(), 0);
    });

    void it('calls it a restart storm at the fifth restart the monitor counts within the window', () => {
      const raised: RaiseInput[] = [];
      const events = new EventBus();
      let restarts = { container: 0, child: 0 };
      const view = (): InstanceHealth => ({
        instanceId: 'i1',
        server: 'memory',
        member: 'alice',
        host: 'lab-1',
        containerName: 'mcp-memory-alice',
        plainHttp: false,
        state: 'degraded',
        reason: 'child exited with code 1 four times in 2 minutes',
        since: new Date().toISOString(),
        checkedAt: null,
        latencyMs: null,
        restarts,
        uptimeSeconds: 5,
        sessions: 0,
      });
      const sources = new AlertSources({
        alerts: { raise: (input) => raised.push(input), prune: () => 0 },
        events,
        store,
        instances: () => [view()],
        certificateCheckMs: 3_600_000,
      });
      sources.start();
      const sweep = (): void =>
        events.emit('health:changed', {
          changed: [],
          counts: { healthy: 0, degraded: 1, unhealthy: 0, unknown: 0 },
          paused: false,
        });
      try {
        sweep();
        restarts = { container: 0, child: 2 };
        sweep();
        // The bridge restarted (its child count starts again): one container restart and one child restart.
        restarts = { container: 1, child: 1 };
        sweep();
        assert.equal(raised.length, 0);
        restarts = { container: 1, child: 2 };
        sweep();
        assert.equal(raised.length, 1);
        assert.equal(raised[0]?.kind, 'restart_storm');
        assert.equal(raised[0]?.subject, 'memory/alice on lab-1');
        assert.match(raised[0]?.message ?? '', /^5 restarts within 10 minutes/);
      } finally {
        sources.stop();
      }
    });
  },
);
