import type { Download, Locator, Page } from '@playwright/test';

/** The Store page: back up, restore, change the passphrase. */
export class StorePage {
  readonly backupSaved: Locator;
  readonly restoreDone: Locator;
  readonly restoreError: Locator;
  readonly passphraseDone: Locator;
  readonly passphraseError: Locator;
  readonly repeatError: Locator;

  constructor(readonly page: Page) {
    this.backupSaved = page.getByTestId('store-backup-saved');
    this.restoreDone = page.getByTestId('store-restore-done');
    this.restoreError = page.getByTestId('store-restore-error');
    this.passphraseDone = page.getByTestId('store-passphrase-done');
    this.passphraseError = page.getByTestId('store-passphrase-error');
    this.repeatError = page.getByTestId('store-passphrase-repeat-error');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav-store').click();
    await this.page.getByTestId('store-backup').waitFor();
  }

  /** Downloads a backup; resolves with the browser's download. */
  async backUp(): Promise<Download> {
    const download = this.page.waitForEvent('download');
    await this.page.getByTestId('store-backup-download').click();
    return download;
  }

  /** Chooses `file` and confirms the restore. */
  async restore(file: string, backupPassphrase = ''): Promise<void> {
    await this.page.getByTestId('store-restore-file').setInputFiles(file);
    await this.page.getByTestId('store-restore-passphrase').fill(backupPassphrase);
    await this.page.getByTestId('store-restore-run').click();
    await this.page.getByTestId('store-restore-run-confirm').click();
  }

  async changePassphrase(current: string, next: string, repeat: string = next): Promise<void> {
    await this.page.getByTestId('store-passphrase-current').fill(current);
    await this.page.getByTestId('store-passphrase-next').fill(next);
    await this.page.getByTestId('store-passphrase-repeat').fill(repeat);
    await this.page.getByTestId('store-passphrase-submit').click();
  }
}
