/**
 * The wizard's "Run as: Swarm services" against the real backend: web mode, the testbed's sshd and its
 * Docker engine made a single-node Swarm for this spec (left again afterwards unless it was one
 * already), server-memory from npm. The stack file shows in place of the docker run command, the app
 * deploys a Swarm service whose files are Docker secrets, and the test step lists its tools.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { waitFor } from '../../src-main/test-support/wait-for';
import { readTestbed, TESTBED_MISSING_REASON } from '../fixtures/env';
import { AppShell } from '../pages/app-shell';
import { WizardPage } from '../pages/wizard-page';
import { offlineDeployEnv } from './support/deploy-env';
import { freshHome, removeHome, startServe, type Served } from './support/serve';
import { containersOf, wipe } from './support/testbed-host';

const run = promisify(execFile);
const docker = async (...args: string[]): Promise<string> => (await run('docker', args)).stdout.trim();
const repo = resolve(import.meta.dirname, '../..');
const memoryVersion = (
  JSON.parse(
    readFileSync(resolve(repo, 'node_modules/@modelcontextprotocol/server-memory/package.json'), 'utf8'),
  ) as { version: string }
).version;

test('wizard: runs a Shared server as a Swarm service, its files as Docker secrets', async ({
  page,
}, info) => {
  test.setTimeout(8 * 60_000);
  const tb = readTestbed();
  test.skip(!tb?.docker, TESTBED_MISSING_REASON);
  if (!tb) return;
  const name = `ui-swarm-${randomBytes(2).toString('hex')}`;
  const port = 29_000 + Math.floor(Math.random() * 900);
  const label = `label=io.mcp-fleet.server=${name}`;
  const joined = (await docker('info', '--format', '{{.Swarm.LocalNodeState}}')) !== 'active';
  if (joined)
    await docker('swarm', 'init', '--advertise-addr', '127.0.0.1', '--listen-addr', '127.0.0.1:2377');
  const home = freshHome();
  let web: Served | undefined;
  try {
    web = await startServe(home, {
      passphrase: 'swarm passphrase',
      env: await offlineDeployEnv(dirname(home)),
    });
    const wizard = new WizardPage(page);
    await page.goto(web.loginUrl);
    await new AppShell(page).waitState('loaded');

    await wizard.open();
    await wizard.startBlank();
    await wizard.fillServer({
      name,
      source: { kind: 'npx', value: '@modelcontextprotocol/server-memory' },
      mode: 'shared',
    });
    await page.getByTestId('server-version').fill(memoryVersion);
    await wizard.addMembers(['ops']);
    await wizard.next.click();

    await expect(wizard.step(2)).toBeVisible();
    await wizard.addHost({
      kind: 'password',
      name: 'swarm-manager',
      user: tb.ssh.username,
      address: tb.ssh.host,
      port: tb.ssh.port,
      password: tb.ssh.password,
    });
    await expect(wizard.check).toHaveAttribute('data-docker-ok', 'true', { timeout: 60_000 });
    await expect(page.getByTestId('wizard-check-result-swarm')).toHaveText(
      'manager (can run Swarm services)',
    );
    await wizard.acceptKey();
    await wizard.next.click();

    await expect(wizard.step(3)).toBeVisible();
    await page.getByTestId('wizard-kind-swarm').click();
    // The stack file takes the docker run command's place, with the files as secrets.
    await expect(wizard.command).toContainText('secrets:', { timeout: 60_000 });
    await expect(wizard.command).not.toContainText('docker run');
    await expect(page.getByTestId('wizard-swarm-note')).toContainText(
      'swarm-manager must be a Swarm manager',
    );
    await expect(page.getByTestId('wizard-run-self')).toHaveCount(0);
    await expect(page.getByTestId('wizard-swarm-warning')).toHaveCount(0);
    await page.getByTestId('wizard-port').fill(String(port));
    await page.screenshot({ path: info.outputPath('wizard-3-swarm.png'), fullPage: true });
    await wizard.run();
    await expect(page.getByTestId('wizard-outcomes-shared')).toHaveAttribute('data-action', 'created', {
      timeout: 4 * 60_000,
    });

    const services = (await docker('service', 'ls', '--filter', label, '--format', '{{.Name}}')).split('\n');
    expect(services).toHaveLength(1);
    const published = await docker(
      'service',
      'inspect',
      services[0] ?? '',
      '--format',
      '{{range .Endpoint.Ports}}{{.PublishedPort}}/{{.PublishMode}}{{end}}',
    );
    expect(published).toBe(`${port}/host`);
    const secrets = (await docker('secret', 'ls', '--filter', label, '--format', '{{.Name}}')).split('\n');
    // The env and members files, and the bridge's TLS certificate and key.
    expect(
      secrets.map((name) => /-(env|members|tls-crt|tls-key)-[0-9a-f]{12}$/.exec(name)?.[1]).sort(),
    ).toEqual(['env', 'members', 'tls-crt', 'tls-key']);

    await wizard.next.click();
    await expect(wizard.step(4)).toBeVisible();
    await expect(page.getByTestId('wizard-tool-read_graph')).toBeVisible({ timeout: 60_000 });
  } finally {
    await web?.stop();
    const services = await docker('service', 'ls', '-q', '--filter', label).catch(() => '');
    for (const id of services.split('\n').filter(Boolean)) await docker('service', 'rm', id).catch(() => '');
    // The services' containers go before their secrets can; the cleanup goes on either way.
    await waitFor(async () => (await containersOf(name).catch(() => [])).length === 0, {
      timeoutMs: 30_000,
      intervalMs: 500,
      what: `the Swarm to remove the containers of ${name}`,
    }).catch(() => undefined);
    const secrets = await docker('secret', 'ls', '-q', '--filter', label).catch(() => '');
    for (const id of secrets.split('\n').filter(Boolean)) await docker('secret', 'rm', id).catch(() => '');
    await wipe([name]);
    await docker('volume', 'rm', '-f', `mcp-fleet-${name}-state`).catch(() => '');
    if (joined) await docker('swarm', 'leave', '--force').catch(() => '');
    removeHome(home);
  }
});
