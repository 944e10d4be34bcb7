import type { Locator, Page } from '@playwright/test';

/** Web mode's login screen. */
export class LoginPage {
  readonly root: Locator;
  readonly token: Locator;
  readonly submit: Locator;
  readonly error: Locator;
  readonly notice: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('login-screen');
    this.token = page.getByTestId('login-token');
    this.submit = page.getByTestId('login-submit');
    this.error = page.getByTestId('login-error');
    this.notice = page.getByTestId('login-notice');
  }

  async logIn(token: string): Promise<void> {
    await this.token.fill(token);
    await this.submit.click();
  }
}
