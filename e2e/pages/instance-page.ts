import type { Locator, Page } from '@playwright/test';

/** One instance: health, logs, tools, members, exports. */
export class InstancePage {
  readonly health: Locator;
  readonly logs: Locator;
  readonly tools: Locator;
  readonly exportContent: Locator;
  /** How clients reach the bridge: "HTTPS · …" or the loud no-TLS line. */
  readonly tls: Locator;
  /** The monitor's state changes, each with its reason. */
  readonly timeline: Locator;

  constructor(readonly page: Page) {
    this.health = page.getByTestId('instance-health');
    this.logs = page.getByTestId('logs-content');
    this.tools = page.getByTestId('instance-tools');
    this.exportContent = page.getByTestId('export-content');
    this.tls = page.getByTestId('instance-tls');
    this.timeline = page.getByTestId('health-timeline');
  }

  /** The reason of the oldest state change the timeline shows (it lists the newest first). */
  oldestReason(): Locator {
    return this.timeline.locator('.timeline-reason').last();
  }

  async exportFormat(format: string): Promise<void> {
    await this.page.getByTestId(`export-format-${format}`).click();
  }
}
