import { expect, type Locator, type Page } from '@playwright/test';
import { HostsPage, type NewHost } from './hosts-page';
import { ServersPage, type NewServer } from './servers-page';

/** The Deploy a server wizard: step 0 (start or import) to step 4 (test). */
export class WizardPage {
  readonly root: Locator;
  readonly next: Locator;
  readonly back: Locator;
  readonly command: Locator;
  readonly tools: Locator;
  /** Step 4's verdict on the connection test (class notice-ok when every instance listed tools). */
  readonly testSummary: Locator;
  private readonly servers: ServersPage;
  private readonly hosts: HostsPage;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('wizard');
    this.next = page.getByTestId('wizard-next');
    this.back = page.getByTestId('wizard-back');
    this.command = page.getByTestId('wizard-command');
    this.tools = page.getByTestId('wizard-tools');
    this.testSummary = page.getByTestId('wizard-test-summary');
    this.servers = new ServersPage(page);
    this.hosts = new HostsPage(page);
  }

  step(n: number): Locator {
    return this.page.getByTestId(`wizard-step-${n}`);
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav-wizard').click();
    await expect(this.step(0)).toBeVisible();
  }

  async startBlank(): Promise<void> {
    await this.page.getByTestId('wizard-start-blank').check();
    await this.next.click();
    await expect(this.step(1)).toBeVisible();
  }

  async importText(text: string, mode: 'shared' | 'dedicated' = 'shared'): Promise<void> {
    await this.page.getByTestId('wizard-start-import').check();
    await this.page.getByTestId('wizard-import-text').fill(text);
    await this.page.getByTestId(`wizard-import-mode-${mode}`).check();
    await this.page.getByTestId('wizard-import').click();
  }

  async fillServer(server: NewServer): Promise<void> {
    await this.servers.fill(server);
  }

  async addMembers(names: string[]): Promise<void> {
    for (const [i, name] of names.entries()) {
      await this.page.getByTestId('wizard-member-add').click();
      await this.page.getByTestId(`wizard-member-name-${i}`).fill(name);
    }
  }

  async addHost(host: NewHost): Promise<void> {
    const add = this.page.getByTestId('wizard-add-host');
    if (await add.isVisible()) await add.click();
    await this.hosts.fill(host);
    await this.hosts.submit();
  }

  /** The chosen host's check result (after it ran). */
  get check(): Locator {
    return this.page.getByTestId('wizard-check-result');
  }

  async chooseHost(name: string): Promise<void> {
    await this.page.getByTestId(`wizard-host-${name}`).check();
  }

  async acceptKey(): Promise<void> {
    await this.page.getByTestId('wizard-accept-key').check();
  }

  /** Step 4: the URL shown for an instance ('shared' or the member's name). */
  instanceUrl(instance: string): Locator {
    return this.page.getByTestId(`wizard-test-${instance}`).locator('.panel-header code');
  }

  /** Step 4: a member's token, shown this once. */
  token(member: string): Locator {
    return this.page.getByTestId(`wizard-token-${member}`).locator('code.token');
  }

  async run(): Promise<void> {
    await this.page.getByTestId('wizard-run').click();
  }
}
