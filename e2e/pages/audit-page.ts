import { expect, type Download, type Locator, type Page } from '@playwright/test';

/** The Audit page: filters, Collect now, the usage chart's bars, the calls table and its exports. */
export class AuditPage {
  readonly empty: Locator;
  readonly collected: Locator;
  readonly rows: Locator;
  readonly bars: Locator;

  constructor(readonly page: Page) {
    this.empty = page.getByTestId('audit-empty');
    this.collected = page.getByTestId('audit-collected');
    this.rows = page.getByTestId('audit-row');
    this.bars = page.getByTestId('usage-bar');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav-audit').click();
    await expect(this.page.getByTestId('nav-audit')).toHaveAttribute('aria-current', 'page');
  }

  async collect(): Promise<void> {
    await this.page.getByTestId('audit-collect').click();
    await expect(this.collected).toBeVisible();
  }

  async since(choice: '1h' | '24h' | '7d' | '30d'): Promise<void> {
    await this.page.getByTestId('audit-since').selectOption(choice);
  }

  async server(name: string): Promise<void> {
    await this.page.getByTestId('audit-server').selectOption(name);
  }

  async member(name: string): Promise<void> {
    await this.page.getByTestId('audit-member').fill(name);
  }

  async tool(name: string): Promise<void> {
    await this.page.getByTestId('audit-tool').fill(name);
  }

  /** The bar of one member on one UTC day. */
  bar(member: string, day: string): Locator {
    return this.page.locator(`[data-testid="usage-bar"][data-member="${member}"][data-day="${day}"]`);
  }

  async exportCsv(): Promise<Download> {
    const download = this.page.waitForEvent('download');
    await this.page.getByTestId('audit-export-csv').click();
    return download;
  }
}
