import { expect, type Locator, type Page } from '@playwright/test';

/** The Shared and Dedicated dashboards. */
export class DashboardPage {
  constructor(readonly page: Page) {}

  async open(view: 'shared' | 'dedicated'): Promise<void> {
    await this.page.getByTestId(`nav-${view}`).click();
    await expect(
      this.page.getByTestId(`dashboard-${view}`).or(this.page.getByTestId('dash-empty')),
    ).toBeVisible();
  }

  /** A Shared server's row, or a Dedicated member's. */
  row(server: string, member?: string): Locator {
    return this.page.getByTestId(member ? `dash-row-${server}-${member}` : `dash-row-${server}`);
  }

  health(containerName: string): Locator {
    return this.page.getByTestId(`health-${containerName}`);
  }

  async act(
    containerName: string,
    action: 'logs' | 'restart' | 'redeploy' | 'rotate' | 'export' | 'remove',
  ): Promise<void> {
    await this.page.getByTestId(`dash-actions-${containerName}`).click();
    await this.page.getByTestId(`dash-${action}-${containerName}`).click();
  }

  get dialog(): Locator {
    return this.page.getByTestId('action-dialog');
  }
}
