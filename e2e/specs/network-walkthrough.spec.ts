/**
 * The operator's walkthrough across a real network (e2e/fixtures/topology.ts): web mode and its browser
 * in the operator's namespace, the host (this machine's Docker engine and an sshd) at a non-loopback
 * address, an agent in a namespace of its own. In the UI: a host added with the testbed's SSH key and
 * its host key pinned, server-everything deployed Shared for one member with the wizard, the dashboard
 * green within a second of the wizard's connection test, HTTPS on the instance page, the fleet CA
 * downloaded. Then the agent, with the member's token and that CA, lists tools and calls echo over https.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type TestInfo } from '@playwright/test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { containerName } from '../../src-main/services/instance-spec/names';
import { readTestbed } from '../fixtures/env';
import {
  createTopology,
  topologyUnavailableReason,
  type Namespace,
  type Topology,
} from '../fixtures/topology';
import { AppShell } from '../pages/app-shell';
import { DashboardPage } from '../pages/dashboard-page';
import { InstancePage } from '../pages/instance-page';
import { WizardPage } from '../pages/wizard-page';
import { offlineDeployEnv } from './support/deploy-env';
import { wipeDeployed } from './support/host-cleanup';
import { launchChromiumIn, startServeIn, type NamespacedServe } from './support/netns-web';
import { watchFirstMatch } from './support/page-clock';

const repo = resolve(import.meta.dirname, '../..');
const AGENT = join(repo, 'e2e', 'fixtures', 'mcp-agent.mjs');
const EVERYTHING = '@modelcontextprotocol/server-everything';
const version = (
  JSON.parse(readFileSync(join(repo, 'node_modules', EVERYTHING, 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** The first deploy builds the runtime image: 1–3 minutes on this 2-core machine, more when busy. */
const DEPLOY_MS = 6 * 60_000;
/** Reads that go to the host over SSH (instances:list, exports): seconds. */
const HOST_MS = 60_000;

interface AgentAnswer {
  tools?: string[];
  echo?: string | null;
  error?: string;
  code?: string | null;
}

/** The official MCP SDK client as a member's agent runs it, inside `ns`. */
async function agentCall(ns: Namespace, url: string, token: string, ca: string): Promise<AgentAnswer> {
  const r = await ns.run(process.execPath, [AGENT, url], {
    env: { MCP_AGENT_TOKEN: token, NODE_EXTRA_CA_CERTS: ca, MCP_AGENT_ECHO: 'hello from the agent' },
    timeoutMs: 60_000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (!line.startsWith('{')) throw new Error(`the agent printed no answer (exit ${r.code}): ${r.stderr}`);
  return JSON.parse(line) as AgentAnswer;
}

async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: info.outputPath(`${name}.png`) });
}

const unavailable =
  topologyUnavailableReason() ??
  (readTestbed()?.docker ? undefined : 'the testbed has no Docker engine (see .testbed/dockerd.log)');

test.describe('network walkthrough (operator, agent and host on a namespaced network)', () => {
  test.skip(unavailable !== undefined, unavailable);

  const run = randomBytes(2).toString('hex');
  const server = `net-ui-${run}`;
  const member = 'agent-a';
  let topology: Topology | undefined;
  let scratch: string | undefined;
  let web: NamespacedServe | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  test.beforeAll(async () => {
    // The bridge bundle and the local base image come first; a topology takes about a second.
    test.setTimeout(5 * 60_000);
    scratch = mkdtempSync(join(tmpdir(), 'mcp-fleet-netns-e2e-'));
    const deployEnv = await offlineDeployEnv(scratch);
    topology = await createTopology();
    web = await startServeIn(topology.operator, join(scratch, 'home'), {
      ...deployEnv,
      MCP_FLEET_PASSPHRASE: 'network walkthrough passphrase',
    });
    browser = await launchChromiumIn(topology.operator, scratch);
    context = await browser.newContext({ viewport: { width: 1360, height: 860 }, acceptDownloads: true });
    // Playwright's own instrumentation traces this context too (trace: retain-on-failure).
  });

  test.afterAll(async () => {
    test.setTimeout(2 * 60_000);
    const tb = readTestbed();
    // Each step runs even when an earlier one failed; the first failure is rethrown at the end.
    const failures: unknown[] = [];
    const attempt = async (step: () => Promise<unknown>): Promise<void> => {
      await step().catch((err: unknown) => failures.push(err));
    };
    await attempt(async () => browser?.close());
    await attempt(async () => web?.stop());
    if (tb) await attempt(() => wipeDeployed([server], tb.ssh.username));
    await attempt(async () => topology?.dispose());
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    if (failures.length > 0) throw failures[0];
  });

  test('deploys through the host over SSH, shows it healthy at once, and serves the agent over https', async () => {
    test.setTimeout(15 * 60_000);
    const info = test.info();
    const tb = readTestbed();
    if (!topology || !context || !web || !scratch || !tb) throw new Error('beforeAll did not finish');
    const net = topology;
    const page = await context.newPage();
    const shell = new AppShell(page);
    const wizard = new WizardPage(page);
    const dashboard = new DashboardPage(page);
    const instance = new InstancePage(page);
    const shared = containerName(server, null);
    try {
      await page.goto(web.loginUrl);
      await shell.waitState('loaded');

      // Step 1: a Shared server-everything at the version in node_modules, with one member.
      await wizard.open();
      await wizard.startBlank();
      await wizard.fillServer({ name: server, source: { kind: 'npx', value: EVERYTHING }, mode: 'shared' });
      await page.getByTestId('server-version').fill(version);
      await wizard.addMembers([member]);
      await wizard.next.click();

      // Step 2: the host at its LAN address, the testbed user's key; its host key shown, then pinned.
      await expect(wizard.step(2)).toBeVisible();
      await wizard.addHost({
        kind: 'key',
        name: 'lan',
        user: tb.ssh.username,
        address: net.hostAddress,
        port: net.sshPort,
        privateKey: readFileSync(tb.ssh.keyPath, 'utf8'),
      });
      await expect(page.getByTestId('wizard-check-result-fingerprint')).toHaveText(net.sshHostKeySha256, {
        timeout: HOST_MS,
      });
      await expect(wizard.check).toHaveAttribute('data-docker-ok', 'true');
      await expect(wizard.next).toBeDisabled();
      await wizard.acceptKey();
      await shot(page, info, 'net-2-environment');
      await wizard.next.click();

      // Step 3: run it. The wizard has no allowlist field (deploy:run takes allowCidrs, the UI does not
      // offer it), so the instance is deployed open to every address, as the UI leaves it.
      await expect(wizard.step(3)).toBeVisible();
      await expect(wizard.command).toContainText('docker run', { timeout: HOST_MS });
      await wizard.run();
      const outcome = page.getByTestId('wizard-outcomes-shared');
      await expect(outcome.or(page.getByTestId('wizard-deploy-error'))).toBeVisible({ timeout: DEPLOY_MS });
      await expect(page.getByTestId('wizard-deploy-error')).toHaveCount(0);
      await expect(outcome).toHaveAttribute('data-action', 'created');
      await shot(page, info, 'net-3-ran');
      // Moments are read in the page's clock: the runner's round trips would blur a 1 s budget.
      const summaryShown = await watchFirstMatch(page, '[data-testid="wizard-test-summary"].notice-ok');
      await wizard.next.click();

      // Step 4: the connection test (through the host's SSH session) passed; token and URL shown once.
      await expect(wizard.step(4)).toBeVisible();
      await expect(wizard.testSummary).toHaveClass(/notice-ok/);
      await expect(page.getByTestId('wizard-tool-echo')).toBeVisible();
      const token = (await wizard.token(member).textContent())?.trim() ?? '';
      const url = (await wizard.instanceUrl('shared').textContent())?.trim() ?? '';
      expect(token).not.toBe('');
      expect(url.startsWith(`https://${net.hostAddress}:`), url).toBe(true);
      const healthyShown = await watchFirstMatch(
        page,
        `[data-testid="health-${shared}"][data-state="healthy"]`,
      );
      await page.getByTestId('wizard-done').click();

      // The deploy's test result reached the health monitor: healthy now, not at the next sweep.
      await expect(dashboard.health(shared)).toHaveAttribute('data-state', 'healthy', { timeout: 1_000 });
      await expect(dashboard.row(server)).toHaveAttribute('data-state', 'healthy', { timeout: 1_000 });
      const [testedAt, healthyAt] = await Promise.all([summaryShown(), healthyShown()]);
      const took =
        testedAt === null || healthyAt === null ? 'not measured' : `${Math.round(healthyAt - testedAt)} ms`;
      const reason = await dashboard.health(shared).getAttribute('title');
      info.annotations.push({
        type: 'dashboard healthy after the test passed',
        description: `${took} (page clock); reason shown: ${reason}`,
      });
      console.log(`dashboard healthy ${took} after the wizard showed the test passed (${reason})`);
      await shot(page, info, 'net-dashboard');

      // The instance page: HTTPS with the fleet CA's certificate; its client snippet carries the URL.
      await dashboard.row(server).getByRole('cell').first().click();
      await expect(instance.health).toHaveAttribute('data-state', 'healthy');
      // Its first state change came from the deploy's test (HealthMonitor.noteTested), not from a sweep.
      await expect(instance.oldestReason()).toContainText("its deploy's connection test passed");
      await expect(instance.tls).toContainText('HTTPS', { timeout: HOST_MS });
      await expect(instance.tls).toContainText('fleet CA');
      await instance.exportFormat('vscode');
      await expect(instance.exportContent).toContainText(url, { timeout: HOST_MS });
      await shot(page, info, 'net-instance');

      // The hosts page hands out the fleet CA the agent's client must trust.
      await shell.open('hosts');
      await expect(page.getByTestId('host-instances-lan')).toHaveText('1');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('download-fleet-ca').click(),
      ]);
      expect(download.suggestedFilename()).toBe('mcp-fleet-ca.pem');
      const ca = join(scratch, 'mcp-fleet-ca.pem');
      await download.saveAs(ca);
      expect(readFileSync(ca, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
      await expect(page.getByTestId('fleet-ca-fingerprint')).toBeVisible();

      // The agent, in its own namespace, with the token and the CA: tools listed, echo called, over https.
      const answer = await agentCall(net.agent, url, token, ca);
      expect(answer.error, `the agent's call failed (${answer.code})`).toBeUndefined();
      expect(answer.tools).toContain('echo');
      expect(answer.echo).toContain('hello from the agent');
    } catch (err) {
      info.attachments.push({
        name: 'web mode output',
        contentType: 'text/plain',
        body: Buffer.from(web.output()),
      });
      throw err;
    }
  });
});
