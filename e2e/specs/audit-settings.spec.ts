/**
 * The audit trail's Retention and forwarding panel (Settings page) in web mode, against an OTLP/HTTP
 * logs receiver on loopback that checks every request's JSON: a bad endpoint is refused with its
 * sentence and nothing is saved; the receiver's URL and an API-key header are saved, and the key shows
 * nowhere on the page; a later change keeps the header without its value typed again; Forward now sends
 * the calls written into the store, each once, with the key; the headers are removed and forwarding
 * turned off. Then the Audit page's usage chart follows the tool filter.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { expect, test, type Page } from '@playwright/test';
import type { AuditSettingsView } from '../../src-main/shared/contract';
import { AuditSettingsService, type OtlpTarget } from '../../src-main/services/audit/audit-settings';
import type { AuditCallRow } from '../../src-main/services/store/audit-calls-repository';
import { PassphraseKeyProvider } from '../../src-main/services/store/key-providers';
import { Store } from '../../src-main/services/store/store';
import { startOtlpReceiver, type OtlpReceiver } from '../../src-main/test-support/otlp-receiver';
import { AppShell } from '../pages/app-shell';
import { AuditForwardingPanel } from '../pages/audit-forwarding-panel';
import { AuditPage } from '../pages/audit-page';
import { freshHome, removeHome, startServe, type Served } from './support/serve';

const PASSPHRASE = 'e2e audit settings passphrase, four words';
const SECRET = `otlp-${randomBytes(12).toString('hex')}`;
const MIN = 60_000;
const HOUR = 60 * MIN;

function call(agoMs: number, member: string, server: string, target: string, outcome: string): AuditCallRow {
  return {
    at: new Date(Date.now() - agoMs).toISOString(),
    server,
    instance: `mcp-fleet-${server}`,
    member,
    session: `s-${member}`,
    method: 'tools/call',
    target,
    outcome,
    ms: 7,
    correlationId: randomBytes(6).toString('base64url'),
  };
}

/** Reads the store the web server has open, as a second process would (the CLI beside the app). */
async function stored(home: string): Promise<{ view: AuditSettingsView; target: OtlpTarget | null }> {
  const store = await Store.open({ home, keyProvider: new PassphraseKeyProvider(PASSPHRASE) });
  try {
    const settings = new AuditSettingsService(store, 'e2e');
    return { view: settings.view(), target: settings.target() };
  } finally {
    store.close();
  }
}

/** The secret is in no text, attribute or input value of the page. */
async function expectNoSecret(page: Page): Promise<void> {
  expect(await page.content()).not.toContain(SECRET);
  const values = await page
    .locator('input')
    .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
  expect(values.join('\n')).not.toContain(SECRET);
}

test('configures forwarding, forwards the trail with its header, and charts one tool', async ({
  page,
}, testInfo) => {
  const home = freshHome();
  let web: Served | undefined;
  let receiver: OtlpReceiver | undefined;
  try {
    receiver = await startOtlpReceiver({ fleetHost: hostname() });
    web = await startServe(home, { passphrase: PASSPHRASE });
    const rows = [
      call(5 * MIN, 'alice', 'notes', 'read_note', 'ok'),
      call(10 * MIN, 'alice', 'notes', 'read_note', 'error'),
      call(3 * MIN, 'bob', 'files', 'read_file', 'ok'),
      call(15 * MIN, 'bob', 'files', 'read_file', 'denied'),
      call(30 * HOUR, 'bob', 'files', 'read_file', 'ok'),
      call(40 * HOUR, 'alice', 'notes', 'read_note', 'ok'),
    ];
    // Rows as the collector writes them, into the store the web server has open.
    const store = await Store.open({ home, keyProvider: new PassphraseKeyProvider(PASSPHRASE) });
    try {
      const cursor = {
        containerId: 'e2e-audit-settings',
        instance: 'mcp-fleet-notes',
        lastTs: 'x',
        sameTsCount: 1,
      };
      expect(store.auditCalls.append(null, cursor, rows, new Date().toISOString())).toBe(true);
    } finally {
      store.close();
    }

    const shell = new AppShell(page);
    const panel = new AuditForwardingPanel(page);
    await page.goto(web.loginUrl);
    await shell.waitState('loaded');
    await panel.open();
    await expect(panel.endpoint).toContainText('off');
    await expect(panel.pending).toHaveAttribute('data-count', String(rows.length));
    await expect(panel.forwardButton).toBeDisabled();

    // A bad endpoint beside a good retention: the whole change is refused, nothing is saved.
    await panel.setRetention('90');
    await panel.setEndpoint('ftp://x');
    await panel.save();
    await expect(panel.error).toContainText(
      'OTLP endpoint: ftp is not an OTLP/HTTP scheme; use http or https',
    );
    await expect(panel.retention).toHaveText('30 days');
    const refused = await stored(home);
    expect([refused.view.retentionDays, refused.view.otlpEndpoint, refused.view.updatedAt]).toEqual([
      30,
      null,
      null,
    ]);

    await panel.setRetention('30');
    await panel.setEndpoint(receiver.url);
    await panel.replaceHeaders([['x-api-key', SECRET]]);
    await panel.save();
    await expect(panel.saved).toBeVisible();
    await expect(panel.error).toHaveCount(0);
    await expect(panel.endpoint).toHaveText(receiver.url);
    await expect(panel.headers).toHaveText('x-api-key: ••••');
    expect((await stored(home)).target).toEqual({ url: receiver.url, headers: [['x-api-key', SECRET]] });
    await expectNoSecret(page);

    // Another change sends no headers: the stored value stays without being typed again.
    await panel.setRetention('14');
    await panel.save();
    await expect(panel.retention).toHaveText('14 days');
    await expect(panel.headers).toHaveText('x-api-key: ••••');
    expect((await stored(home)).target?.headers).toEqual([['x-api-key', SECRET]]);

    // The app also forwards after its own collections, so this run may find some calls already sent.
    await panel.forwardNow();
    await expect(panel.result).toHaveAttribute('data-delivered', 'true');
    await expect(panel.sent).toHaveAttribute('data-count', String(rows.length));
    await expect(panel.pending).toHaveAttribute('data-count', '0');
    await expect(panel.lastError).toHaveText('none');
    expect(receiver.problems).toEqual([]);
    expect(receiver.records).toHaveLength(rows.length);
    for (const r of rows) expect(receiver.byCid.get(r.correlationId ?? '')).toBe(1);
    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const q of receiver.requests) expect(q.headers['x-api-key']).toBe(SECRET);
    await panel.root.screenshot({ path: testInfo.outputPath('audit-forwarding.png') });
    await expectNoSecret(page);

    // Removing every header sends [], turning forwarding off sends null.
    await page.getByTestId('audit-headers-remove').click();
    await panel.save();
    await expect(panel.headers).toHaveText('none');
    await page.getByTestId('audit-endpoint-off').click();
    await expect(panel.endpoint).toContainText('off');
    await expect(panel.forwardButton).toBeDisabled();
    expect(await stored(home)).toMatchObject({ view: { otlpEndpoint: null, otlpHeaders: [] }, target: null });

    // The usage chart counts the tool the page is filtered by, and every tool again without it.
    const audit = new AuditPage(page);
    await audit.open();
    await audit.since('7d');
    const barKeys = (list: AuditCallRow[]) =>
      new Set(list.map((r) => `${r.at.slice(0, 10)} ${r.member ?? ''}`));
    await expect(audit.bars).toHaveCount(barKeys(rows).size);
    await audit.tool('read_file');
    const files = rows.filter((r) => r.target === 'read_file');
    await expect(audit.bars).toHaveCount(barKeys(files).size);
    await expect(page.locator('[data-testid="usage-bar"][data-member="alice"]')).toHaveCount(0);
    await expect(page.getByTestId('audit-usage-tool')).toHaveText('read_file');
    const calls = await audit.bars.evaluateAll((bars) =>
      bars.map((b) => Number(b.getAttribute('data-calls'))),
    );
    expect(calls.reduce((a, b) => a + b, 0)).toBe(files.length);
    await audit.tool('');
    await expect(audit.bars).toHaveCount(barKeys(rows).size);
  } finally {
    await web?.stop();
    await receiver?.close();
    removeHome(home);
  }
});
