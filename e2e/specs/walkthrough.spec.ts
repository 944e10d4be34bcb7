/**
 * The operator's walkthrough against the real backend: web mode, the testbed's sshd (password login,
 * host key accepted in the wizard), its real Docker engine, real MCP servers from npm. Deploys
 * server-everything Shared and server-memory Dedicated for two members, watches health go green, kills
 * one container and watches it go red and back, exports, and removes everything again.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { readTestbed, TESTBED_MISSING_REASON } from '../fixtures/env';
import { containerName } from '../../src-main/services/instance-spec/names';
import { AppShell } from '../pages/app-shell';
import { DashboardPage } from '../pages/dashboard-page';
import { HostsPage } from '../pages/hosts-page';
import { InstancePage } from '../pages/instance-page';
import { ServersPage } from '../pages/servers-page';
import { WizardPage } from '../pages/wizard-page';
import { offlineDeployEnv } from './support/deploy-env';
import { freshHome, removeHome, startServe, type Served } from './support/serve';
import { containersOf, dockerKill, wipe } from './support/testbed-host';

const repo = resolve(import.meta.dirname, '../..');
const versionOf = (pkg: string): string =>
  (
    JSON.parse(readFileSync(resolve(repo, 'node_modules', pkg, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

/** Deploys build and start containers: minutes on a cold engine, so waits on them are long. */
const DEPLOY_MS = 6 * 60_000;
/** Health follows the monitor's 10 s sweeps, with a failure threshold before red. */
const HEALTH_MS = 90_000;

async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: info.outputPath(`${name}.png`) });
}

test('walkthrough: host, Shared and Dedicated deploys, health, a kill, exports, removal', async ({
  page,
}, info) => {
  test.setTimeout(20 * 60_000);
  const tb = readTestbed();
  test.skip(!tb?.docker, TESTBED_MISSING_REASON);
  if (!tb) return;
  const run = randomBytes(2).toString('hex');
  const everything = `ui-everything-${run}`;
  const memory = `ui-memory-${run}`;
  const basePort = 20_000 + Math.floor(Math.random() * 9_000);
  const home = freshHome();
  let web: Served | undefined;
  try {
    web = await startServe(home, {
      passphrase: 'walkthrough passphrase',
      env: await offlineDeployEnv(dirname(home)),
    });
    const shell = new AppShell(page);
    const wizard = new WizardPage(page);
    const dashboard = new DashboardPage(page);
    await page.setViewportSize({ width: 1360, height: 860 });
    await page.goto(web.loginUrl);
    await shell.waitState('loaded');

    // Shared: server-everything, through every step of the wizard.
    await wizard.open();
    await shot(page, info, 'wizard-0-start');
    await wizard.startBlank();
    await wizard.fillServer({
      name: everything,
      source: { kind: 'npx', value: '@modelcontextprotocol/server-everything' },
      mode: 'shared',
    });
    await page.getByTestId('server-version').fill(versionOf('@modelcontextprotocol/server-everything'));
    await wizard.addMembers(['ops']);
    await shot(page, info, 'wizard-1-configure');
    await wizard.next.click();

    await expect(wizard.step(2)).toBeVisible();
    await wizard.addHost({
      kind: 'password',
      name: 'testbed',
      user: tb.ssh.username,
      address: tb.ssh.host,
      port: tb.ssh.port,
      password: tb.ssh.password,
    });
    await expect(page.getByTestId('wizard-check-result-fingerprint')).toHaveText(tb.ssh.hostKeySha256, {
      timeout: 60_000,
    });
    await expect(wizard.check).toHaveAttribute('data-docker-ok', 'true');
    await expect(wizard.next).toBeDisabled();
    await wizard.acceptKey();
    await shot(page, info, 'wizard-2-environment');
    await wizard.next.click();

    await expect(wizard.step(3)).toBeVisible();
    // The testbed's engine is not in a Swarm: choosing Swarm services says so before anything runs.
    await page.getByTestId('wizard-kind-swarm').click();
    await expect(page.getByTestId('wizard-swarm-warning')).toContainText('not in a Swarm');
    await page.getByTestId('wizard-kind-container').click();
    await expect(page.getByTestId('wizard-swarm-warning')).toHaveCount(0);
    // The command carries the runtime image's build context: packing it can take a while on a busy machine.
    await expect(wizard.command).toContainText('docker run', { timeout: 180_000 });
    await expect(wizard.command).toContainText('--cap-drop');
    // Ports away from the default range, which other suites on this engine use and may grab while a
    // container here is down.
    await page.getByTestId('wizard-port').fill(String(basePort));
    await shot(page, info, 'wizard-3-run');
    await wizard.run();
    await expect(page.getByTestId('wizard-outcomes-shared')).toBeVisible({ timeout: DEPLOY_MS });
    await expect(page.getByTestId('wizard-outcomes-shared')).toHaveAttribute(
      'data-action',
      /created|unchanged|replaced/,
    );
    await shot(page, info, 'wizard-3-ran');
    await wizard.next.click();

    await expect(wizard.step(4)).toBeVisible();
    await expect(page.getByTestId('wizard-tool-echo')).toBeVisible();
    await expect(page.getByTestId('wizard-token-ops')).toBeVisible();
    await shot(page, info, 'wizard-4-test');
    await page.getByTestId('wizard-done').click();

    const shared = containerName(everything, null);
    await expect(dashboard.health(shared)).toHaveAttribute('data-state', 'healthy', { timeout: HEALTH_MS });

    // Dedicated: server-memory for two members on the same host.
    await wizard.open();
    await wizard.startBlank();
    await wizard.fillServer({
      name: memory,
      source: { kind: 'npx', value: '@modelcontextprotocol/server-memory' },
      mode: 'dedicated',
    });
    await page.getByTestId('server-version').fill(versionOf('@modelcontextprotocol/server-memory'));
    await wizard.addMembers(['alice', 'bob']);
    await wizard.next.click();
    await wizard.chooseHost('testbed');
    await expect(wizard.check).toHaveAttribute('data-docker-ok', 'true', { timeout: 60_000 });
    await wizard.acceptKey();
    await wizard.next.click();
    await page.getByTestId('wizard-port').fill(String(basePort + 10));
    await wizard.run();
    await expect(page.getByTestId('wizard-outcomes-alice')).toBeVisible({ timeout: DEPLOY_MS });
    await expect(page.getByTestId('wizard-outcomes-bob')).toBeVisible();
    await wizard.next.click();
    await expect(page.getByTestId('wizard-test-alice').getByTestId('wizard-tools')).toContainText(
      'read_graph',
    );
    await page.getByTestId('wizard-done').click();

    const alice = containerName(memory, 'alice');
    const bob = containerName(memory, 'bob');
    await expect(dashboard.health(alice)).toHaveAttribute('data-state', 'healthy', { timeout: HEALTH_MS });
    await expect(dashboard.health(bob)).toHaveAttribute('data-state', 'healthy', { timeout: HEALTH_MS });
    await shot(page, info, 'dashboard-dedicated');
    await dashboard.open('shared');
    await expect(dashboard.health(shared)).toHaveAttribute('data-state', 'healthy');
    await shot(page, info, 'dashboard-shared');

    // A killed container turns red; restarting it from the dashboard brings it back.
    await dashboard.open('dedicated');
    await dockerKill(alice);
    await expect(dashboard.health(alice)).toHaveAttribute('data-state', 'unhealthy', { timeout: HEALTH_MS });
    await expect(dashboard.health(bob)).toHaveAttribute('data-state', 'healthy');
    await shot(page, info, 'dashboard-dedicated-killed');
    await dashboard.act(alice, 'restart');
    await expect(page.getByTestId('action-done')).toBeVisible({ timeout: 60_000 });
    await page.getByTestId('action-close').click();
    await expect(dashboard.health(alice)).toHaveAttribute('data-state', 'healthy', { timeout: HEALTH_MS });

    // Exports of alice's instance: the docker run command and her VS Code snippet.
    await dashboard.act(alice, 'export');
    const instance = new InstancePage(page);
    await expect(instance.health).toHaveAttribute('data-state', 'healthy');
    await expect(instance.tools).toContainText('read_graph');
    await expect(instance.logs).toContainText('session_opened');
    await expect(page.getByTestId('health-timeline')).toContainText('unhealthy');
    await shot(page, info, 'instance');
    await instance.exportFormat('docker-run');
    await expect(instance.exportContent).toContainText('docker run', { timeout: 60_000 });
    await expect(instance.exportContent).toContainText(alice);
    await instance.exportFormat('vscode');
    await expect(instance.exportContent).toContainText('"servers"');
    await expect(instance.exportContent).toContainText('Authorization');
    await shot(page, info, 'instance-export');

    // The hosts page checks the host: its key, Docker, and the instances it runs.
    await shell.open('hosts');
    await expect(page.getByTestId('host-instances-testbed')).toHaveText('3');
    await page.getByTestId('host-check-testbed').click();
    await expect(page.getByTestId('host-check-result-testbed-fingerprint')).toHaveText(tb.ssh.hostKeySha256, {
      timeout: 60_000,
    });
    await expect(page.getByTestId('host-docker-testbed')).not.toContainText('check to see');
    await shot(page, info, 'hosts');

    // Remove everything: the three instances, both servers, the host.
    for (const [view, name] of [
      ['dedicated', alice],
      ['dedicated', bob],
      ['shared', shared],
    ] as const) {
      await dashboard.open(view);
      await dashboard.act(name, 'remove');
      await page.getByTestId('action-confirm').click();
      await expect(page.getByTestId('action-done')).toBeVisible({ timeout: 60_000 });
      await page.getByTestId('action-close').click();
      await expect(dashboard.health(name)).toHaveCount(0);
    }
    await shell.open('servers');
    const servers = new ServersPage(page);
    for (const name of [everything, memory]) {
      await page.getByTestId(`server-remove-${name}`).click();
      await page.getByTestId(`server-remove-${name}-confirm`).click();
      await expect(servers.row(name)).toHaveCount(0);
    }
    await shell.open('hosts');
    await page.getByTestId('host-remove-testbed').click();
    await page.getByTestId('host-remove-testbed-confirm').click();
    await expect(new HostsPage(page).empty).toBeVisible();
    expect(await containersOf(everything)).toEqual([]);
    expect(await containersOf(memory)).toEqual([]);
  } finally {
    await web?.stop();
    await wipe([everything, memory]);
    removeHome(home);
  }
});
