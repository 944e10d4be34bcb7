/**
 * Web mode end to end: the real CLI fills a fresh data directory, the real `mcp-fleet serve` serves it,
 * Debian's Chromium drives the UI.
 */
import { AppShell } from '../pages/app-shell';
import { HostsPage } from '../pages/hosts-page';
import { LoginPage } from '../pages/login-page';
import { ServersPage } from '../pages/servers-page';
import { expect, test } from '../fixtures/web-mode';

test('refuses without the token, logs in, shows the hosts the CLI added, adds a server', async ({
  fleet,
  page,
  request,
}, testInfo) => {
  expect(fleet.cli(['hosts', 'add', 'lab', '--local']).code).toBe(0);
  const ssh = fleet.cli(
    ['hosts', 'add', 'db1', '--ssh', 'user@127.0.0.1:2222', '--password-stdin'],
    'hunter2-e2e\n',
  );
  expect(ssh.code, ssh.stderr).toBe(0);
  const web = await fleet.serve();

  const refused = await request.post(`${web.url}api/call/hosts:list`, { data: {} });
  expect(refused.status()).toBe(401);

  const shell = new AppShell(page);
  const login = new LoginPage(page);
  await page.goto(web.url);
  await shell.waitState('login');
  await expect(login.root).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('login.png') });

  await login.logIn('not-the-token-not-the-token');
  await expect(login.error).toContainText('not the one this server printed');
  await shell.waitState('login');

  await login.logIn(web.token);
  await shell.waitState('loaded');
  await shell.open('hosts');
  const hosts = new HostsPage(page);
  await expect(hosts.row('lab')).toContainText('local');
  await expect(hosts.row('db1')).toContainText('user@127.0.0.1:2222');
  await expect(hosts.row('db1')).toContainText('password');
  await expect(page.getByText('hunter2-e2e')).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('hosts.png') });

  await shell.open('servers');
  const servers = new ServersPage(page);
  await expect(servers.empty).toBeVisible();
  await servers.startAdding();
  await servers.fill({
    name: 'everything',
    source: { kind: 'npx', value: '@modelcontextprotocol/server-everything@2026.8.31' },
    env: [
      { key: 'LOG_LEVEL', value: 'debug' },
      { key: 'API_KEY', value: 'sk-e2e-secret-value', secret: true },
    ],
    mode: 'shared',
  });
  await page.screenshot({ path: testInfo.outputPath('add-server.png') });
  await servers.submit();

  await expect(servers.row('everything')).toContainText('shared');
  await expect(servers.env('everything')).toContainText('LOG_LEVEL=debug');
  await expect(servers.env('everything')).toContainText('API_KEY=••••');
  await expect(page.getByText('sk-e2e-secret-value')).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('servers.png') });

  // The CLI reads what the UI wrote, through the same store.
  const shown = fleet.cli(['--json', 'servers', 'show', 'everything']);
  expect(shown.code, shown.stderr).toBe(0);
  expect(JSON.parse(shown.stdout)).toMatchObject({ name: 'everything', mode: 'shared' });
});

test('the printed link logs in by itself and leaves no token in the address bar', async ({ fleet, page }) => {
  const web = await fleet.serve();
  const shell = new AppShell(page);
  await page.goto(web.loginUrl);
  await shell.waitState('loaded');
  expect(page.url()).not.toContain(web.token);
  await shell.open('hosts');
  await expect(new HostsPage(page).empty).toContainText('mcp-fleet hosts add');

  await shell.logOut();
  await shell.waitState('login');
  await page.reload();
  await shell.waitState('login');
});

test('the add forms explain bad input in plain words and keep it out of the store', async ({
  fleet,
  page,
}) => {
  const web = await fleet.serve();
  const shell = new AppShell(page);
  await page.goto(web.loginUrl);
  await shell.waitState('loaded');

  await shell.open('hosts');
  const hosts = new HostsPage(page);
  await hosts.startAdding();
  await hosts.fill({
    kind: 'password',
    name: 'bad name',
    user: 'ops',
    address: 'db 1',
    port: 70000,
    password: '',
  });
  await hosts.submit();
  await expect(hosts.fieldError('name')).toContainText('Name must be 1-63 characters');
  await expect(hosts.fieldError('address')).toContainText('Address must be a host name or an IP address');
  await expect(hosts.fieldError('port')).toContainText('Port must be at most 65535');
  await expect(hosts.fieldError('password')).toContainText('Password must not be empty');

  await shell.open('servers');
  const servers = new ServersPage(page);
  await servers.startAdding();
  await servers.fill({
    name: 'memory',
    source: { kind: 'npx', value: '' },
    env: [
      { key: 'TOKEN', value: 'a' },
      { key: 'TOKEN', value: 'b' },
    ],
    mode: 'dedicated',
  });
  await servers.submit();
  await expect(servers.fieldError('sourceValue')).toContainText('Package must not be empty');
  await expect(page.getByTestId('server-env-error-1')).toContainText('is already set above');

  expect(JSON.parse(fleet.cli(['--json', 'hosts', 'list']).stdout)).toEqual([]);
  expect(JSON.parse(fleet.cli(['--json', 'servers', 'list']).stdout)).toEqual([]);
});

test('a change made in one window shows up live in another', async ({ fleet, page, context }) => {
  const web = await fleet.serve();
  const first = new AppShell(page);
  await page.goto(web.loginUrl);
  await first.waitState('loaded');
  await first.open('hosts');
  await expect(page.getByTestId('connection-state')).toContainText('live');

  // A second tab of the same browser shares the session cookie.
  const other = await context.newPage();
  const second = new AppShell(other);
  await other.goto(web.url);
  await second.waitState('loaded');
  await second.open('hosts');
  const hosts = new HostsPage(other);
  await hosts.startAdding();
  await hosts.fill({ kind: 'local', name: 'lab' });
  await hosts.submit();
  await expect(hosts.row('lab')).toBeVisible();

  // No reload in the first tab: the store:changed event over the WebSocket refreshes its list.
  await expect(new HostsPage(page).row('lab')).toContainText('local');
});
