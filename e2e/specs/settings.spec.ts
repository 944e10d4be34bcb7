/**
 * The Settings page in web mode: a bad value is refused with the key named and nothing changes, a fleet
 * value and a host's override show with where they come from, unset falls back, and an environment
 * variable shows as the override it is.
 */
import { expect, test } from '@playwright/test';
import { AppShell } from '../pages/app-shell';
import { HostsPage } from '../pages/hosts-page';
import { SettingsPage } from '../pages/settings-page';
import { freshHome, removeHome, startServe, type Served } from './support/serve';

test('sets and unsets settings for the fleet and per host', async ({ page }, testInfo) => {
  const home = freshHome();
  let web: Served | undefined;
  try {
    web = await startServe(home, {
      passphrase: 'e2e settings passphrase, four words',
      env: { MCP_FLEET_BASE_IMAGE: '', MCP_FLEET_WITH_UV: '0' },
    });
    const shell = new AppShell(page);
    const hosts = new HostsPage(page);
    const settings = new SettingsPage(page);
    await page.goto(web.loginUrl);
    await shell.waitState('loaded');
    await shell.open('hosts');
    await hosts.startAdding();
    await hosts.fill({ kind: 'local', name: 'lab' });
    await hosts.submit();
    await expect(hosts.row('lab')).toBeVisible();

    await settings.open();
    await expect(settings.value('base-image')).toHaveText('node:22-bookworm-slim');
    await expect(settings.source('base-image')).toHaveAttribute('data-source', 'default');
    await expect(settings.source('uv')).toHaveAttribute('data-source', 'environment');
    await expect(settings.source('uv')).toContainText('MCP_FLEET_WITH_UV');

    await settings.set('npm-registry', 'http://npm.example/');
    await expect(settings.error('npm-registry')).toContainText('npm-registry must be an https URL');
    await expect(settings.source('npm-registry')).toHaveAttribute('data-source', 'default');

    await settings.set('base-image', 'registry.example:5000/node:22');
    await expect(settings.value('base-image')).toHaveText('registry.example:5000/node:22');
    await expect(settings.source('base-image')).toHaveAttribute('data-source', 'fleet');

    await settings.scope('lab');
    await expect(settings.source('base-image')).toHaveAttribute('data-source', 'fleet');
    await settings.set('base-image', 'lab-mirror.example/node:22');
    await expect(settings.value('base-image')).toHaveText('lab-mirror.example/node:22');
    await expect(settings.source('base-image')).toHaveAttribute('data-source', 'host');
    await page.screenshot({ path: testInfo.outputPath('settings-host.png') });

    await settings.scope(null);
    await expect(settings.value('base-image')).toHaveText('registry.example:5000/node:22');
    await settings.scope('lab');
    await settings.unset('base-image');
    await expect(settings.value('base-image')).toHaveText('registry.example:5000/node:22');
    await expect(settings.source('base-image')).toHaveAttribute('data-source', 'fleet');
  } finally {
    await web?.stop();
    removeHome(home);
  }
});
