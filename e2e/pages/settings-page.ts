import { expect, type Locator, type Page } from '@playwright/test';
import type { SettingKey } from '../../src-main/shared/fleet-settings';

/** The Settings page: one scope (fleet or a host) at a time, one form per key. */
export class SettingsPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-settings').click();
    await expect(this.page.getByTestId('nav-settings')).toHaveAttribute('aria-current', 'page');
    await expect(this.page.getByTestId('settings-table')).toBeVisible();
  }

  async scope(host: string | null): Promise<void> {
    await this.page.getByTestId('settings-scope').selectOption(host ?? '');
  }

  value(key: SettingKey): Locator {
    return this.page.getByTestId(`setting-${key}-value`);
  }

  source(key: SettingKey): Locator {
    return this.page.getByTestId(`setting-${key}-source`);
  }

  error(key: SettingKey): Locator {
    return this.page.getByTestId(`setting-${key}-error`);
  }

  async set(key: SettingKey, value: string): Promise<void> {
    await this.page.getByTestId(`setting-${key}-input`).fill(value);
    await this.page.getByTestId(`setting-${key}-set`).click();
  }

  async unset(key: SettingKey): Promise<void> {
    await this.page.getByTestId(`setting-${key}-unset`).click();
  }
}
