import type { Locator, Page } from '@playwright/test';

export type NewHost =
  | { kind: 'local'; name: string }
  | { kind: 'password'; name: string; user: string; address: string; port?: number; password: string }
  | {
      kind: 'key';
      name: string;
      user: string;
      address: string;
      port?: number;
      /** The private key's text (OpenSSH or PEM), pasted as an operator would. */
      privateKey: string;
      passphrase?: string;
    };

/** The Hosts list and the Add host form. */
export class HostsPage {
  readonly table: Locator;
  readonly empty: Locator;
  readonly formError: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByTestId('hosts-table');
    this.empty = page.getByTestId('hosts-empty');
    this.formError = page.getByTestId('host-form-error');
  }

  row(name: string): Locator {
    return this.page.getByTestId(`host-row-${name}`);
  }

  fieldError(field: string): Locator {
    return this.page.getByTestId(`host-${field}-error`);
  }

  async startAdding(): Promise<void> {
    await this.page.getByTestId('add-host').click();
  }

  async fill(host: NewHost): Promise<void> {
    await this.page.getByTestId(`host-method-${host.kind}`).check();
    await this.page.getByTestId('host-name').fill(host.name);
    if (host.kind === 'local') return;
    await this.page.getByTestId('host-user').fill(host.user);
    await this.page.getByTestId('host-address').fill(host.address);
    await this.page.getByTestId('host-port').fill(String(host.port ?? 22));
    if (host.kind === 'password') await this.page.getByTestId('host-password').fill(host.password);
    else {
      await this.page.getByTestId('host-privateKey').fill(host.privateKey);
      if (host.passphrase !== undefined) await this.page.getByTestId('host-passphrase').fill(host.passphrase);
    }
  }

  async submit(): Promise<void> {
    await this.page.getByTestId('host-submit').click();
  }
}
