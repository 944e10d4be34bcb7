import { expect, type Locator, type Page } from '@playwright/test';

/** The frame around every page: readiness, navigation, session. */
export class AppShell {
  readonly app: Locator;

  constructor(readonly page: Page) {
    this.app = page.getByTestId('app');
  }

  /** Waits for the app's own readiness signal instead of sleeping. */
  async waitState(state: 'login' | 'locked' | 'loaded'): Promise<void> {
    await expect(this.app).toHaveAttribute('data-app-state', state);
  }

  async open(section: 'servers' | 'hosts'): Promise<void> {
    await this.page.getByTestId(`nav-${section}`).click();
    await expect(this.page.getByTestId(`nav-${section}`)).toHaveAttribute('aria-current', 'page');
  }

  async logOut(): Promise<void> {
    await this.page.getByTestId('logout').click();
  }
}
