import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildConsole } from '../cli/build-console';
import { startLocalHost } from '../local/host';
import { Roles } from '../shared/domain/roles';
import type { Page } from 'playwright-core';
import { launchBrowser, until } from '../test/support/browser';
import { buildHireJson } from '../test/support/factories';
import { percentile, writeResult } from './harness';

/** A crisis morning: this many onboardings await approval, and as many approved wait for a laptop. */
const WAITING = 1000;
const IN_LINE = 1000;
const LOADS = 5;

/** Sends these hires as HR does, 50 at a time, and answers their event ids' employee ids. */
async function hire(url: string, token: string, n: number, needs: Record<string, boolean>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, async () => {
        const json = buildHireJson({ needs });
        ids.push((json.employee as { employeeId: string }).employeeId);
        const res = await fetch(`${url}/api/hr-events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(json),
        });
        if (res.status !== 202) throw new Error(`hire: ${res.status}`);
      }),
    );
  }
  return ids;
}

/** From the address to the screen drawn, `LOADS` times: median and max in ms. */
async function loads(page: Page, url: string, drawn: string): Promise<{ p50: number; max: number }> {
  const times: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    await page.goto('about:blank');
    const t0 = Date.now();
    await page.goto(url);
    await until(page, drawn, 60_000);
    times.push(Date.now() - t0);
  }
  return { p50: percentile(times, 50), max: Math.max(...times) };
}

/**
 * `npm run bench -- console`: the web console's weight (bundle bytes, raw and gzipped, build time) and, in
 * Chromium against the local host with 1,000 onboardings awaiting approval and 1,000 approved in the line for a
 * laptop (none in stock), the time from the address to each screen drawn (median of 5: the approvals list, the
 * Stock screen with its line, the reports), and a bulk approval of all 1,000 waiting (selected at once, confirmed,
 * sent 200 at a time with a progress bar) until the page says it is done.
 */
export async function consoleBench() {
  const started = Date.now();
  const dir = buildConsole(mkdtempSync(path.join(tmpdir(), 'console-bench-')), { sourceMap: false });
  const buildMs = Date.now() - started;
  const js = readFileSync(path.join(dir, 'app.js'));
  const css = readFileSync(path.join(dir, 'app.css'));
  const bundle = {
    'build (ms)': buildMs,
    'app.js (KiB)': Math.round(js.length / 1024),
    'app.js gzip (KiB)': Math.round(gzipSync(js).length / 1024),
    'app.css (KiB)': Math.round(css.length / 1024),
  };

  const host = await startLocalHost({
    port: 0,
    stateDir: mkdtempSync(path.join(tmpdir(), 'console-bench-host-')),
    logHandler: () => undefined,
    laptopStock: 0,
  });
  const browser = await launchBrowser();
  try {
    const hr = await host.token('sirh@example.org', [Roles.hrEventsSend]);
    const chef = await host.token('chef.dsi@example.org', [Roles.onboardingApprove]);
    // The line: approved, their VPN and licence done, each waiting for a laptop.
    const inLine = await hire(host.url, hr, IN_LINE, { laptop: true, vpn: false, officeLicense: false });
    await host.whenIdle(120_000);
    const items: { id: string; employeeId: string }[] = [];
    for (let token: string | null = ''; token !== null;) {
      const q = new URLSearchParams({ status: 'awaiting-approval', limit: '200' });
      if (token) q.set('continuationToken', token);
      const res = await fetch(`${host.url}/api/onboardings?${q.toString()}`, {
        headers: { authorization: `Bearer ${chef}` },
      });
      const page = (await res.json()) as {
        items: { id: string; employeeId: string }[];
        continuationToken: string | null;
      };
      items.push(...page.items);
      token = page.continuationToken;
    }
    const mine = new Set(inLine);
    const ids = items.filter((o) => mine.has(o.employeeId)).map((o) => o.id);
    for (let i = 0; i < ids.length; i += 200) {
      const res = await fetch(`${host.url}/api/decisions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${chef}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          decisions: ids.slice(i, i + 200).map((onboardingId) => ({ onboardingId, decision: 'approve' })),
        }),
      });
      if (res.status !== 200) throw new Error(`decisions: ${res.status}`);
    }
    await hire(host.url, hr, WAITING, { laptop: false, vpn: false, officeLicense: false });
    // The line keeps the bus busy (each waiting step is looked at again): ready once the counts say so.
    const deadline = Date.now() + 300_000;
    for (;;) {
      const [counts, forecast] = await Promise.all(
        ['onboardings/counts', 'forecast'].map(async (route) => {
          const res = await fetch(`${host.url}/api/${route}`, { headers: { authorization: `Bearer ${chef}` } });
          return res.json() as Promise<{ byStatus?: Record<string, number>; waiting?: unknown[] }>;
        }),
      );
      if ((counts?.byStatus?.['awaiting-approval'] ?? 0) >= WAITING && (forecast?.waiting?.length ?? 0) >= IN_LINE)
        break;
      if (Date.now() > deadline) throw new Error('the waiting list and the line were not there after 300 s');
      await new Promise((r) => setTimeout(r, 1000));
    }

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'fr-FR' });
    const page = await context.newPage();
    await page.goto(host.url);
    await page.click('[data-action=sign-in]');
    await page.waitForSelector('[data-user]');
    const approvals = await loads(
      page,
      `${host.url}/#/approvals`,
      "document.querySelectorAll('table.approvals tbody tr').length > 0",
    );
    const stock = await loads(
      page,
      `${host.url}/#/stock`,
      "document.querySelectorAll('table.waiting tbody tr').length > 0",
    );
    const reports = await loads(page, `${host.url}/#/reports`, "document.querySelector('svg.chart') !== null");

    await page.goto(`${host.url}/#/approvals`);
    await page.waitForSelector('table.approvals tbody tr');
    const t0 = Date.now();
    await page.click('[data-action=select-all]');
    await page.click('[data-action=approve-selected]');
    await page.click('dialog [data-action=confirm-dialog]');
    const progressShown = await page
      .waitForSelector('.progress progress', { timeout: 10_000 })
      .then(() => true)
      .catch(() => false);
    await page.waitForSelector('.live:has-text("décisions enregistrées")', { timeout: 300_000 });
    const bulkMs = Date.now() - t0;
    const said = (await page.locator('.live').textContent()) ?? '';
    await context.close();
    const result = {
      bundle,
      [`approvals list of ${WAITING}, address to drawn (ms)`]: approvals,
      [`stock with ${IN_LINE} in the line, address to drawn (ms)`]: stock,
      'reports, address to drawn (ms)': reports,
      [`bulk approval of ${WAITING} (s)`]: Number((bulkMs / 1000).toFixed(1)),
      'bulk approval: progress shown': progressShown,
      'bulk approval: the page said': said.replace(/\s+/g, ' ').trim(),
    };
    console.log('\nconsole');
    console.table(bundle);
    console.log(result);
    writeResult('console', result);
    return result;
  } finally {
    await browser.close();
    await host.stop();
  }
}
