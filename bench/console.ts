import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildConsole } from '../cli/build-console';
import { startLocalHost } from '../local/host';
import { Roles } from '../shared/domain/roles';
import { launchBrowser, until } from '../test/support/browser';
import { buildHireJson } from '../test/support/factories';
import { percentile, writeResult } from './harness';

/** A crisis morning's waiting list: this many onboardings await approval when the DSI opens the console. */
const WAITING = 1000;
const LOADS = 5;

/**
 * `npm run bench -- console`: the web console's weight (bundle bytes, raw and gzipped, build time) and, in
 * Debian's Chromium against the local host with 1,000 onboardings awaiting approval, the time from the
 * address to the drawn approvals list (median of 5 loads), and a bulk approval of all 1,000 (five requests
 * of 200) until the page says it is done.
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
  });
  const browser = await launchBrowser();
  try {
    const hr = await host.token('sirh@example.org', [Roles.hrEventsSend]);
    const nothing = { laptop: false, vpn: false, officeLicense: false };
    for (let i = 0; i < WAITING; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, WAITING - i) }, async () => {
          const res = await fetch(`${host.url}/api/hr-events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${hr}`, 'content-type': 'application/json' },
            body: JSON.stringify(buildHireJson({ needs: nothing })),
          });
          if (res.status !== 202) throw new Error(`hire: ${res.status}`);
        }),
      );
    }
    await host.whenIdle(120_000);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(host.url);
    await page.click('[data-action=sign-in]');
    await page.waitForSelector('table.approvals');
    const loads: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const t0 = Date.now();
      await page.reload();
      await until(page, `document.querySelectorAll('table.approvals tbody tr').length === ${WAITING}`, 60_000);
      loads.push(Date.now() - t0);
    }
    const t0 = Date.now();
    await page.getByRole('checkbox', { name: 'Tout sélectionner' }).check();
    await page.click('[data-action=approve-selected]');
    await page.waitForSelector(`.live:has-text("${WAITING} décision(s) enregistrée(s), 0 refusée(s).")`, {
      timeout: 300_000,
    });
    const bulkMs = Date.now() - t0;
    await context.close();
    const result = {
      bundle,
      [`approvals list of ${WAITING}, load to drawn (ms)`]: { p50: percentile(loads, 50), max: Math.max(...loads) },
      [`bulk approval of ${WAITING} (s)`]: Number((bulkMs / 1000).toFixed(1)),
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
