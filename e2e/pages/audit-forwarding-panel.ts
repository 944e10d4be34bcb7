import { expect, type Locator, type Page } from '@playwright/test';

/** The Settings page's Retention and forwarding panel: where forwarding stands, Forward now, the form. */
export class AuditForwardingPanel {
  readonly root: Locator;
  readonly retention: Locator;
  readonly endpoint: Locator;
  readonly headers: Locator;
  readonly pending: Locator;
  readonly sent: Locator;
  readonly lastError: Locator;
  readonly forwardButton: Locator;
  readonly result: Locator;
  readonly error: Locator;
  readonly saved: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('audit-forwarding');
    this.retention = page.getByTestId('audit-retention');
    this.endpoint = page.getByTestId('audit-endpoint');
    this.headers = page.getByTestId('audit-headers-stored');
    this.pending = page.getByTestId('audit-pending');
    this.sent = page.getByTestId('audit-sent');
    this.lastError = page.getByTestId('audit-last-error');
    this.forwardButton = page.getByTestId('audit-forward-now');
    this.result = page.getByTestId('audit-forward-result');
    this.error = page.getByTestId('audit-settings-error');
    this.saved = page.getByTestId('audit-settings-saved');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav-settings').click();
    await expect(this.page.getByTestId('nav-settings')).toHaveAttribute('aria-current', 'page');
    await expect(this.page.getByTestId('audit-forwarding-status')).toBeVisible();
  }

  async setRetention(days: string): Promise<void> {
    await this.page.getByTestId('audit-retention-input').fill(days);
  }

  async setEndpoint(url: string): Promise<void> {
    await this.page.getByTestId('audit-endpoint-input').fill(url);
  }

  /** Starts replacing the stored headers with these rows (values typed into password inputs). */
  async replaceHeaders(headers: readonly (readonly [string, string])[]): Promise<void> {
    await this.page.getByTestId('audit-headers-replace').click();
    for (const [i, [name, value]] of headers.entries()) {
      if (i > 0) await this.page.getByTestId('audit-header-add').click();
      await this.page.getByTestId(`audit-header-name-${i}`).fill(name);
      await this.page.getByTestId(`audit-header-value-${i}`).fill(value);
    }
  }

  async save(): Promise<void> {
    await this.page.getByTestId('audit-settings-save').click();
  }

  async forwardNow(): Promise<void> {
    await this.forwardButton.click();
    await expect(this.result).toBeVisible();
  }
}
