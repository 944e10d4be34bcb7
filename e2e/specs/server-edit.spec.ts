/**
 * Changing a server after it was added, and installing a member's client entry, through the UI against
 * the real services (web mode, a fresh store): the wizard's host access, the server page's Edit dialog
 * (servers:set: arguments, environment with a write-only secret, port, mounts, networks, extra hosts),
 * a bad mount refused in place with nothing sent, and "Install in a client" (clients:install) writing
 * Cursor's file in the web server's home folder, a temporary one. Nothing is deployed: a server that
 * runs nowhere takes every change at once; the deploys that carry one are what the deploy suites test.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
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

/** Every servers:set the page sends, in order. */
function recordSets(page: Page): unknown[] {
  const sent: unknown[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/api/call/servers:set')) sent.push(r.postDataJSON());
  });
  return sent;
}

test('server edit and client install: checked in place, saved by servers:set, written by clients:install', async ({
  page,
  request,
}, info) => {
  test.setTimeout(4 * 60_000);
  const server = `edit-${randomBytes(2).toString('hex')}`;
  const secret = `sk-${randomBytes(12).toString('hex')}`;
  const newSecret = `sk-${randomBytes(12).toString('hex')}`;
  const home = freshHome();
  // The web server's home folder: where "this computer"'s client files are.
  const clientHome = mkdtempSync(join(tmpdir(), 'mcp-fleet-e2e-client-home-'));
  let web: Served | undefined;
  try {
    web = await startServe(home, {
      passphrase: 'server edit passphrase',
      env: { HOME: clientHome, XDG_CONFIG_HOME: join(clientHome, '.config') },
    });
    const shell = new AppShell(page);
    const wizard = new WizardPage(page);
    const sets = recordSets(page);
    await page.setViewportSize({ width: 1360, height: 900 });
    await page.goto(web.loginUrl);
    await shell.waitState('loaded');

    // The wizard: a Shared server with a plain and a secret variable, a pinned port, and host access.
    await wizard.open();
    await wizard.startBlank();
    await wizard.fillServer({
      name: server,
      source: { kind: 'npx', value: '@modelcontextprotocol/server-filesystem' },
      args: ['/data'],
      env: [
        { key: 'LOG_LEVEL', value: 'info' },
        { key: 'API_KEY', value: secret, secret: true },
      ],
      mode: 'shared',
      port: 18431,
    });
    // Pinned here, so no registry is asked for the latest.
    await page.getByTestId('server-version').fill('2026.1.14');
    await page.getByTestId('server-advanced').locator('summary').click();
    const wizardReach = page.getByTestId('server-reach');
    await wizardReach.getByRole('button', { name: '+ Add host folder' }).click();
    await wizardReach.getByLabel('Mount 1 host path').fill('/srv/wizard');
    await wizardReach.getByLabel('Mount 1 container path').fill('/data');
    await expect(wizardReach.getByTestId('server-mount-readonly-0')).toBeChecked();
    await wizardReach.getByLabel('Networks').fill('host');
    await expect(wizardReach.getByTestId('server-networks-error')).toContainText("Docker's own");
    await wizard.next.click();
    await expect(wizardReach.getByLabel('Networks')).toBeFocused();
    expect(await call(request, web, 'servers:list')).toEqual([]);
    await wizardReach.getByLabel('Networks').fill('');
    await wizard.addMembers(['alice']);
    await wizard.next.click();
    await expect(wizard.step(2)).toBeVisible();
    expect(await call(request, web, 'servers:show', { name: server })).toMatchObject({
      reach: {
        mounts: [{ kind: 'bind', source: '/srv/wizard', target: '/data', readOnly: true }],
        networks: [],
        extraHosts: [],
        allowDockerSocket: false,
      },
    });

    // The server's page shows the definition, host access included.
    await shell.open('servers');
    await page.getByTestId(`server-link-${server}`).click();
    await expect(page.getByTestId('server-definition-mounts')).toHaveText('/srv/wizard → /data (read-only)');

    // Edit: prefilled with what is stored; the secret is never sent to the page.
    await page.getByRole('button', { name: `Edit ${server}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit ${server}` });
    await expect(edit.getByTestId('server-edit-version')).toHaveValue('2026.1.14');
    await expect(edit.getByTestId('server-edit-args')).toHaveValue('/data');
    await expect(edit.getByLabel('LOG_LEVEL value')).toHaveValue('info');
    await expect(edit.getByLabel('API_KEY: stored secret')).toHaveValue('keep');
    await expect(edit.getByTestId('server-edit-port')).toHaveValue('18431');
    await expect(edit.getByLabel('Mount 1 host path')).toHaveValue('/srv/wizard');
    await expect(edit.getByRole('button', { name: 'Save' })).toBeDisabled();

    // A mount of the host's "/" and one with ".." are refused at the row; Save sends nothing.
    await edit.getByRole('button', { name: '+ Add host folder' }).click();
    await edit.getByLabel('Mount 2 host path').fill('/');
    await edit.getByLabel('Mount 2 container path').fill('/host');
    const mountError = edit.getByTestId('server-edit-mount-error-1');
    await expect(mountError).toContainText('host\'s "/" may not be mounted');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(edit.getByLabel('Mount 2 host path')).toBeFocused();
    await edit.getByLabel('Mount 2 host path').fill('../x');
    await expect(mountError).toContainText('must be an absolute host path');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(edit.getByLabel('Mount 2 host path')).toBeFocused();
    await page.screenshot({ path: info.outputPath('server-edit-bad-mount.png'), fullPage: true });
    expect(sets).toEqual([]);
    expect(await call(request, web, 'servers:show', { name: server })).toMatchObject({
      reach: { mounts: [{ source: '/srv/wizard' }] },
    });

    // The Docker socket is refused until allowed, and the warning says what allowing it means.
    await edit.getByLabel('Mount 2 host path').fill('/var/run/docker.sock');
    await edit.getByLabel('Mount 2 container path').fill('/var/run/docker.sock');
    await expect(mountError).toContainText('Allow the Docker socket');
    await edit.getByTestId('server-edit-allow-docker-socket').check();
    await expect(mountError).toHaveCount(0);
    await expect(edit.getByTestId('server-edit-docker-socket-warning')).toContainText('the whole host');
    await edit.getByRole('button', { name: 'Remove mount 2' }).click();
    await edit.getByTestId('server-edit-allow-docker-socket').uncheck();

    // The change: arguments, env (plain edited, secret replaced, one added, one removed), port, reach.
    await edit.getByTestId('server-edit-args').fill('/data\n/cache');
    await edit.getByLabel('LOG_LEVEL value').fill('debug');
    await edit.getByLabel('API_KEY: stored secret').selectOption('replace');
    await edit.getByLabel('API_KEY new secret value').fill(newSecret);
    await edit.getByRole('button', { name: '+ Add variable' }).click();
    await edit.getByLabel('Variable 3 name').fill('REGION');
    await edit.getByLabel('Variable 3 value').fill('eu-west');
    await edit.getByLabel('Mount 1 host path').fill('/srv/data');
    await edit.getByRole('button', { name: '+ Add volume' }).click();
    await edit.getByLabel('Mount 2 volume name').fill('cache');
    await edit.getByLabel('Mount 2 container path').fill('/cache');
    await expect(edit.getByTestId('server-edit-mount-readonly-1')).not.toBeChecked();
    await edit.getByLabel('Networks').fill('db-net');
    await edit.getByRole('button', { name: '+ Add extra host' }).click();
    await edit.getByLabel('Extra host 1 name').fill('db.internal');
    await edit.getByLabel('Extra host 1 address').fill('10.0.0.5');
    await edit.getByTestId('server-edit-port').fill('18432');
    const setCall = page.waitForRequest((r) => r.url().endsWith('/api/call/servers:set'));
    await edit.getByRole('button', { name: 'Save' }).click();
    const sent = (await setCall).postDataJSON() as Record<string, unknown>;
    expect(sent).toMatchObject({
      server,
      args: ['/data', '/cache'],
      port: 18432,
      reach: {
        mounts: [
          { kind: 'bind', source: '/srv/data', target: '/data', readOnly: true },
          { kind: 'volume', source: 'cache', target: '/cache', readOnly: false, shared: false },
        ],
        networks: ['db-net'],
        extraHosts: [{ name: 'db.internal', ip: '10.0.0.5' }],
        allowDockerSocket: false,
      },
    });
    expect(sent['env']).toHaveLength(3);
    expect(sent['env']).toEqual(
      expect.arrayContaining([
        { key: 'LOG_LEVEL', value: 'debug', secret: false },
        { key: 'API_KEY', value: newSecret, secret: true },
        { key: 'REGION', value: 'eu-west', secret: false },
      ]),
    );
    // Only what changed goes: the version stays, so no dry run and no version.
    expect(sent).not.toHaveProperty('version');
    expect(sent).not.toHaveProperty('dryRun');
    await expect(edit.getByTestId('server-edit-done')).toContainText('Nothing runs yet');
    await edit.getByRole('button', { name: 'Close' }).last().click();
    await expect(edit).toHaveCount(0);

    // The page shows what is stored; the new secret reaches the page only as "stored".
    await expect(page.getByTestId('server-definition-args')).toHaveText('/data /cache');
    await expect(page.getByTestId('server-definition-port')).toHaveText('18432');
    await expect(page.getByTestId('server-definition-env')).toContainText('LOG_LEVEL=debug');
    await expect(page.getByTestId('server-definition-env')).toContainText('REGION=eu-west');
    await expect(page.getByTestId('server-definition-env')).toContainText('API_KEY=••••');
    await expect(page.getByTestId('server-definition-mounts')).toContainText('/srv/data → /data (read-only)');
    await expect(page.getByTestId('server-definition-mounts')).toContainText(
      'volume cache → /cache (read-write)',
    );
    await expect(page.getByTestId('server-definition-networks')).toHaveText('db-net');
    await expect(page.getByTestId('server-definition-extra-hosts')).toHaveText('db.internal → 10.0.0.5');
    const shown = JSON.stringify(await call(request, web, 'servers:show', { name: server }));
    expect(shown).not.toContain(newSecret);
    expect(shown).not.toContain(secret);
    expect(await page.content()).not.toContain(newSecret);

    // A new version, a variable removed and the port back to automatic: the version's tools are asked
    // for first (a dry run that saves nothing), and only Apply saves.
    await page.getByRole('button', { name: `Edit ${server}` }).click();
    await edit.getByTestId('server-edit-version').fill('2026.1.15');
    await edit.getByRole('button', { name: 'Remove REGION' }).click();
    await edit.getByTestId('server-edit-port-mode-auto').click();
    const dryRun = page.waitForRequest((r) => r.url().endsWith('/api/call/servers:set'));
    await edit.getByRole('button', { name: 'Review the new version' }).click();
    expect((await dryRun).postDataJSON()).toMatchObject({ server, version: '2026.1.15', dryRun: true });
    await expect(edit.getByTestId('server-edit-preview')).toContainText('Nothing is saved yet');
    await expect(edit.getByTestId('server-edit-preview-diff')).toContainText('runs nowhere yet');
    expect(await call(request, web, 'servers:show', { name: server })).toMatchObject({
      source: { value: '@modelcontextprotocol/server-filesystem@2026.1.14' },
      port: 18432,
    });
    const applied = page.waitForRequest((r) => r.url().endsWith('/api/call/servers:set'));
    await edit.getByRole('button', { name: 'Apply' }).click();
    expect((await applied).postDataJSON()).toEqual({
      server,
      version: '2026.1.15',
      unsetEnv: ['REGION'],
      port: null,
      streamId: expect.any(String) as unknown,
    });
    await expect(edit.getByTestId('server-edit-done')).toBeVisible();
    await expect(edit.getByTestId('server-edit-tool-diff')).toContainText('2026.1.14');
    await edit.getByRole('button', { name: 'Close' }).last().click();
    await expect(page.getByTestId('server-definition-source')).toHaveText(
      '@modelcontextprotocol/server-filesystem@2026.1.15',
    );
    await expect(page.getByTestId('server-definition-port')).toHaveText('chosen at deploy');
    await expect(page.getByTestId('server-definition-env')).not.toContainText('REGION');

    // Client install needs a port the client can reach: pinned again through the API.
    await call(request, web, 'servers:set', { server, port: 18433 });

    // Cursor's file already holds another server: it stays, and a copy of the file is kept first.
    const cursorDir = join(clientHome, '.cursor');
    const cursorFile = join(cursorDir, 'mcp.json');
    mkdirSync(cursorDir, { recursive: true });
    const before = '{\n  "mcpServers": {\n    "other": { "url": "https://other.example/mcp" }\n  }\n}\n';
    writeFileSync(cursorFile, before);
    await page.getByRole('button', { name: "Install alice's entry in a client on this computer" }).click();
    const install = page.getByRole('dialog', { name: `Install ${server} for alice in a client` });
    await expect(install.getByTestId('client-install-web-note')).toContainText(
      'the machine running the MCP Fleet web server',
    );
    await install.getByTestId('client-install-format-cursor').check();
    await install.getByRole('button', { name: 'Install in Cursor' }).click();
    await expect(install.getByTestId('client-install-file')).toHaveText(cursorFile);
    const backup = (await install.getByTestId('client-install-backup').textContent()) ?? '';
    expect(backup.startsWith(`${cursorFile}.bak-`)).toBe(true);
    expect(readFileSync(backup, 'utf8')).toBe(before);
    const written = JSON.parse(readFileSync(cursorFile, 'utf8')) as {
      mcpServers: Record<string, { url: string; headers?: Record<string, string> }>;
    };
    expect(written.mcpServers['other']).toEqual({ url: 'https://other.example/mcp' });
    expect(written.mcpServers[server]?.url).toBe('https://localhost:18433/mcp');
    await page.screenshot({ path: info.outputPath('client-install.png'), fullPage: true });

    // Again: the entry is there, nothing is written and no second copy is made.
    await install.getByRole('button', { name: 'Install in Cursor' }).click();
    await expect(install.getByTestId('client-install-done')).toContainText('nothing changed');
    expect(readdirSync(cursorDir).filter((f) => f.includes('.bak-'))).toHaveLength(1);

    // Zed always carries the token in its file; a foreign file is refused in place, untouched.
    const zedDir = join(clientHome, '.config', 'zed');
    mkdirSync(zedDir, { recursive: true });
    writeFileSync(join(zedDir, 'settings.json'), '{ "theme": ');
    await install.getByTestId('client-install-format-zed').check();
    await expect(install.getByTestId('client-install-inline')).toBeChecked();
    await expect(install.getByTestId('client-install-inline')).toBeDisabled();
    await install.getByRole('button', { name: 'Install in Zed' }).click();
    await expect(install.getByTestId('client-install-error')).toContainText('left unchanged');
    expect(readFileSync(join(zedDir, 'settings.json'), 'utf8')).toBe('{ "theme": ');
  } finally {
    await web?.stop();
    removeHome(home);
    rmSync(clientHome, { recursive: true, force: true });
  }
});
