/**
 * `electron-vite dev` used to show a blank window: the strict CSP refused the React refresh preamble the
 * dev server injects. This starts Vite's dev server from electron.vite.config.ts exactly as electron-vite
 * resolves it (React plugin and dev-CSP plugin included) and loads it in Debian's Chromium; the second
 * test checks that the build still carries the strict policy, and that a build in an awkwardly named
 * folder loads under file:// and is recognised as the app's own page by the IPC sender check.
 */
import { expect, test, type ConsoleMessage, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveConfig } from 'electron-vite';
import { createServer, mergeConfig } from 'vite';
import { CONTENT_SECURITY_POLICY, metaTagPolicy } from '../../src-main/app/csp';
import { inlineScripts } from '../../src-main/app/dev-csp-plugin';
import { isAppDocumentUrl } from '../../src-main/app/frame-trust';
import playwrightConfig from '../../playwright.config';
import { AppShell } from '../pages/app-shell';
import { LoginPage } from '../pages/login-page';

const repo = resolve(import.meta.dirname, '../..');

// Electron lets its file:// page load module scripts; plain Chromium refuses them (origin "null") unless
// told otherwise. Harmless for the dev-server test, which loads over http.
const launch = playwrightConfig.use?.launchOptions ?? {};
test.use({ launchOptions: { ...launch, args: [...(launch.args ?? []), '--allow-file-access-from-files'] } });

declare global {
  interface Window {
    __cspViolations?: string[];
    $RefreshReg$?: unknown;
    __REACT_DEVTOOLS_GLOBAL_HOOK__?: { supportsFiber?: boolean };
  }
}

/** Console errors, uncaught page errors and CSP violations, gathered from the first byte on. */
async function watchForTrouble(page: Page): Promise<() => Promise<string[]>> {
  const trouble: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') trouble.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => trouble.push(`page error: ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window.__cspViolations ??= []).push(`${event.effectiveDirective} refused ${event.blockedURI}`);
    });
  });
  return async () =>
    // src-renderer/main.tsx sets zod's jitless mode, so not even its eval probe is reported.
    [...trouble, ...(await page.evaluate(() => window.__cspViolations ?? [])).map((v) => `CSP: ${v}`)];
}

test('the dev server renders the app under the development CSP, with React refresh installed', async ({
  page,
}) => {
  const { config } = await resolveConfig({ root: repo, logLevel: 'warn' }, 'serve', 'development');
  const renderer = config?.renderer;
  if (!renderer) throw new Error('electron.vite.config.ts has no renderer config');
  const server = await createServer(
    mergeConfig(renderer, { server: { host: '127.0.0.1', port: 0, strictPort: true } }),
  );
  try {
    await server.listen();
    const origin = new URL(server.resolvedUrls?.local[0] ?? '').origin;
    // No web-mode server stands behind the dev server: answer as one does to a request without a session.
    await page.route(`${origin}/api/**`, (route) =>
      route.fulfill({
        status: 401,
        contentType: 'application/json',
        body: JSON.stringify({
          ok: false,
          error: { code: 'unauthorized', message: 'log in with the token printed by mcp-fleet serve' },
        }),
      }),
    );
    const trouble = await watchForTrouble(page);
    const hmrSocket = page.waitForEvent('websocket');
    const hmrConnected = page.waitForEvent('console', (m) => m.text().includes('[vite] connected'));

    const response = await page.goto(`${origin}/`);
    const header = (await response?.allHeaders())?.['content-security-policy'];
    expect(header, 'the dev server sends the development policy as a header').toMatch(
      /script-src 'self' 'sha256-[A-Za-z0-9+/=]+';/,
    );
    expect(header).not.toBe(CONTENT_SECURITY_POLICY);

    await new AppShell(page).waitState('login');
    await expect(new LoginPage(page).root).toBeVisible();

    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(meta).toBe(metaTagPolicy(header ?? ''));
    // The hash in the policy is the hash of the inline preamble the page really carries.
    const inline = await page.evaluate(() =>
      [...document.querySelectorAll('script:not([src])')].map((s) => s.textContent ?? ''),
    );
    expect(inline).toHaveLength(1);
    const digest = createHash('sha256')
      .update(inline[0] ?? '')
      .digest('base64');
    expect(header).toContain(`'sha256-${digest}'`);

    expect((await hmrSocket).url()).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${new URL(origin).port}/`));
    await hmrConnected;
    // The preamble ran ($RefreshReg$) and imported the refresh runtime, which set up the global hook
    // React DOM reports to (headless Chromium has no DevTools extension that could have done it).
    const refresh = await page.evaluate(() => ({
      reg: typeof window.$RefreshReg$,
      hook: window.__REACT_DEVTOOLS_GLOBAL_HOOK__?.supportsFiber,
    }));
    expect(refresh, 'the React refresh runtime is installed').toEqual({ reg: 'function', hook: true });
    // Chromium logs every 4xx answer: these are the boot's app:info refused for want of a session.
    const refused = `console: Failed to load resource: the server responded with a status of 401 (Unauthorized) (${origin}/api/call/app:info)`;
    expect((await trouble()).filter((line) => line !== refused)).toEqual([]);
  } finally {
    await server.close();
  }
});

test('the build carries the strict policy and no inline script', () => {
  const html = readFileSync(join(repo, 'out', 'renderer', 'index.html'), 'utf8');
  const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
  expect(meta).toBe(metaTagPolicy(CONTENT_SECURITY_POLICY));
  expect(inlineScripts(html)).toEqual([]);
});

test('the build runs from an awkwardly named folder under the strict policy, and the sender check knows it', async ({
  page,
}, testInfo) => {
  // The folder names the issue lists: brackets, a percent sign, a literal %20, spaces, non-ASCII.
  const base = mkdtempSync(join(tmpdir(), 'fleet-install-'));
  try {
    const renderer = join(base, 'MCP Fleet [1] 100% a%20b é 日本', 'renderer');
    cpSync(join(repo, 'out', 'renderer'), renderer, { recursive: true });
    const indexFile = join(renderer, 'index.html');
    const trouble = await watchForTrouble(page);
    await page.goto(pathToFileURL(indexFile).href);
    // Without the preload's window.api the renderer tries web mode's server, which a file:// page does not
    // have: the boot error is the rendered screen here, and its failed request the one console error.
    await expect(page.getByTestId('app')).toHaveAttribute('data-app-state', 'error');
    await expect(page.getByTestId('boot-error')).toBeVisible();
    const missing = 'console: Failed to load resource: net::ERR_FILE_NOT_FOUND (file:///api/call/app:info)';
    expect((await trouble()).filter((line) => line !== missing)).toEqual([]);

    // Chromium's own spelling of the URL, which is what frame.url hands the IPC sender check.
    const seen = page.url();
    testInfo.annotations.push({ type: 'chromium url', description: seen });
    expect(isAppDocumentUrl(seen, { indexFile })).toBe(true);
    expect(isAppDocumentUrl(seen.replace('index.html', 'favicon.svg'), { indexFile })).toBe(false);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
