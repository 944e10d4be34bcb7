/**
 * Step 0 of the wizard with a real client configuration: the services import every entry, the wizard
 * carries the chosen one to step 1, and the file's secret-looking values arrive as secrets.
 */
import { expect, test } from '@playwright/test';
import { AppShell } from '../pages/app-shell';
import { ServersPage } from '../pages/servers-page';
import { WizardPage } from '../pages/wizard-page';
import { freshHome, removeHome, startServe, type Served } from './support/serve';

const CLAUDE_CONFIG = JSON.stringify(
  {
    mcpServers: {
      memory: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory@2026.8.31'] },
      everything: {
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-everything@2026.8.31'],
        env: { API_KEY: 'sk-import-secret-value', LOG_LEVEL: 'info' },
      },
    },
  },
  null,
  2,
);

test('imports a claude_desktop_config.json and continues with the chosen server', async ({ page }, info) => {
  const home = freshHome();
  let web: Served | undefined;
  try {
    web = await startServe(home, { passphrase: 'import passphrase' });
    const shell = new AppShell(page);
    const wizard = new WizardPage(page);
    await page.goto(web.loginUrl);
    await shell.waitState('loaded');
    await wizard.open();
    await wizard.importText(CLAUDE_CONFIG, 'dedicated');
    const result = page.getByTestId('wizard-import-result');
    await expect(result).toContainText('Imported 2 servers');
    await page.getByTestId('wizard-imported-everything').check();
    await page.screenshot({ path: info.outputPath('import-0.png') });
    await wizard.next.click();

    await expect(wizard.step(1)).toBeVisible();
    const definition = page.getByTestId('server-definition');
    await expect(definition).toContainText('@modelcontextprotocol/server-everything@2026.8.31');
    await expect(definition).toContainText('API_KEY=••••');
    await expect(definition).toContainText('LOG_LEVEL=info');
    await expect(definition).toContainText('dedicated');
    await expect(page.getByText('sk-import-secret-value')).toHaveCount(0);
    // A Dedicated server needs its members before it can run.
    await wizard.next.click();
    await expect(page.getByTestId('wizard-members-missing')).toBeVisible();
    await wizard.addMembers(['carol']);
    await wizard.next.click();
    await expect(wizard.step(2)).toBeVisible();

    await shell.open('servers');
    const servers = new ServersPage(page);
    await expect(servers.row('memory')).toContainText('dedicated');
    await page.getByTestId('server-link-everything').click();
    await expect(page.getByTestId('member-row-carol')).toBeVisible();
  } finally {
    await web?.stop();
    removeHome(home);
  }
});
