/**
 * Web mode started without MCP_FLEET_PASSPHRASE: the URL is printed at once, the store waits locked,
 * and the operator creates (later: types) its passphrase in the browser.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { AppShell } from '../pages/app-shell';
import { HostsPage } from '../pages/hosts-page';
import { UnlockPage } from '../pages/unlock-page';
import { freshHome, removeHome, startServe, type Served } from './support/serve';

const PASSPHRASE = 'e2e unlock passphrase, four words';

test('creates the store from the browser, then unlocks it after a restart', async ({
  page,
  request,
}, testInfo) => {
  const home = freshHome();
  let web: Served | undefined;
  try {
    web = await startServe(home);
    const locked = await request.post(`${web.url}api/call/hosts:list`, {
      data: {},
      headers: { Authorization: `Bearer ${web.token}` },
    });
    expect(await locked.json()).toEqual({
      ok: false,
      error: { code: 'store_locked', message: 'the store is locked: unlock it in the app' },
    });

    const shell = new AppShell(page);
    const unlock = new UnlockPage(page);
    await page.goto(web.loginUrl);
    await shell.waitState('locked');
    await expect(unlock.root).toHaveAttribute('data-unlock-mode', 'create');
    await expect(unlock.root).toContainText('Create a passphrase');

    await unlock.create('short', 'short');
    await expect(unlock.passphraseError).toContainText('at least 8 characters');
    await unlock.create(PASSPHRASE, PASSPHRASE + 'x');
    await expect(unlock.confirmError).toContainText('differ');
    expect(existsSync(join(home, 'fleet.db'))).toBe(false);
    await page.screenshot({ path: testInfo.outputPath('create-passphrase.png') });

    await unlock.create(PASSPHRASE);
    await shell.waitState('loaded');
    await shell.open('hosts');
    await expect(new HostsPage(page).empty).toBeVisible();
    await expect(page.getByTestId('connection-state')).toContainText('live');
    expect(existsSync(join(home, 'fleet.db'))).toBe(true);

    // A restart finds the store and asks for its passphrase; a wrong one is refused.
    await web.stop();
    web = await startServe(home);
    await page.goto(web.loginUrl);
    await shell.waitState('locked');
    await expect(unlock.root).toHaveAttribute('data-unlock-mode', 'unlock');
    await expect(unlock.confirm).toHaveCount(0);
    await unlock.unlock('not the passphrase');
    await expect(unlock.error).toContainText('wrong passphrase');
    await expect(unlock.error).toContainText('store_locked');
    await shell.waitState('locked');
    await page.screenshot({ path: testInfo.outputPath('unlock-wrong.png') });

    await unlock.unlock(PASSPHRASE);
    await shell.waitState('loaded');
    await shell.open('hosts');
    await expect(new HostsPage(page).empty).toBeVisible();
  } finally {
    await web?.stop();
    removeHome(home);
  }
});
