/**
 * Changing a server's mode in the server page's Edit dialog, against the real services (web mode, a
 * fresh store): Shared to Dedicated is refused in place while the server has roots, the roots are
 * dropped on request, the change is shown first (a dry run that saves nothing) and saved on Apply.
 * Nothing is deployed: the rollout is what the engine test of servers set --mode covers.
 */
import { randomBytes } from 'node:crypto';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { AppShell } from '../pages/app-shell';
import { freshHome, removeHome, startServe, type Served } from './support/serve';

async function call(request: APIRequestContext, web: Served, channel: string, data: unknown = {}) {
  const res = await request.post(`${web.url}api/call/${channel}`, {
    data,
    headers: { Authorization: `Bearer ${web.token}` },
  });
  const body = (await res.json()) as { ok: boolean; data: unknown; error?: { message: string } };
  if (!body.ok) throw new Error(`${channel}: ${body.error?.message ?? res.status()}`);
  return body.data;
}

test('server mode: refused in place while roots are there, shown first, saved on Apply', async ({
  page,
  request,
}) => {
  test.setTimeout(2 * 60_000);
  const server = `mode-${randomBytes(2).toString('hex')}`;
  const home = freshHome();
  let web: Served | undefined;
  try {
    web = await startServe(home, { passphrase: 'server mode passphrase' });
    await call(request, web, 'servers:add', {
      name: server,
      source: { kind: 'npx', value: '@modelcontextprotocol/server-filesystem@2026.1.14' },
      mode: 'shared',
      port: 18441,
      roots: [{ uri: 'file:///srv/docs' }],
    });
    await call(request, web, 'members:add', { server, name: 'alice' });
    const shell = new AppShell(page);
    await page.goto(web.loginUrl);
    await shell.waitState('loaded');
    await shell.open('servers');
    await page.getByTestId(`server-link-${server}`).click();
    await page.getByRole('button', { name: `Edit ${server}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit ${server}` });
    await expect(edit.getByTestId('server-edit-port')).toHaveValue('18441');

    await edit.getByTestId('server-edit-mode-dedicated').click();
    await expect(edit.getByTestId('server-edit-mode-error')).toContainText('1 root(s)');
    await expect(edit.getByTestId('server-edit-port')).toHaveCount(0);
    const sets: unknown[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/call/servers:set')) sets.push(r.postDataJSON());
    });
    await edit.getByRole('button', { name: 'Review the mode change' }).click();
    await expect(edit.getByTestId('server-edit-mode-error')).toBeVisible();
    expect(sets).toEqual([]);

    await edit.getByTestId('server-edit-drop-roots').check();
    await expect(edit.getByTestId('server-edit-mode-error')).toHaveCount(0);
    const dryRun = page.waitForRequest((r) => r.url().endsWith('/api/call/servers:set'));
    await edit.getByRole('button', { name: 'Review the mode change' }).click();
    expect((await dryRun).postDataJSON()).toMatchObject({
      server,
      mode: 'dedicated',
      roots: [],
      dryRun: true,
    });
    await expect(edit.getByTestId('server-edit-mode-preview-plan')).toContainText(
      `mode of ${server}: Shared -> Dedicated`,
    );
    await expect(edit.getByTestId('server-edit-mode-preview-plan')).toContainText('runs nowhere yet');
    expect(await call(request, web, 'servers:show', { name: server })).toMatchObject({ mode: 'shared' });

    const applied = page.waitForRequest((r) => r.url().endsWith('/api/call/servers:set'));
    await edit.getByRole('button', { name: 'Apply' }).click();
    expect((await applied).postDataJSON()).toEqual({
      server,
      mode: 'dedicated',
      roots: [],
      streamId: expect.any(String) as unknown,
    });
    await expect(edit.getByTestId('server-edit-mode-change')).toContainText('Shared -> Dedicated');
    expect(await call(request, web, 'servers:show', { name: server })).toMatchObject({
      mode: 'dedicated',
      port: null,
      roots: [],
      memberCount: 1,
    });
  } finally {
    await web?.stop();
    removeHome(home);
  }
});
