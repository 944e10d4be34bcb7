/**
 * The wizard with bad input at each step: every message is a plain sentence at the field (or from the
 * services, with its code), the Next button holds, and nothing reaches the store.
 */
import { expect, test, type APIRequestContext } from '@playwright/test';
import { readTestbed, TESTBED_MISSING_REASON } from '../fixtures/env';
import { AppShell } from '../pages/app-shell';
import { HostsPage } from '../pages/hosts-page';
import { WizardPage } from '../pages/wizard-page';
import { freshHome, removeHome, startServe, type Served } from './support/serve';

async function listed(request: APIRequestContext, web: Served, channel: string): Promise<unknown> {
  const res = await request.post(`${web.url}api/call/${channel}`, {
    data: {},
    headers: { Authorization: `Bearer ${web.token}` },
  });
  return ((await res.json()) as { data: unknown }).data;
}

test('bad input at every wizard step is explained and stored nowhere', async ({ page, request }, info) => {
  test.setTimeout(3 * 60_000);
  const tb = readTestbed();
  test.skip(!tb, TESTBED_MISSING_REASON);
  if (!tb) return;
  const home = freshHome();
  let web: Served | undefined;
  try {
    web = await startServe(home, { passphrase: 'bad input passphrase' });
    const shell = new AppShell(page);
    const wizard = new WizardPage(page);
    await page.goto(web.loginUrl);
    await shell.waitState('loaded');
    await wizard.open();

    // Step 0: an import that is empty, not JSON, defines nothing, or names an entry badly.
    await page.getByTestId('wizard-start-import').check();
    await page.getByTestId('wizard-import').click();
    await expect(page.getByTestId('wizard-import-text-error')).toContainText('File contents is required');
    await page.getByTestId('wizard-import-text').fill('mcpServers: memory');
    await expect(page.getByTestId('wizard-import-text-error')).toContainText('must be a JSON object');
    await page.getByTestId('wizard-import-text').fill('{ "mcpServers": {} }');
    await page.getByTestId('wizard-import').click();
    await expect(page.getByTestId('wizard-import-error')).toContainText('defines no servers');
    await page.getByTestId('wizard-import-entry').fill('bad name!');
    await expect(page.getByTestId('wizard-import-entry-error')).toContainText('must be 1-63 characters');
    await page.screenshot({ path: info.outputPath('bad-0-import.png') });

    // Step 1: every field of the definition, and the members.
    await page.getByTestId('wizard-start-blank').check();
    await wizard.next.click();
    await expect(wizard.step(1)).toBeVisible();
    await wizard.fillServer({
      name: '-bad',
      source: { kind: 'npx', value: '' },
      env: [
        { key: '1KEY', value: 'x' },
        { key: 'TOKEN', value: 'a' },
        { key: 'TOKEN', value: 'b' },
      ],
      mode: 'dedicated',
      port: 70000,
    });
    await page.getByTestId('server-version').fill('1.0 beta');
    await wizard.next.click();
    await expect(page.getByTestId('server-name-error')).toContainText('Name must be 1-63 characters');
    await expect(page.getByTestId('server-sourceValue-error')).toContainText('Package must not be empty');
    await expect(page.getByTestId('server-version-error')).toContainText('Version must be letters, digits');
    await expect(page.getByTestId('server-port-error')).toContainText('Port must be at most 65535');
    await expect(page.getByTestId('server-env-error-0')).toContainText(
      'Name must be letters, digits and "_"',
    );
    await expect(page.getByTestId('server-env-error-2')).toContainText('is already set above');
    await expect(wizard.step(1)).toBeVisible();
    await page.getByTestId('server-name').fill('memory');
    await page.getByTestId('server-sourceValue').fill('@modelcontextprotocol/server-memory');
    await page.getByTestId('server-version').fill('2026.8.31');
    await page.getByTestId('server-port').fill('');
    await page.getByTestId('server-env-remove-2').click();
    await page.getByTestId('server-env-remove-0').click();
    await wizard.next.click();
    await expect(page.getByTestId('wizard-members-missing')).toContainText('add at least one member');
    await wizard.addMembers(['alice', 'alice']);
    await wizard.next.click();
    await expect(page.getByTestId('wizard-member-error-1')).toContainText('is already a member above');
    await page.getByTestId('wizard-member-name-1').fill('b c');
    await expect(page.getByTestId('wizard-member-error-1')).toContainText('must be 1-63 characters');
    await page.screenshot({ path: info.outputPath('bad-1-configure.png') });
    expect(await listed(request, web, 'servers:list')).toEqual([]);

    // Going back and forth keeps what was typed.
    await wizard.back.click();
    await expect(wizard.step(0)).toBeVisible();
    await wizard.next.click();
    await expect(page.getByTestId('server-name')).toHaveValue('memory');
    await expect(page.getByTestId('wizard-member-name-0')).toHaveValue('alice');

    await page.getByTestId('wizard-member-name-1').fill('bob');
    await wizard.next.click();
    await expect(wizard.step(2)).toBeVisible();

    // Step 2: a host form with bad fields, then a host whose password is wrong.
    const hosts = new HostsPage(page);
    await hosts.fill({
      kind: 'password',
      name: 'lab 1',
      user: 'ops',
      address: 'db 1',
      port: 0,
      password: '',
    });
    await hosts.submit();
    await expect(hosts.fieldError('name')).toContainText('Name must be 1-63 characters');
    await expect(hosts.fieldError('address')).toContainText('must be a host name or an IP address');
    await expect(hosts.fieldError('port')).toContainText('Port must be at least 1');
    await expect(hosts.fieldError('password')).toContainText('Password must not be empty');
    expect(await listed(request, web, 'hosts:list')).toEqual([]);
    await hosts.fill({
      kind: 'password',
      name: 'wrong-password',
      user: tb.ssh.username,
      address: tb.ssh.host,
      port: tb.ssh.port,
      password: 'not-the-password',
    });
    await hosts.submit();
    await expect(page.getByTestId('wizard-check-problem')).toContainText('Fix the problem above', {
      timeout: 60_000,
    });
    await expect(page.getByTestId('wizard-check-result-error')).toContainText('login refused');
    await expect(wizard.next).toBeDisabled();
    await page.screenshot({ path: info.outputPath('bad-2-environment.png') });

    // The definition reached the store only when step 1 was left with valid input.
    const servers = (await listed(request, web, 'servers:list')) as { name: string }[];
    expect(servers.map((s) => s.name)).toEqual(['memory']);
  } finally {
    await web?.stop();
    removeHome(home);
  }
});
