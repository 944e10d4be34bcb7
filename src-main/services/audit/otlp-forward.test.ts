// Real parts: an encrypted store (createTestStore) with migrations 8 and 11, calls put in through the
// repository's append as the collector does, Node's own fetch posting, and an OTLP/HTTP logs receiver
// on loopback (node:http, test-support/otlp-receiver.ts) that checks every request's JSON strictly before
// it accepts it.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FleetError } from '../../shared/errors';
import type { AuditCallRow } from '../store/audit-calls-repository';
import { otlpAttribute, startOtlpReceiver, type OtlpReceiver } from '../../test-support/otlp-receiver';
import { createTestStore, type TestStore } from '../../test-support/store';
import type { HostAccess } from '../bridge-client/host-access';
import { AuditCollector } from './audit-collector';
import { AuditSettingsService } from './audit-settings';
import { OtlpForwarder } from './otlp-forwarder';

const API_KEY = 'otlp-k3y-5ecret-9d2a';
const FLEET_HOST = 'fleet-test-host';
const DAY_MS = 86_400_000;

/** A port nothing listens on (bound, then let go). */
async function freePort(): Promise<number> {
  const r = await startOtlpReceiver({ fleetHost: FLEET_HOST });
  const port = Number(new URL(r.url).port);
  await r.close();
  return port;
}

void describe('OtlpForwarder to an OTLP/HTTP receiver on loopback', { timeout: 30_000 }, () => {
  let t: TestStore;
  let settings: AuditSettingsService;
  let logs: string[];
  let receivers: OtlpReceiver[];
  let forwarders: OtlpForwarder[];
  let seq = 0;

  const forwarder = (batchSize = 500): OtlpForwarder => {
    const f = new OtlpForwarder({
      store: t.store,
      settings,
      resource: { fleetHost: FLEET_HOST, version: '0.0.0-test' },
      batchSize,
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 40, timeoutMs: 2_000 },
      log: (line) => logs.push(line),
    });
    forwarders.push(f);
    return f;
  };
  const receiver = async (script: number[] = [], port = 0): Promise<OtlpReceiver> => {
    const r = await startOtlpReceiver({ fleetHost: FLEET_HOST, script, port });
    receivers.push(r);
    return r;
  };
  /** Appends `n` calls as one collection would; returns their correlation ids. */
  const addCalls = (n: number, at = new Date().toISOString()): string[] => {
    const from = t.store.auditCalls.cursor('ctr-1');
    const rows: AuditCallRow[] = [];
    for (let i = 0; i < n; i++) {
      seq += 1;
      rows.push({
        at,
        server: 'files',
        instance: 'mcp-files-alice',
        member: i % 2 === 0 ? 'alice' : 'bob',
        session: `sess-${seq}`,
        method: 'tools/call',
        target: 'read_file',
        outcome: i % 5 === 0 ? 'tool_error' : 'ok',
        ms: 12 + (i % 7),
        correlationId: `cid-${seq}`,
      });
    }
    const ts = `2030-01-01T00:00:00.${String(seq).padStart(9, '0')}Z`;
    const ok = t.store.auditCalls.append(
      from,
      { containerId: 'ctr-1', instance: 'mcp-files-alice', lastTs: ts, sameTsCount: 1 },
      rows,
      new Date().toISOString(),
    );
    assert.ok(ok);
    return rows.map((r) => r.correlationId as string);
  };
  const exactlyOnce = (r: OtlpReceiver, cids: string[]): void => {
    assert.deepEqual(r.problems, []);
    assert.equal(r.records.length, cids.length, 'no record arrived twice or unasked');
    for (const cid of cids) assert.equal(r.byCid.get(cid), 1, `${cid} arrived exactly once`);
  };

  beforeEach(async () => {
    t = await createTestStore();
    settings = new AuditSettingsService(t.store, 'test');
    logs = [];
    receivers = [];
    forwarders = [];
  });
  afterEach(async () => {
    await Promise.all(forwarders.map((f) => f.stop()));
    await Promise.all(receivers.map((r) => r.close()));
    t.cleanup();
  });

  void it('delivers every call exactly once, in batches, mapped onto OTLP log records', async () => {
    const r = await receiver();
    settings.configure({ otlpEndpoint: r.url });
    const cids = addCalls(1200);
    const f = forwarder();
    const first = await f.forward();
    assert.equal(first.delivered, true);
    assert.equal(first.sentNow, 1200);
    assert.equal(r.requests.length, 3, '500 + 500 + 200');
    exactlyOnce(r, cids);
    assert.deepEqual([first.sent, first.pending, first.skipped, first.lastError], [1200, 0, 0, null]);

    const again = await f.forward();
    assert.equal(again.sentNow, 0);
    assert.equal(r.requests.length, 3, 'nothing new, nothing sent');

    const more = addCalls(3);
    await f.forward();
    exactlyOnce(r, [...cids, ...more]);

    const rec = r.records[0] as Record<string, unknown>;
    assert.equal(otlpAttribute(rec, 'mcp_fleet.server'), 'files');
    assert.equal(otlpAttribute(rec, 'mcp_fleet.member'), 'alice');
    assert.equal(otlpAttribute(rec, 'mcp_fleet.method'), 'tools/call');
    assert.equal(otlpAttribute(rec, 'mcp_fleet.target'), 'read_file');
    assert.equal(otlpAttribute(rec, 'mcp_fleet.duration_ms'), '12', 'an intValue, as a string');
    assert.equal(otlpAttribute(rec, 'mcp_fleet.session_id'), 'sess-1');
    assert.equal(rec.severityText, 'WARN', 'tool_error');
    assert.equal((r.records[1] as Record<string, unknown>).severityText, 'INFO');
  });

  void it('advances nothing while the collector is down, then sends every call once', async () => {
    const port = await freePort();
    settings.configure({ otlpEndpoint: `http://127.0.0.1:${port}/v1/logs` });
    const cids = addCalls(700);
    const f = forwarder();

    const refused = await f.forward();
    assert.equal(refused.delivered, false);
    assert.match(refused.lastError ?? '', /connection refused/);
    assert.equal(refused.sent, 0);
    assert.equal(refused.pending, 700);

    // Up, but answering 503 to every try of the first batch: still nothing moves.
    const r = await receiver([503, 503, 503], port);
    const unavailable = await f.forward();
    assert.equal(unavailable.delivered, false);
    assert.match(unavailable.lastError ?? '', /HTTP 503/);
    assert.equal(unavailable.pending, 700);
    assert.equal(r.records.length, 0);

    // 503 then 429 (with Retry-After) and then accepting: each batch retried, none doubled.
    r.script.push(503, 429);
    const up = await f.forward();
    assert.equal(up.delivered, true, up.lastError ?? '');
    assert.equal(up.pending, 0);
    assert.equal(up.sent, 700);
    exactlyOnce(r, cids);
    assert.deepEqual(
      r.requests.map((q) => q.status),
      [503, 503, 503, 503, 429, 200, 200],
      'each try of the first batch, then the second batch',
    );
  });

  void it('sends the configured header, and shows it nowhere', async () => {
    const r = await receiver([500]);
    settings.configure({ otlpEndpoint: r.url, otlpHeaders: [['X-Api-Key', API_KEY]] });
    addCalls(2);
    const f = forwarder();
    const result = await f.forward();
    assert.equal(result.delivered, true);
    assert.equal(r.requests.length, 2, 'a 500, then accepted');
    for (const q of r.requests) assert.equal(q.headers['x-api-key'], API_KEY);

    const view = settings.view();
    assert.deepEqual(view.otlpHeaders, ['X-Api-Key']);
    const shown = JSON.stringify([view, result, f.status(), logs, t.store.audit.list()]);
    assert.ok(!shown.includes(API_KEY), 'no header value in the view, status, log or audit log');
    assert.ok(
      t.store.audit.list().some((e) => e.action === 'audit.settings' && e.detail.includes('X-Api-Key: ••••')),
    );

    // A failure's message names the status, not the header.
    await r.close();
    addCalls(1);
    const failed = await f.forward();
    assert.equal(failed.delivered, false);
    assert.ok(!JSON.stringify([failed, logs]).includes(API_KEY));
  });

  void it('refuses bad settings with a clear error and saves nothing', () => {
    settings.configure({ retentionDays: 7, otlpEndpoint: 'https://otel.example:4318/v1/logs' });
    const before = JSON.stringify(settings.view());
    const auditBefore = t.store.audit.list().length;
    const cases: [Parameters<AuditSettingsService['configure']>[0], RegExp][] = [
      [{ retentionDays: 0 }, /retention must be a whole number of days from 1 to 3650, got 0/],
      [{ retentionDays: 3651 }, /from 1 to 3650, got 3651/],
      [{ retentionDays: 1.5 }, /whole number/],
      [{ otlpEndpoint: 'collector:4318' }, /OTLP endpoint: collector is not an OTLP\/HTTP scheme/],
      [{ otlpEndpoint: 'not a url' }, /OTLP endpoint: not a URL/],
      [{ otlpEndpoint: 'ftp://otel.example/v1/logs' }, /ftp is not an OTLP\/HTTP scheme/],
      [
        { otlpEndpoint: `https://u:${API_KEY}@otel.example/v1/logs` },
        /user name or password in the URL is refused/,
      ],
      [
        { otlpHeaders: [['X-Key\r\nInjected', 'v']] },
        /header name "X-Key\?\?Injected" is not a valid HTTP header name/,
      ],
      [{ otlpHeaders: [['Bad Header', 'v']] }, /not a valid HTTP header name/],
      [{ otlpHeaders: [['X-Api-Key', `${API_KEY}\r\nX-Evil: 1`]] }, /header X-Api-Key: value has a control/],
      [{ otlpHeaders: [['Content-Type', 'text/plain']] }, /set by MCP Fleet itself/],
      // A good part beside a bad one: the whole change is refused.
      [{ retentionDays: 90, otlpHeaders: [['', 'x']] }, /not a valid HTTP header name/],
    ];
    for (const [input, message] of cases) {
      assert.throws(
        () => settings.configure(input),
        (err: unknown) => {
          assert.ok(err instanceof FleetError && err.code === 'invalid_input', String(err));
          assert.match(err.message, message);
          assert.ok(!err.message.includes(API_KEY), 'the secret is not quoted back');
          return true;
        },
      );
    }
    assert.equal(JSON.stringify(settings.view()), before);
    assert.equal(t.store.audit.list().length, auditBefore);
    assert.equal(settings.retentionDays(), 7);
  });

  void it('stops at a 400 with a clear error, advances nothing, and sends all once it is accepted', async () => {
    const r = await receiver([400]);
    settings.configure({ otlpEndpoint: r.url });
    const cids = addCalls(10);
    const f = forwarder(4);
    const refused = await f.forward();
    assert.equal(refused.delivered, false);
    assert.equal(r.requests.length, 1, 'a 400 is not retried');
    assert.match(refused.lastError ?? '', /did not take 4 calls .*HTTP 400: refused, not retried/);
    assert.deepEqual([refused.sent, refused.pending], [0, 10]);
    assert.deepEqual(r.problems, []);

    const later = await f.forward();
    assert.equal(later.delivered, true);
    exactlyOnce(r, cids);
    assert.equal(later.lastError, null);
  });

  void it('counts calls pruned by retention before their turn as skipped', async () => {
    const r = await receiver();
    settings.configure({ otlpEndpoint: r.url });
    const f = forwarder(3);
    const kept = addCalls(2);
    await f.forward();
    const old = new Date(Date.now() - 40 * DAY_MS).toISOString();
    addCalls(4, old);
    const fresh = addCalls(2);
    addCalls(3, old);
    const pruned = t.store.auditCalls.prune(new Date(Date.now() - 30 * DAY_MS).toISOString());
    assert.equal(pruned, 7);
    const result = await f.forward();
    assert.deepEqual([result.sentNow, result.skippedNow, result.skipped, result.pending], [2, 7, 7, 0]);
    exactlyOnce(r, [...kept, ...fresh]);
  });

  void it('lets one forwarder at a time send: the other is told it is busy', async () => {
    const r = await receiver();
    settings.configure({ otlpEndpoint: r.url });
    const cids = addCalls(50);
    const [a, b] = [forwarder(10), forwarder(10)];
    const [ra, rb] = await Promise.all([a.forward(), b.forward()]);
    assert.deepEqual([ra.busy, rb.busy], [false, true]);
    assert.equal(rb.sentNow, 0);
    exactlyOnce(r, cids);
  });

  void it('forwards after a collection, and logs why such a run stopped', async () => {
    const r = await receiver([400]);
    settings.configure({ otlpEndpoint: r.url });
    const cids = addCalls(3);
    const f = forwarder();
    f.afterCollect();
    // forward() joins the run afterCollect started; its outcome is logged before this await returns.
    const stopped = await f.forward();
    assert.equal(stopped.delivered, false);
    assert.equal(r.requests.length, 1);
    assert.match(logs.join('\n'), /audit forwarding stopped: .*HTTP 400/);
    f.afterCollect();
    assert.equal((await f.forward()).delivered, true);
    exactlyOnce(r, cids);
  });

  void it('the collector prunes by the retention setting read at each collection, then forwards', async () => {
    const r = await receiver();
    settings.configure({ otlpEndpoint: r.url, retentionDays: 10 });
    const f = forwarder();
    // No instances: the collector reaches no host and only prunes; its access is never used.
    const collector = new AuditCollector({
      store: t.store,
      access: {} as HostAccess,
      retentionDays: () => settings.retentionDays(),
      onCollected: () => f.afterCollect(),
    });
    const recent = addCalls(2, new Date(Date.now() - 5 * DAY_MS).toISOString());
    addCalls(3, new Date(Date.now() - 20 * DAY_MS).toISOString());
    const first = await collector.collect();
    assert.deepEqual([first.retentionDays, first.pruned], [10, 3]);
    settings.configure({ retentionDays: 3 });
    const second = await collector.collect();
    assert.deepEqual([second.retentionDays, second.pruned], [3, 2]);
    const forwarded = await f.forward();
    // The first collection's forward read the two recent calls before the second pruned them; the
    // three old ones were pruned by the first before their turn.
    assert.deepEqual([forwarded.sent, forwarded.skipped], [2, 3]);
    exactlyOnce(r, recent);
  });

  void it('refuses to forward with no endpoint set', async () => {
    await assert.rejects(forwarder().forward(), /no OTLP endpoint is set/);
  });
});
