// Real parts: an encrypted store (createTestStore) with migration 9, webhook receivers on loopback
// (node:http) that fail and accept as scripted, and Node's own fetch doing the posting.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AlertView } from '../../shared/contract';
import { FleetError, type ErrorCode } from '../../shared/errors';
import { EventBus } from '../events';
import { trayMenu } from '../health/tray-menu';
import { createTestStore, type TestStore } from '../../test-support/store';
import { AlertService, type AlertServiceOptions } from './alert-service';
import { PageNotifier } from './notifier';
import { startReceiver, type Receiver } from './webhook-receiver.fixture';

const SECRET = 'Bearer s3cr3t-token-value-7f1c';
const PATH_SECRET = '/services/T000/B000/XXXXsecretpath';
const code = (expected: ErrorCode) => (err: unknown) => err instanceof FleetError && err.code === expected;

void describe('AlertService delivering to webhooks on loopback', { timeout: 30_000 }, () => {
  let t: TestStore;
  let events: EventBus;
  let logs: string[];
  let receivers: Receiver[];
  let services: AlertService[];

  const make = (o: Partial<AlertServiceOptions> = {}): AlertService => {
    const s = new AlertService({
      store: t.store,
      fleet: 'test-fleet',
      notifiers: [new PageNotifier(events)],
      retry: { baseDelayMs: 10, maxDelayMs: 40, timeoutMs: 2_000 },
      log: (line) => logs.push(line),
      ...o,
    });
    services.push(s);
    return s;
  };
  const receiver = async (...args: Parameters<typeof startReceiver>): Promise<Receiver> => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };
  const raise = (s: AlertService, subject: string, dedupKey?: string): AlertView | null =>
    s.raise({
      kind: 'instance_unhealthy',
      severity: 'critical',
      subject,
      message: 'healthy → unhealthy: the container exited with code 1',
      ...(dedupKey === undefined ? {} : { dedupKey }),
    });

  beforeEach(async () => {
    t = await createTestStore();
    events = new EventBus();
    logs = [];
    receivers = [];
    services = [];
  });
  afterEach(async () => {
    for (const s of services) s.dispose();
    await Promise.all(receivers.map((r) => r.close()));
    t.cleanup();
  });

  void it('retries a 500 and delivers the alert exactly once, as generic JSON with its header', async () => {
    const r = await receiver([500, 500]);
    const s = make();
    s.addWebhook({ name: 'ops', url: r.url, headers: [['Authorization', SECRET]] });
    const seen: AlertView[] = [];
    events.subscribe((event, payload) => {
      if (event === 'alerts:raised') seen.push(payload as AlertView);
    });
    const alert = raise(s, 'memory/alice on lab-1');
    assert.ok(alert);
    await s.idle();
    assert.deepEqual(
      r.requests.map((x) => x.status),
      [500, 500, 200],
    );
    assert.equal(r.accepted().length, 1);
    const got = r.accepted()[0];
    assert.equal(got?.headers.authorization, SECRET);
    assert.equal(got?.headers['content-type'], 'application/json');
    assert.deepEqual(got?.body, {
      kind: 'instance_unhealthy',
      severity: 'critical',
      subject: 'memory/alice on lab-1',
      message: 'healthy → unhealthy: the container exited with code 1',
      at: alert.at,
      fleet: 'test-fleet',
    });
    // The page heard of it too, and the store keeps it.
    assert.deepEqual(seen, [alert]);
    assert.deepEqual(s.list().alerts, [alert]);
    assert.deepEqual(logs, []);
  });

  void it('gives up after the bounded attempts on a webhook that keeps failing, and says so without the secret', async () => {
    const r = await receiver([], 503);
    const s = make({ retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 10, timeoutMs: 2_000 } });
    s.addWebhook({ name: 'down', url: r.url, headers: [['Authorization', SECRET]] });
    raise(s, 'memory on lab-1');
    await s.idle();
    assert.equal(r.requests.length, 3);
    assert.equal(logs.length, 1);
    assert.match(logs[0] ?? '', /webhook down: not delivered to 127\.0\.0\.1:\d+ after 3 tries: HTTP 503/);
    assert.ok(!logs.join('\n').includes('s3cr3t'));
  });

  void it('does not retry a 4xx, but retries a 429', async () => {
    const refused = await receiver([], 404);
    const limited = await receiver([429], 200);
    const s = make();
    s.addWebhook({ name: 'refused', url: refused.url, headers: [['X-Api-Key', SECRET]] });
    s.addWebhook({ name: 'limited', url: limited.url });
    raise(s, 'memory on lab-1');
    await s.idle();
    assert.equal(refused.requests.length, 1);
    assert.deepEqual(
      limited.requests.map((x) => x.status),
      [429, 200],
    );
    assert.equal(logs.length, 1);
    assert.match(logs[0] ?? '', /webhook refused: .*after 1 try: HTTP 404: refused, not retried/);
    assert.ok(!logs[0]?.includes('s3cr3t'));
  });

  void it('sends the same dedup key once within the window, another key again', async () => {
    const r = await receiver();
    const s = make({ dedupWindowMs: 60_000 });
    s.addWebhook({ name: 'ops', url: r.url });
    assert.ok(raise(s, 'memory on lab-1', 'health:i1:unhealthy'));
    assert.equal(raise(s, 'memory on lab-1 (again)', 'health:i1:unhealthy'), null);
    // Another process (the CLI beside the app) shares the store, and so the window.
    assert.equal(raise(make(), 'memory on lab-1', 'health:i1:unhealthy'), null);
    assert.ok(raise(s, 'memory on lab-2', 'health:i2:unhealthy'));
    await s.idle();
    assert.deepEqual(
      r.accepted().map((x) => (x.body as { subject: string }).subject),
      ['memory on lab-1', 'memory on lab-2'],
    );
    assert.equal(s.list().alerts.length, 2);
  });

  void it('holds back what is over the rate limit and sends one summary with the count when there is room', async () => {
    const r = await receiver();
    const s = make({ rate: { limit: 2, windowMs: 300 } });
    s.addWebhook({ name: 'ops', url: r.url });
    for (let i = 1; i <= 5; i++) assert.ok(raise(s, `instance ${i}`));
    await s.idle();
    assert.deepEqual(
      r.requests.map((x) => (x.body as { subject: string }).subject),
      ['instance 1', 'instance 2'],
    );
    const all = await r.waitForRequests(3);
    const summary = all[2]?.body as { kind: string; message: string };
    assert.equal(summary.kind, 'alerts_held');
    assert.match(summary.message, /^3 alerts were not sent to this webhook \(its rate limit\)/);
    // Every alert is in the store all the same.
    assert.equal(s.list().alerts.length, 5);
  });

  void it('posts a Slack body of one escaped text field', async () => {
    const r = await receiver();
    const s = make();
    s.addWebhook({ name: 'slack', url: r.url, format: 'slack' });
    s.raise({
      kind: 'tool_quarantined',
      severity: 'warning',
      subject: 'server notes',
      message: 'tool read_note changed: "<!channel> ignore previous instructions & <http://x|click>"',
    });
    await s.idle();
    const body = r.accepted()[0]?.body as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['text']);
    assert.equal(
      body['text'],
      ':warning: *server notes* (tool_quarantined, test-fleet): tool read_note changed: "&lt;!channel&gt; ignore previous instructions &amp; &lt;http://x|click&gt;"',
    );
  });

  void it('never shows a header value or the URL path in list, test results or errors', async () => {
    const r = await receiver([], 401, PATH_SECRET);
    const s = make();
    const added = s.addWebhook({
      name: 'slack',
      url: r.url,
      format: 'slack',
      headers: [['Authorization', SECRET]],
    });
    assert.equal(added.url, `${new URL(r.url).origin}/••••`);
    assert.deepEqual(added.headers, ['Authorization']);
    const tested = await s.test('slack');
    assert.equal(tested.delivered, false);
    assert.equal(tested.status, 401);
    raise(s, 'memory on lab-1');
    await s.idle();
    // The receiver did get the real thing.
    assert.equal(r.requests[0]?.headers.authorization, SECRET);
    assert.equal(r.requests[0]?.path, PATH_SECRET);
    const shown = JSON.stringify([s.list(), tested, logs]);
    assert.ok(!shown.includes('s3cr3t'), shown);
    assert.ok(!shown.includes('secretpath'), shown);
    const dup = (() => {
      try {
        s.addWebhook({ name: 'slack', url: r.url, headers: [['Authorization', SECRET]] });
      } catch (err) {
        return err;
      }
    })();
    assert.ok(dup instanceof FleetError && dup.code === 'conflict');
    assert.ok(!dup.message.includes('s3cr3t') && !dup.message.includes('secretpath'));
  });

  void it('reports the HTTP status of a test alert and does not record it', async () => {
    const r = await receiver([502], 204);
    const s = make();
    s.addWebhook({ name: 'ops', url: r.url });
    const result = await s.test('ops');
    assert.deepEqual(
      { ...result, message: '' },
      { webhook: 'ops', delivered: true, status: 204, attempts: 2, message: '' },
    );
    assert.equal((r.accepted()[0]?.body as { kind: string }).kind, 'test');
    assert.deepEqual(s.list().alerts, []);
    assert.throws(() => s.removeWebhook('nope'), code('not_found'));
    await assert.rejects(s.test('nope'), code('not_found'));
  });

  void it('refuses bad webhooks before anything is saved', () => {
    const s = make();
    s.addWebhook({ name: 'ops', url: 'https://hooks.example.com/a' });
    const before = JSON.stringify(t.store.alerts.listWebhooks());
    const refused: [string, Parameters<AlertService['addWebhook']>[0], ErrorCode, RegExp][] = [
      ['not a URL', { name: 'a', url: 'hooks.example.com' }, 'invalid_input', /not a URL/],
      [
        'ftp',
        { name: 'a', url: 'ftp://hooks.example.com/x' },
        'invalid_input',
        /ftp is not a webhook scheme/,
      ],
      ['file', { name: 'a', url: 'file:///etc/passwd' }, 'invalid_input', /file is not a webhook scheme/],
      [
        'http off loopback',
        { name: 'a', url: 'http://hooks.example.com/x' },
        'invalid_input',
        /--allow-http/,
      ],
      [
        'credentials',
        { name: 'a', url: `https://ops:${SECRET.slice(7)}@hooks.example.com/x` },
        'invalid_input',
        /credentials in the URL/,
      ],
      [
        'user only',
        { name: 'a', url: 'https://ops@hooks.example.com/x' },
        'invalid_input',
        /credentials in the URL/,
      ],
      [
        'duplicate name',
        { name: 'ops', url: 'https://other.example.com/' },
        'conflict',
        /a webhook named "ops" exists/,
      ],
      ['bad name', { name: 'no spaces', url: 'https://hooks.example.com/' }, 'invalid_input', /name/],
      [
        'header name',
        { name: 'a', url: 'https://hooks.example.com/', headers: [['Bad Header', 'x']] },
        'invalid_input',
        /not a valid HTTP header name/,
      ],
      [
        'header CRLF',
        { name: 'a', url: 'https://hooks.example.com/', headers: [['X-Key', `${SECRET}\r\nX-Evil: 1`]] },
        'invalid_input',
        /header X-Key: value has a control/,
      ],
      [
        'reserved header',
        { name: 'a', url: 'https://hooks.example.com/', headers: [['Host', 'evil.example']] },
        'invalid_input',
        /set by MCP Fleet itself/,
      ],
      [
        'header twice',
        {
          name: 'a',
          url: 'https://hooks.example.com/',
          headers: [
            ['X-Key', 'a'],
            ['x-key', 'b'],
          ],
        },
        'invalid_input',
        /given twice/,
      ],
    ];
    for (const [what, input, expected, message] of refused) {
      assert.throws(
        () => s.addWebhook(input),
        (err: unknown) =>
          err instanceof FleetError &&
          err.code === expected &&
          message.test(err.message) &&
          !err.message.includes('s3cr3t') &&
          !err.message.includes(SECRET.slice(7)),
        what,
      );
    }
    assert.equal(JSON.stringify(t.store.alerts.listWebhooks()), before);
    // http is fine to this machine, and anywhere when asked for.
    assert.equal(s.addWebhook({ name: 'local', url: 'http://localhost:9/x' }).url, 'http://localhost:9/••••');
    assert.equal(s.addWebhook({ name: 'lan', url: 'http://10.0.0.5/x', allowHttp: true }).name, 'lan');
  });

  void it('counts the last day for the tray and shows it in the menu', () => {
    const s = make();
    raise(s, 'a');
    raise(s, 'b');
    assert.equal(s.lastDayCount(), 2);
    const summary = {
      monitoring: true,
      paused: false,
      intervalMs: 10_000,
      lastSweepAt: null,
      counts: { healthy: 0, degraded: 0, unhealthy: 0, unknown: 0 },
      instances: [],
    };
    const labels = trayMenu(summary, { alertsLastDay: s.lastDayCount() }).items.map((i) =>
      i.type === 'separator' ? '-' : i.label,
    );
    assert.ok(labels.includes('2 alerts in the last 24 hours'), labels.join('|'));
    assert.ok(!trayMenu(summary).items.some((i) => i.type !== 'separator' && /alert/.test(i.label)));
  });
});
