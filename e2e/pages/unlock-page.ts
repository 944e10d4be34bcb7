import type { Locator, Page } from '@playwright/test';

/** The Unlock / Create a passphrase screen of web mode started without a passphrase. */
export class UnlockPage {
  readonly root: Locator;
  readonly passphrase: Locator;
  readonly confirm: Locator;
  readonly submit: Locator;
  readonly error: Locator;
  readonly passphraseError: Locator;
  readonly confirmError: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('unlock-screen');
    this.passphrase = page.getByTestId('unlock-passphrase');
    this.confirm = page.getByTestId('unlock-confirm');
    this.submit = page.getByTestId('unlock-submit');
    this.error = page.getByTestId('unlock-error');
    this.passphraseError = page.getByTestId('unlock-passphrase-error');
    this.confirmError = page.getByTestId('unlock-confirm-error');
  }

  async create(passphrase: string, confirm: string = passphrase): Promise<void> {
    await this.passphrase.fill(passphrase);
    await this.confirm.fill(confirm);
    await this.submit.click();
  }

  async unlock(passphrase: string): Promise<void> {
    await this.passphrase.fill(passphrase);
    await this.submit.click();
  }
}
