import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildConsole } from '../../cli/build-console';
import { chromiumExecutable } from './chromium';

/**
 * Headless Chromium on this machine's closed network: without the background-networking flags it keeps
 * trying to reach Google's hosts at every start.
 */
export async function launchBrowser(): Promise<Browser> {
  // The console as `npm run build` writes it (dist/console), so that the host serves this tree's page.
  buildConsole(path.resolve(__dirname, '..', '..', 'dist'));
  return chromium.launch({
    executablePath: chromiumExecutable(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core in the page (WCAG 2.0, 2.1 and 2.2, levels A and AA) and answers the violations of impact
 * serious or critical. Evaluated through the DevTools protocol, which the page's CSP does not govern, so
 * that the page is checked with its real policy.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(AXE_SOURCE);
  const options = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } };
  const violations = await page.evaluate<AxeViolation[]>(
    `axe.run(document, ${JSON.stringify(options)}).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) })))`,
  );
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Waits until `expression` is true in the page, polled from here: Playwright's own `waitForFunction` polls
 * with an eval in the page, which the console's CSP (`script-src 'self'`, no 'unsafe-eval') refuses.
 */
export async function until(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(expression))) {
    if (Date.now() > deadline) throw new Error(`${expression} still false after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
