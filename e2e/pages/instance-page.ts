import type { Locator, Page } from '@playwright/test';

/** One instance: health, logs, tools, members, exports. */
export class InstancePage {
  readonly health: Locator;
  readonly logs: Locator;
  readonly tools: Locator;
  readonly exportContent: Locator;

  constructor(readonly page: Page) {
    this.health = page.getByTestId('instance-health');
    this.logs = page.getByTestId('logs-content');
    this.tools = page.getByTestId('instance-tools');
    this.exportContent = page.getByTestId('export-content');
  }

  async exportFormat(format: string): Promise<void> {
    await this.page.getByTestId(`export-format-${format}`).click();
  }
}
