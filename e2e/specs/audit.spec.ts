/**
 * The Audit page in web mode: empty until something is collected; then, with audit rows of two members
 * written into the store the app has open (through the repository's append, as the collector writes
 * them), the filters narrow the table, the chart's bars carry each member's calls and errors per day,
 * and the CSV download is the CLI's `--format csv` text of the rows shown.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { AuditCallView } from '../../src-main/shared/contract';
import { auditCsv } from '../../src-main/shared/audit-export';
import type { AuditCallRow } from '../../src-main/services/store/audit-calls-repository';
import { PassphraseKeyProvider } from '../../src-main/services/store/key-providers';
import { Store } from '../../src-main/services/store/store';
import { AppShell } from '../pages/app-shell';
import { AuditPage } from '../pages/audit-page';
import { freshHome, removeHome, startServe, type Served } from './support/serve';

const PASSPHRASE = 'e2e audit passphrase, four words';
const MIN = 60_000;
const HOUR = 60 * MIN;

function call(
  agoMs: number,
  member: string,
  server: string,
  method: string,
  target: string | null,
  outcome: string,
  now: number,
): AuditCallRow {
  return {
    at: new Date(now - agoMs).toISOString(),
    server,
    instance: `mcp-fleet-${server}`,
    member,
    session: `s-${member}`,
    method,
    target,
    outcome,
    ms: 12.5,
    correlationId: randomBytes(6).toString('base64url'),
  };
}

/** Calls and errors per "day member", as the chart should show them. */
function perDay(rows: readonly AuditCallRow[]): Map<string, { calls: number; errors: number }> {
  const out = new Map<string, { calls: number; errors: number }>();
  for (const r of rows) {
    const key = `${r.at.slice(0, 10)} ${r.member ?? ''}`;
    const v = out.get(key) ?? { calls: 0, errors: 0 };
    v.calls += 1;
    if (r.outcome !== 'ok') v.errors += 1;
    out.set(key, v);
  }
  return out;
}

test('filters, charts and exports the collected calls of two members', async ({ page }, testInfo) => {
  const home = freshHome();
  let web: Served | undefined;
  try {
    web = await startServe(home, { passphrase: PASSPHRASE });
    const shell = new AppShell(page);
    const audit = new AuditPage(page);
    await page.goto(web.loginUrl);
    await shell.waitState('loaded');
    await audit.open();
    await expect(audit.empty).toBeVisible();

    // Rows as the collector writes them, into the store the web server has open.
    const now = Date.now();
    const rows = [
      call(5 * MIN, 'alice', 'notes', 'tools/call', 'read_note', 'ok', now),
      call(10 * MIN, 'alice', 'notes', 'tools/call', 'read_note', 'error', now),
      call(20 * MIN, 'alice', 'notes', 'tools/call', '=HYPERLINK("x")', 'ok', now),
      call(25 * MIN, 'bob', 'notes', 'tools/call', 'read_note', 'ok', now),
      call(3 * MIN, 'bob', 'files', 'tools/call', 'read_file', 'ok', now),
      call(15 * MIN, 'bob', 'files', 'resources/read', 'file:///docs/a,b.md', 'denied', now),
      call(30 * HOUR, 'alice', 'notes', 'tools/call', 'read_note', 'ok', now),
      call(40 * HOUR, 'bob', 'files', 'tools/call', 'read_file', 'ok', now),
      call(41 * HOUR, 'bob', 'files', 'tools/call', 'read_file', 'error', now),
      call(50 * HOUR, 'bob', 'files', 'tools/list', null, 'ok', now),
      call(10 * 24 * HOUR, 'alice', 'notes', 'tools/call', 'read_note', 'ok', now),
    ];
    const store = await Store.open({ home, keyProvider: new PassphraseKeyProvider(PASSPHRASE) });
    try {
      const cursor = {
        containerId: `e2e-audit-${randomBytes(4).toString('hex')}`,
        instance: 'mcp-fleet-notes',
        lastTs: new Date(now).toISOString(),
        sameTsCount: 1,
      };
      expect(store.auditCalls.append(null, cursor, rows, new Date(now).toISOString())).toBe(true);
    } finally {
      store.close();
    }

    await audit.collect();
    await expect(audit.empty).toHaveCount(0);
    const within = (ms: number) => rows.filter((r) => Date.parse(r.at) >= now - ms + MIN);
    // The default window: the last 24 hours, newest first.
    await expect(audit.rows).toHaveCount(within(24 * HOUR).length);
    await expect(audit.rows.first()).toHaveAttribute('data-member', 'bob');

    await audit.since('7d');
    const week = within(7 * 24 * HOUR);
    await expect(audit.rows).toHaveCount(week.length);
    const expected = perDay(week);
    await expect(audit.bars).toHaveCount(expected.size);
    for (const [key, v] of expected) {
      const [day = '', member = ''] = key.split(' ');
      const label = `${member} on ${day}: ${v.calls} ${v.calls === 1 ? 'call' : 'calls'}, ${v.errors} ${v.errors === 1 ? 'error' : 'errors'}`;
      await expect(audit.bar(member, day).locator('title')).toHaveText(label);
      await expect(audit.bar(member, day)).toHaveAttribute('aria-label', label);
    }

    await page.screenshot({ path: testInfo.outputPath('audit-week.png'), fullPage: true });

    // The CSV is the CLI's text of the rows shown (oldest first), a formula cell neutralised.
    const download = await audit.exportCsv();
    const csv = readFileSync((await download.path()) ?? '', 'utf8');
    const shown: AuditCallView[] = [...week]
      .sort((a, b) => (a.at < b.at ? -1 : 1))
      .map((r) => ({ ...r, collectedAt: '' }));
    expect(csv).toBe(auditCsv(shown));
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv.split('\r\n')).toHaveLength(week.length + 2);

    // Each filter narrows the table (and the chart, by server and member).
    await audit.member('alice');
    await expect(audit.rows).toHaveCount(week.filter((r) => r.member === 'alice').length);
    await expect(page.locator('[data-testid="audit-row"][data-member="bob"]')).toHaveCount(0);
    await expect(page.locator('[data-testid="usage-bar"][data-member="bob"]')).toHaveCount(0);
    await expect(audit.bars).toHaveCount(perDay(week.filter((r) => r.member === 'alice')).size);

    await audit.member('');
    await audit.server('files');
    const files = week.filter((r) => r.server === 'files');
    await expect(audit.rows).toHaveCount(files.length);
    await expect(audit.bars).toHaveCount(perDay(files).size);
    await audit.tool('read_file');
    await expect(audit.rows).toHaveCount(files.filter((r) => r.target === 'read_file').length);

    await audit.server('');
    await audit.tool('');
    await audit.since('30d');
    await expect(audit.rows).toHaveCount(rows.length);
  } finally {
    await web?.stop();
    removeHome(home);
  }
});
