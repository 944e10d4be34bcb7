// Real parts: an encrypted store (createTestStore) with migrations 8 and 11, calls put in through the
// repository's append as the collector does, Node's own fetch posting, and an OTLP/HTTP logs receiver
// on loopback (node:http, below) that checks every request's JSON strictly before it accepts it.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FleetError } from '../../shared/errors';
import type { AuditCallRow } from '../store/audit-calls-repository';
import { createTestStore, type TestStore } from '../../test-support/store';
import type { HostAccess } from '../bridge-client/host-access';
import { AuditCollector } from './audit-collector';
import { AuditSettingsService } from './audit-settings';
import { OtlpForwarder } from './otlp-forwarder';

const API_KEY = 'otlp-k3y-5ecret-9d2a';
const FLEET_HOST = 'fleet-test-host';
const DAY_MS = 86_400_000;

interface Receiver {
  url: string;
  /** Requests answered, with their status. */
  requests: { status: number; headers: IncomingHttpHeaders }[];
  /** Log records accepted (2xx), by correlation id: how many times each arrived. */
  byCid: Map<string, number>;
  /** Records accepted, in order. */
  records: Record<string, unknown>[];
  /** Shape problems found; a request with any is answered 400. */
  problems: string[];
  /** Statuses to answer next, in order (a 429 comes with Retry-After: 0). */
  script: number[];
  close(): Promise<void>;
}

/** An OTLP/HTTP logs receiver answering each request with the next status of `script`, then 200. */
async function startReceiver(script: number[] = [], port = 0): Promise<Receiver> {
  const queue = [...script];
  const r: Omit<Receiver, 'url' | 'close'> = {
    requests: [],
    byCid: new Map(),
    records: [],
    problems: [],
    script: queue,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const found: string[] = [];
      if (req.method !== 'POST') found.push(`method ${req.method ?? ''}`);
      if (req.url !== '/v1/logs') found.push(`path ${req.url ?? ''}`);
      if (req.headers['content-type'] !== 'application/json') found.push('content-type');
      let records: Record<string, unknown>[] = [];
      try {
        records = checkLogsRequest(JSON.parse(Buffer.concat(chunks).toString('utf8')), found);
      } catch {
        found.push('not JSON');
      }
      const status = found.length > 0 ? 400 : (queue.shift() ?? 200);
      r.problems.push(...found);
      r.requests.push({ status, headers: req.headers });
      if (status >= 200 && status < 300) {
        for (const rec of records) {
          r.records.push(rec);
          const cid = attr(rec, 'mcp_fleet.correlation_id');
          if (typeof cid === 'string') r.byCid.set(cid, (r.byCid.get(cid) ?? 0) + 1);
        }
      }
      res
        .writeHead(status, {
          'content-type': 'application/json',
          ...(status === 429 ? { 'retry-after': '0' } : {}),
        })
        .end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    ...r,
    url: `http://127.0.0.1:${bound}/v1/logs`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const DECIMAL = /^(0|[1-9]\d*)$/;

/** Checks an ExportLogsServiceRequest in OTLP's JSON mapping; returns its log records. */
function checkLogsRequest(body: unknown, found: string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const need = (ok: boolean, what: string): boolean => (ok ? true : (found.push(what), false));
  if (!need(isObj(body) && Array.isArray(body.resourceLogs) && body.resourceLogs.length > 0, 'resourceLogs'))
    return out;
  for (const rl of (body as { resourceLogs: unknown[] }).resourceLogs) {
    if (!need(isObj(rl) && isObj(rl.resource), 'resource')) continue;
    const res = (rl as { resource: Record<string, unknown> }).resource;
    checkAttributes(res.attributes, 'resource', found);
    const resAttrs = new Map(
      (Array.isArray(res.attributes) ? res.attributes : []).map((kv: { key: string; value: unknown }) => [
        kv.key,
        kv.value,
      ]),
    );
    need(JSON.stringify(resAttrs.get('service.name')) === '{"stringValue":"mcp-fleet"}', 'service.name');
    need(
      JSON.stringify(resAttrs.get('host.name')) === JSON.stringify({ stringValue: FLEET_HOST }),
      'host.name',
    );
    const scopeLogs = (rl as { scopeLogs?: unknown }).scopeLogs;
    if (!need(Array.isArray(scopeLogs) && scopeLogs.length > 0, 'scopeLogs')) continue;
    for (const sl of scopeLogs as unknown[]) {
      if (
        !need(
          isObj(sl) && isObj(sl.scope) && typeof sl.scope.name === 'string' && sl.scope.name !== '',
          'scope.name',
        )
      )
        continue;
      const recs = (sl as { logRecords?: unknown }).logRecords;
      if (!need(Array.isArray(recs) && recs.length > 0, 'logRecords')) continue;
      for (const rec of recs as unknown[]) {
        if (!isObj(rec)) {
          found.push('logRecord');
          continue;
        }
        const known = [
          'timeUnixNano',
          'observedTimeUnixNano',
          'severityNumber',
          'severityText',
          'body',
          'attributes',
        ];
        for (const k of Object.keys(rec)) need(known.includes(k), `unexpected field ${k}`);
        need(typeof rec.timeUnixNano === 'string' && DECIMAL.test(rec.timeUnixNano), 'timeUnixNano');
        need(
          typeof rec.observedTimeUnixNano === 'string' && DECIMAL.test(rec.observedTimeUnixNano),
          'observedTimeUnixNano',
        );
        need(
          (rec.severityNumber === 9 && rec.severityText === 'INFO') ||
            (rec.severityNumber === 13 && rec.severityText === 'WARN'),
          'severity',
        );
        need(isObj(rec.body) && checkAnyValue(rec.body), 'body');
        checkAttributes(rec.attributes, 'logRecord', found);
        out.push(rec);
      }
    }
  }
  return out;
}

function checkAttributes(list: unknown, where: string, found: string[]): void {
  if (!Array.isArray(list)) return void found.push(`${where}.attributes`);
  const keys = new Set<string>();
  for (const kv of list) {
    if (
      !isObj(kv) ||
      typeof kv.key !== 'string' ||
      kv.key === '' ||
      keys.has(kv.key) ||
      !checkAnyValue(kv.value)
    )
      found.push(`${where} attribute ${isObj(kv) ? String(kv.key) : '?'}`);
    else keys.add(kv.key);
  }
}

/** Exactly one of the AnyValue shapes this forwarder may use, each of its right JSON type. */
function checkAnyValue(v: unknown): boolean {
  if (!isObj(v) || Object.keys(v).length !== 1) return false;
  if ('stringValue' in v) return typeof v.stringValue === 'string';
  if ('intValue' in v) return typeof v.intValue === 'string' && /^-?\d+$/.test(v.intValue);
  if ('doubleValue' in v) return typeof v.doubleValue === 'number';
  return false;
}

function attr(rec: Record<string, unknown>, key: string): unknown {
  const list = rec.attributes as { key: string; value: Record<string, unknown> }[];
  const value = list.find((kv) => kv.key === key)?.value;
  return value === undefined ? undefined : Object.values(value)[0];
}

/** A port nothing listens on (bound, then let go). */
async function freePort(): Promise<number> {
  const r = await startReceiver();
  const port = Number(new URL(r.url).port);
  await r.close();
  return port;
}

void describe('OtlpForwarder to an OTLP/HTTP receiver on loopback', { timeout: 30_000 }, () => {
  let t: TestStore;
  let settings: AuditSettingsService;
  let logs: string[];
  let receivers: Receiver[];
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
  const receiver = async (script: number[] = [], port = 0): Promise<Receiver> => {
    const r = await startReceiver(script, port);
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
  const exactlyOnce = (r: Receiver, cids: string[]): void => {
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
    assert.equal(attr(rec, 'mcp_fleet.server'), 'files');
    assert.equal(attr(rec, 'mcp_fleet.member'), 'alice');
    assert.equal(attr(rec, 'mcp_fleet.method'), 'tools/call');
    assert.equal(attr(rec, 'mcp_fleet.target'), 'read_file');
    assert.equal(attr(rec, 'mcp_fleet.duration_ms'), '12', 'an intValue, as a string');
    assert.equal(attr(rec, 'mcp_fleet.session_id'), 'sess-1');
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
