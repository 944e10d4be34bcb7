import { defineConfig } from '@playwright/test';

/**
 * e2e against web mode in Debian's Chromium (never a downloaded browser). Each test starts its own
 * `mcp-fleet serve` on a fresh data directory; the renderer is built once by the global setup.
 */
export default defineConfig({
  testDir: 'e2e/specs',
  globalSetup: './e2e/global-setup.ts',
  outputDir: 'test-results',
  workers: 1,
  fullyParallel: false,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: process.env['FLEET_TEST_CHROMIUM'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
