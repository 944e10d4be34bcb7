/**
 * The Store page in web mode: a backup downloads, a restore of it takes back what changed since (the
 * session goes on), a foreign file is refused, and a passphrase change is what the next start asks for.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { AppShell } from '../pages/app-shell';
import { HostsPage } from '../pages/hosts-page';
import { StorePage } from '../pages/store-page';
import { UnlockPage } from '../pages/unlock-page';
import { freshHome, removeHome, startServe, type Served } from './support/serve';

const PASSPHRASE = 'e2e store passphrase, four words';
const NEW_PASSPHRASE = 'e2e the new passphrase, five words';

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

test('backs up, restores, refuses a foreign file and changes the passphrase', async ({ page }, testInfo) => {
  const home = freshHome();
  let web: Served | undefined;
  try {
    web = await startServe(home, { passphrase: PASSPHRASE });
    const shell = new AppShell(page);
    const hosts = new HostsPage(page);
    const store = new StorePage(page);
    const addLocal = async (name: string) => {
      await shell.open('hosts');
      await hosts.startAdding();
      await hosts.fill({ kind: 'local', name });
      await hosts.submit();
      await expect(hosts.row(name)).toBeVisible();
    };
    await page.goto(web.loginUrl);
    await shell.waitState('loaded');
    await addLocal('lab');

    await store.open();
    const download = await store.backUp();
    await expect(store.backupSaved).toContainText(download.suggestedFilename());
    const backup = testInfo.outputPath(download.suggestedFilename());
    await download.saveAs(backup);
    expect(readFileSync(backup).subarray(0, 17).toString()).toBe('MCP-FLEET-BACKUP ');

    await addLocal('later');
    await store.open();
    const notes = testInfo.outputPath('notes.txt');
    writeFileSync(notes, 'not a backup\n');
    const before = sha(join(home, 'fleet.db'));
    await store.restore(notes);
    await expect(store.restoreError).toContainText('not an MCP Fleet store');
    expect(sha(join(home, 'fleet.db'))).toBe(before);

    await store.restore(backup);
    await expect(store.restoreDone).toContainText('fleet.db.before-restore-');
    await page.screenshot({ path: testInfo.outputPath('restored.png') });
    await shell.open('hosts');
    await expect(hosts.row('lab')).toBeVisible();
    await expect(hosts.row('later')).toHaveCount(0);

    await store.open();
    await store.changePassphrase(PASSPHRASE, NEW_PASSPHRASE, 'something else');
    await expect(store.repeatError).toContainText('differs');
    await store.changePassphrase('not the passphrase', NEW_PASSPHRASE);
    await expect(store.passphraseError).toContainText('current passphrase is wrong');
    await store.changePassphrase(PASSPHRASE, NEW_PASSPHRASE);
    await expect(store.passphraseDone).toContainText('The passphrase is changed');

    // The next start asks for the new passphrase; the old one no longer opens the store.
    await web.stop();
    web = await startServe(home);
    const unlock = new UnlockPage(page);
    await page.goto(web.loginUrl);
    await shell.waitState('locked');
    await unlock.unlock(PASSPHRASE);
    await expect(unlock.error).toContainText('wrong passphrase');
    await unlock.unlock(NEW_PASSPHRASE);
    await shell.waitState('loaded');
    await shell.open('hosts');
    await expect(hosts.row('lab')).toBeVisible();
  } finally {
    await web?.stop();
    removeHome(home);
  }
});
