import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seriousViolations } from './browser';
import { rawValues } from './console-text';

/** The two languages and the two screens the console is tested in (issue 19's bar). */
export type Lang = 'fr' | 'en';
export interface Screen {
  name: 'desktop' | 'phone';
  width: number;
  height: number;
}
export const DESKTOP: Screen = { name: 'desktop', width: 1440, height: 900 };
export const PHONE: Screen = { name: 'phone', width: 390, height: 844 };

/** `CONSOLE_SCREENSHOTS=docs/console npx jest test/e2e/console` writes the README's screenshots. */
export const SHOTS = process.env.CONSOLE_SCREENSHOTS;
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Errors the page threw (none expected). */
  errors: string[];
}

/**
 * A fresh browser profile (nothing signed in) as a person of that language would have it: the browser's own
 * locale and Paris time, the console's language picked in its header (kept by the page), the page's errors
 * collected.
 */
export async function openConsole(browser: Browser, url: string, lang: Lang, screen: Screen): Promise<ConsolePage> {
  const context = await browser.newContext({
    viewport: { width: screen.width, height: screen.height },
    locale: lang === 'fr' ? 'fr-FR' : 'en-GB',
    timezoneId: 'Europe/Paris',
    acceptDownloads: true,
    ...(screen.name === 'phone' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('select[name=lang]');
  if (lang === 'en') {
    await page.selectOption('select[name=lang]', 'en');
    await page.waitForSelector('[data-action=sign-in]:has-text("Sign in")');
  }
  return { context, page, errors };
}

export async function signIn(page: Page, persona: string, roles?: string[]): Promise<void> {
  await page.click(`[data-persona="${persona}"]`);
  if (roles) {
    for (const box of await page.locator('input[name=roles]').all()) {
      const value = await box.getAttribute('value');
      if (roles.includes(value ?? '')) await box.check();
      else await box.uncheck();
    }
  }
  await page.click('[data-action=sign-in]');
  await page.waitForSelector(`[data-user="${persona}"]`);
}

/** Goes to a screen by its tab, as a person would (on a phone, through the menu). */
export async function goTo(page: Page, path: string): Promise<void> {
  const menu = page.locator('.menu-toggle');
  if (await menu.isVisible()) await menu.click();
  await page.click(`nav a[href="#/${path}"]`);
  await page.waitForSelector(`nav a[href="#/${path}"][aria-current=page]`, { state: 'attached' });
  await page.waitForSelector('main .view:not(:has(.loading))');
}

/**
 * What every screen must be: no serious or critical WCAG 2.2 AA violation (axe), and nothing raw on it (an event
 * type, a status value, an HTTP status, an ISO time, the other language).
 */
export async function expectClean(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
  expect(await rawValues(page)).toEqual([]);
}

export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

/** Reloads the screen until `selector` shows (the flows finish on the bus after the click). */
export async function untilShown(page: Page, selector: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await page.locator(selector).count()) > 0) return;
    if (Date.now() > deadline) throw new Error(`${selector} not shown after ${timeoutMs} ms`);
    await page.waitForTimeout(400);
    await page.reload();
    await page.waitForSelector('main .view:not(:has(.loading))');
  }
}
