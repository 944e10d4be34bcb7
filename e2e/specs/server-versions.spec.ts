/**
 * Versions of npx servers through the UI against the real services (web mode, a fresh store) and an HTTP
 * package registry (the boundary): a local stand-in speaking npm's packument JSON, named to the services
 * as npm is told its registry (npm_config_registry). The wizard fills the version the registry names,
 * holds Next with a plain sentence when the registry cannot name one, and the Servers page marks a server
 * whose registry has a newer version.
 */
import { expect, test, type APIRequestContext } from '@playwright/test';
import { startRegistryStub, type RegistryStub } from '../../src-main/test-support/registry-stub';
import { AppShell } from '../pages/app-shell';
import { ServersPage } from '../pages/servers-page';
import { WizardPage } from '../pages/wizard-page';
import { freshHome, removeHome, startServe, type Served } from './support/serve';

const PACKAGE = '@acme/notes-server';

async function call(request: APIRequestContext, web: Served, channel: string, data: unknown = {}) {
  const res = await request.post(`${web.url}api/call/${channel}`, {
    data,
    headers: { Authorization: `Bearer ${web.token}` },
  });
  return (await res.json()) as { ok: boolean; data: unknown };
}

test('the wizard pins the latest version, refuses to go on without one, and the list shows a newer one', async ({
  page,
  request,
}, info) => {
  const home = freshHome();
  let stub: RegistryStub | undefined;
  let web: Served | undefined;
  try {
    stub = await startRegistryStub({
      npm: { [PACKAGE]: { tags: { latest: '1.2.0' }, versions: ['1.0.0', '1.2.0'] } },
    });
    web = await startServe(home, {
      passphrase: 'server versions passphrase',
      env: { npm_config_registry: stub.npm, UV_DEFAULT_INDEX: stub.pypi },
    });
    const shell = new AppShell(page);
    const wizard = new WizardPage(page);
    await page.goto(web.loginUrl);
    await shell.waitState('loaded');

    await wizard.open();
    await wizard.startBlank();
    await wizard.fillServer({ name: 'notes', source: { kind: 'npx', value: PACKAGE }, mode: 'shared' });
    const version = page.getByTestId('server-version');
    await expect(version).toHaveValue('1.2.0');
    await expect(page.locator('#server-version-msg')).toContainText(`The latest on ${stub.npm}`);

    // A package the registry does not have: no version to fill, and Next holds with the reason.
    await page.getByTestId('server-sourceValue').fill('@acme/no-such-server');
    await expect(version).toHaveValue('');
    await expect(page.getByTestId('server-version-error')).toContainText(
      'Version is needed: could not resolve the latest version of @acme/no-such-server',
    );
    await wizard.next.click();
    await expect(wizard.step(1)).toBeVisible();
    await expect(version).toBeFocused();
    await page.screenshot({ path: info.outputPath('version-unresolved.png'), fullPage: true });
    expect((await call(request, web, 'servers:list')).data).toEqual([]);

    await page.getByTestId('server-sourceValue').fill(PACKAGE);
    await expect(version).toHaveValue('1.2.0');
    await wizard.next.click();
    await expect(wizard.step(2)).toBeVisible();
    const stored = (await call(request, web, 'servers:list')).data as { source: { value: string } }[];
    expect(stored.map((s) => s.source.value)).toEqual([`${PACKAGE}@1.2.0`]);

    // One pinned to an older version: the Servers page marks it, and only it.
    const old = await call(request, web, 'servers:add', {
      name: 'notes-old',
      source: { kind: 'npx', value: `${PACKAGE}@1.0.0` },
      mode: 'shared',
    });
    expect(old.ok).toBe(true);
    await shell.open('servers');
    const servers = new ServersPage(page);
    await expect(servers.row('notes-old').getByTestId('server-update-notes-old')).toHaveText(
      '1.2.0 available',
    );
    await expect(servers.row('notes')).toBeVisible();
    await expect(page.getByTestId('server-update-notes')).toHaveCount(0);
    await page.screenshot({ path: info.outputPath('servers-outdated.png'), fullPage: true });
  } finally {
    await web?.stop();
    await stub?.close();
    removeHome(home);
  }
});
