import type { Locator, Page } from '@playwright/test';

/** The Edit form under a host's row on the Hosts page. */
export class HostEditForm {
  readonly form: Locator;
  readonly error: Locator;
  readonly accept: Locator;

  constructor(readonly page: Page) {
    this.form = page.getByTestId('host-edit-form');
    this.error = page.getByTestId('host-edit-error');
    this.accept = page.getByTestId('host-edit-accept');
  }

  async open(host: string): Promise<void> {
    await this.page.getByTestId(`host-edit-button-${host}`).click();
  }

  field(name: 'user' | 'address' | 'port' | 'password' | 'privateKey' | 'passphrase'): Locator {
    return this.form.getByTestId(`host-edit-${name}`);
  }

  fieldError(host: string, name: string): Locator {
    return this.page.getByTestId(`host-edit-${host}-${name}-error`);
  }

  async chooseLogin(login: 'keep' | 'password' | 'key' | 'agent'): Promise<void> {
    await this.page.getByTestId(`host-edit-login-${login}`).check();
  }

  async save(): Promise<void> {
    await this.page.getByTestId('host-edit-submit').click();
  }

  done(host: string): Locator {
    return this.page.getByTestId(`host-edit-done-${host}`);
  }
}
