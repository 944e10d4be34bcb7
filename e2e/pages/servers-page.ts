import type { Locator, Page } from '@playwright/test';

export interface NewServer {
  name: string;
  source: { kind: 'npx' | 'uvx' | 'image' | 'command'; value: string };
  args?: string[];
  env?: { key: string; value: string; secret?: boolean }[];
  mode: 'shared' | 'dedicated';
  port?: number;
}

/** The Servers list and the Add server form. */
export class ServersPage {
  readonly table: Locator;
  readonly empty: Locator;
  readonly formError: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByTestId('servers-table');
    this.empty = page.getByTestId('servers-empty');
    this.formError = page.getByTestId('server-form-error');
  }

  row(name: string): Locator {
    return this.page.getByTestId(`server-row-${name}`);
  }

  env(name: string): Locator {
    return this.page.getByTestId(`server-env-${name}`);
  }

  fieldError(field: string): Locator {
    return this.page.getByTestId(`server-${field}-error`);
  }

  async startAdding(): Promise<void> {
    await this.page.getByTestId('add-server').click();
  }

  async fill(server: NewServer): Promise<void> {
    await this.page.getByTestId('server-name').fill(server.name);
    await this.page.getByTestId('server-sourceKind').selectOption(server.source.kind);
    await this.page.getByTestId('server-sourceValue').fill(server.source.value);
    await this.page.getByTestId('server-args').fill((server.args ?? []).join('\n'));
    for (const [i, entry] of (server.env ?? []).entries()) {
      await this.page.getByTestId('server-env-add').click();
      await this.page.getByTestId(`server-env-key-${i}`).fill(entry.key);
      await this.page.getByTestId(`server-env-value-${i}`).fill(entry.value);
      if (entry.secret) await this.page.getByTestId(`server-env-secret-${i}`).check();
    }
    await this.page.getByTestId(`server-mode-${server.mode}`).check();
    if (server.port !== undefined) await this.page.getByTestId('server-port').fill(String(server.port));
  }

  async submit(): Promise<void> {
    await this.page.getByTestId('server-submit').click();
  }
}
