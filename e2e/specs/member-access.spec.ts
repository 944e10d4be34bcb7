/**
 * What each member may use and the server's bridge settings, through the UI against the real services
 * (web mode, a fresh store): the wizard's members step with tools / resources / prompts and the
 * advanced roots and caps, the members panel (add, edit through members:set), and the server page's
 * bridge settings (servers:set). Nothing is deployed: a server that runs nowhere takes every change at
 * once, and the deploys that would carry it are what the deploy suites test.
 */
import { randomBytes } from 'node:crypto';
import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { AppShell } from '../pages/app-shell';
import { WizardPage } from '../pages/wizard-page';
import { freshHome, removeHome, startServe, type Served } from './support/serve';

async function call(request: APIRequestContext, web: Served, channel: string, data: unknown = {}) {
  const res = await request.post(`${web.url}api/call/${channel}`, {
    data,
    headers: { Authorization: `Bearer ${web.token}` },
  });
  return ((await res.json()) as { data: unknown }).data;
}

/** Picks All, Selected or None for one of a member's access lists inside `scope`. */
async function choose(scope: Locator, list: 'Tools' | 'Resources' | 'Prompts', choice: string) {
  await scope.getByRole('radiogroup', { name: list }).getByText(choice, { exact: true }).click();
  await expect(
    scope.getByRole('radiogroup', { name: list }).getByRole('radio', { name: choice }),
  ).toBeChecked();
}

async function openServer(page: Page, shell: AppShell, name: string): Promise<void> {
  await shell.open('servers');
  await page.getByTestId(`server-link-${name}`).click();
  await expect(page.getByTestId('members-panel')).toBeVisible();
}

test('member access and bridge settings: checked in the form, saved by members:set and servers:set', async ({
  page,
  request,
}, info) => {
  test.setTimeout(2 * 60_000);
  const server = `access-${randomBytes(2).toString('hex')}`;
  const home = freshHome();
  let web: Served | undefined;
  try {
    web = await startServe(home, { passphrase: 'member access passphrase' });
    const shell = new AppShell(page);
    const wizard = new WizardPage(page);
    await page.setViewportSize({ width: 1360, height: 900 });
    await page.goto(web.loginUrl);
    await shell.waitState('loaded');

    // The wizard: a Shared server with a root and a cap, one member with selected tools and no prompts.
    await wizard.open();
    await wizard.startBlank();
    await wizard.fillServer({
      name: server,
      source: { kind: 'npx', value: '@modelcontextprotocol/server-everything' },
      mode: 'shared',
    });
    // Pinned here, so no registry is asked for the latest.
    await page.getByTestId('server-version').fill('2026.8.31');
    await page.getByTestId('server-advanced').locator('summary').click();
    await page.getByRole('button', { name: '+ Add root' }).click();
    await page.getByLabel('Root 1 URI').fill('file:///srv/shared');
    await page.getByLabel('Root 1 name').fill('shared');
    await page.getByLabel('Member sessions').fill('4');
    await wizard.addMembers(['ops']);
    const ops = page.getByRole('group', { name: 'Member 1' });
    await choose(ops, 'Tools', 'Selected');
    await ops.getByLabel('Tool patterns').fill('echo, get_*');
    await choose(ops, 'Prompts', 'None');

    // A resource pattern with a space is refused at its field, and Next stores nothing.
    await choose(ops, 'Resources', 'Selected');
    await ops.getByLabel('Resource patterns').fill('file:///my docs/*');
    const resourceError = ops.getByTestId('wizard-member-0-resources-patterns-error');
    await expect(resourceError).toContainText('must not hold spaces');
    await wizard.next.click();
    await expect(wizard.step(1)).toBeVisible();
    await expect(ops.getByLabel('Resource patterns')).toBeFocused();
    await page.screenshot({ path: info.outputPath('wizard-bad-resource.png'), fullPage: true });
    expect(await call(request, web, 'servers:list')).toEqual([]);

    await ops.getByLabel('Resource patterns').fill('file:///docs/*');
    await expect(resourceError).toHaveCount(0);
    await wizard.next.click();
    await expect(wizard.step(2)).toBeVisible();

    // The server's page lists what the wizard stored.
    await openServer(page, shell, server);
    await expect(page.getByTestId('member-tools-ops')).toHaveText('echo, get_*');
    await expect(page.getByTestId('member-resources-ops')).toHaveText('file:///docs/*');
    await expect(page.getByTestId('member-prompts-ops')).toHaveText('none');
    await expect(page.getByTestId('member-limits-ops')).toHaveText("server's");
    await expect(page.getByTestId('server-definition-roots')).toHaveText('file:///srv/shared (shared)');
    await expect(page.getByTestId('server-definition-caps')).toHaveText('Member sessions 4');

    // Adding a member: a bad resource pattern first (nothing sent), then resources None, prompts Selected.
    const add = page.getByRole('form', { name: 'Add a member' });
    await add.getByLabel('New member name').fill('bob');
    await choose(add, 'Resources', 'Selected');
    await add.getByLabel('Resource patterns').fill('file:///team notes/*');
    await expect(add.getByTestId('member-add-resources-patterns-error')).toContainText('must not hold');
    await add.getByRole('button', { name: 'Add member' }).click();
    await expect(add.getByLabel('Resource patterns')).toBeFocused();
    expect(await call(request, web, 'members:list', { server })).toHaveLength(1);

    await choose(add, 'Resources', 'None');
    await choose(add, 'Prompts', 'Selected');
    await add.getByLabel('Prompt patterns').fill('summarise\nreview_*');
    await add.getByLabel('Sessions').fill('2');
    await add.getByLabel('Requests/s').fill('1.5');
    await add.getByRole('button', { name: 'Add member' }).click();
    await expect(page.getByTestId('member-token-value')).not.toBeEmpty();
    await expect(page.getByTestId('member-tools-bob')).toHaveText('all');
    await expect(page.getByTestId('member-resources-bob')).toHaveText('none');
    await expect(page.getByTestId('member-prompts-bob')).toHaveText('summarise, review_*');
    await expect(page.getByTestId('member-limits-bob')).toHaveText('sessions 2 · 1.5 req/s');

    // Editing ops: prefilled with what is stored; tools to None, saved through members:set.
    await page.getByRole('button', { name: 'Edit ops' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit ops' });
    await expect(edit.getByLabel('Tool patterns')).toHaveValue('echo\nget_*');
    await expect(
      edit.getByRole('radiogroup', { name: 'Prompts' }).getByRole('radio', { name: 'None' }),
    ).toBeChecked();
    await choose(edit, 'Tools', 'None');
    await edit.getByLabel('In flight').fill('3');
    const setCall = page.waitForRequest((r) => r.url().endsWith('/api/call/members:set'));
    await edit.getByRole('button', { name: 'Save' }).click();
    expect((await setCall).postDataJSON()).toMatchObject({
      server,
      name: 'ops',
      tools: [],
      resources: ['file:///docs/*'],
      prompts: [],
      limits: { inflight: 3 },
    });
    await expect(edit.getByTestId('member-edit-done')).toContainText('Nothing runs yet');
    await edit.getByRole('button', { name: 'Close' }).last().click();
    await expect(edit).toHaveCount(0);
    await expect(page.getByTestId('member-tools-ops')).toHaveText('none');
    await expect(page.getByTestId('member-limits-ops')).toHaveText('in flight 3');

    // Bridge settings: prefilled from the wizard; a bad root and caps that contradict are refused.
    const bridge = page.getByRole('form', { name: 'Bridge settings' });
    await expect(bridge.getByLabel('Root 1 URI')).toHaveValue('file:///srv/shared');
    await expect(bridge.getByLabel('Member sessions')).toHaveValue('4');
    await bridge.getByRole('button', { name: '+ Add root' }).click();
    await bridge.getByLabel('Root 2 URI').fill('https://example.com/data');
    await expect(bridge.getByTestId('bridge-root-error-1')).toContainText('must be a file:// URI');
    await bridge.getByLabel('Max connections', { exact: true }).fill('50');
    await bridge.getByLabel('Max connections per source').fill('80');
    await expect(bridge.getByTestId('bridge-caps.maxConnectionsPerSource-error')).toContainText(
      'must not be above Max connections (50)',
    );
    const save = bridge.getByRole('button', { name: 'Save bridge settings' });
    await save.click();
    await expect(bridge.getByLabel('Root 2 URI')).toBeFocused();

    await bridge.getByLabel('Root 2 URI').fill('file:///srv/data');
    await bridge.getByLabel('Root 2 name').fill('data');
    await bridge.getByLabel('Max connections per source').fill('10');
    await bridge.getByLabel('Member sessions').fill('');
    await bridge.getByRole('button', { name: 'Remove root 1' }).click();
    await save.click();
    await expect(page.getByTestId('bridge-settings-done')).toContainText('Nothing runs yet');
    await expect(save).toBeDisabled();
    await expect(bridge.getByLabel('Root 1 URI')).toHaveValue('file:///srv/data');
    expect(await call(request, web, 'servers:show', { name: server })).toMatchObject({
      roots: [{ uri: 'file:///srv/data', name: 'data' }],
      bridgeLimits: { maxConnections: 50, maxConnectionsPerSource: 10 },
    });

    // After a reload, the page shows what is stored.
    await page.reload();
    await shell.waitState('loaded');
    await expect(bridge.getByLabel('Root 1 URI')).toHaveValue('file:///srv/data');
    await expect(bridge.getByLabel('Root 1 name')).toHaveValue('data');
    await expect(bridge.getByLabel('Root 2 URI')).toHaveCount(0);
    await expect(bridge.getByLabel('Member sessions')).toHaveValue('');
    await expect(bridge.getByLabel('Max connections', { exact: true })).toHaveValue('50');
    await expect(bridge.getByLabel('Max connections per source')).toHaveValue('10');
    await expect(page.getByTestId('server-definition-roots')).toHaveText('file:///srv/data (data)');
    await expect(page.getByTestId('server-definition-caps')).toHaveText(
      'Max connections 50 · Max connections per source 10',
    );
    await expect(page.getByTestId('member-tools-ops')).toHaveText('none');
    await page.screenshot({ path: info.outputPath('server-page.png'), fullPage: true });
  } finally {
    await web?.stop();
    removeHome(home);
  }
});
