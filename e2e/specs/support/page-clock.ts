/**
 * Times taken in the page's own clock (performance.now()), so a measurement of the app leaves out the
 * test runner's round trips and Playwright's actionability checks, which on a busy 2-core machine can
 * cost more than what is measured. Holds across client-side navigation (same document).
 */
import type { Page } from '@playwright/test';

/**
 * Watches the page for the first moment `selector` matches (an element added or an attribute changed);
 * the returned function reads that moment in the page's clock, or null when it has not matched yet.
 */
export async function watchFirstMatch(page: Page, selector: string): Promise<() => Promise<number | null>> {
  const key = `__firstMatch_${Math.random().toString(36).slice(2)}`;
  await page.evaluate(
    ({ selector, key }) => {
      const seen = window as unknown as Record<string, number | undefined>;
      const check = (): void => {
        if (seen[key] !== undefined || !document.querySelector(selector)) return;
        seen[key] = performance.now();
        observer.disconnect();
      };
      const observer = new MutationObserver(check);
      observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true });
      check();
    },
    { selector, key },
  );
  return () =>
    page.evaluate((key) => (window as unknown as Record<string, number | undefined>)[key] ?? null, key);
}
