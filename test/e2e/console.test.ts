import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Roles } from '../../shared/domain/roles';
import { startApiHost, type ApiHost } from '../support/api-host';
import { launchBrowser, seriousViolations, until } from '../support/browser';
import { buildHireJson } from '../support/factories';
import { eventually } from '../support/http-client';

// The DSI console in a real Chromium against the local host: signed in through the development issuer's
// picker, every action goes through the page to the API (no call made for it behind its back).

const LEAD = 'responsable.dsi@example.org';
const AUDITOR = 'auditeur@example.org';
/** `CONSOLE_SCREENSHOTS=docs/console npx jest test/e2e/console` writes the README's screenshots. */
const SHOTS = process.env.CONSOLE_SCREENSHOTS;

let host: ApiHost['host'];
let api: ApiHost['api'];
let chef: string;
let hr: string;
let hired: ApiHost['hired'];
let browser: Browser;

beforeAll(async () => {
  ({ host, api, chef, hr, hired } = await startApiHost('console', { laptopStock: 5 }));
  browser = await launchBrowser();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser.close();
  await host.stop();
});

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** A fresh browser profile (nothing signed in), the page's errors collected. */
async function open(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(host.url);
  return { context, page, errors };
}

async function signIn(page: Page, persona: string): Promise<void> {
  await page.click(`[data-persona="${persona}"]`);
  await page.click('[data-action=sign-in]');
  await page.waitForSelector(`[data-user="${persona}"]`);
}

/** Reloads the screen until `selector` shows (the flows finish on the bus after the click). */
async function untilShown(page: Page, selector: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await page.locator(selector).count()) > 0) return;
    if (Date.now() > deadline) throw new Error(`${selector} not shown after ${timeoutMs} ms`);
    await page.waitForTimeout(300);
    await page.reload();
    await page.waitForSelector('.view');
  }
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

describe('the DSI console', () => {
  it('when an approver signs in, then they bulk-approve two onboardings, follow them to completed, read a timeline, add laptops, import a CSV through its dry run and download the export; axe finds no serious violation', async () => {
    const first = await hired(
      buildHireJson({ employee: { givenName: 'Anaïs', surname: 'Lefèvre', priority: 'continuity' } }),
    );
    const second = await hired(buildHireJson({ employee: { givenName: 'Bruno', surname: 'Garnier' } }));
    const { context, page, errors } = await open();
    await page.waitForSelector('[data-action=sign-in]');
    await expectAccessible(page);
    await shot(page, 'sign-in');
    await signIn(page, LEAD);

    // Approvals: both listed (continuity first), selected, approved at once through POST /api/decisions.
    await page.waitForSelector('table.approvals');
    const rows = page.locator('table.approvals tbody tr');
    expect(await rows.first().textContent()).toContain('Anaïs Lefèvre');
    await expectAccessible(page);
    await shot(page, 'approvals');
    await page.getByRole('checkbox', { name: new RegExp(first.id) }).check();
    await page.getByRole('checkbox', { name: new RegExp(second.id) }).check();
    await page.fill('textarea[name=comment]', 'PCA : télétravail dès lundi');
    await page.click('[data-action=approve-selected]');
    await page.waitForSelector('.live:has-text("2 décision(s) enregistrée(s), 0 refusée(s).")');
    for (const o of [first, second]) {
      const res = await api.get<{ status: string; decision: { by: string; comment: string } }>(
        `/api/onboardings/${o.id}`,
        chef,
      );
      expect(res.body.decision).toMatchObject({ by: LEAD, comment: 'PCA : télétravail dès lundi' });
    }

    // Both reach completed, as the list shows them.
    await page.goto(`${host.url}/#/onboardings?status=completed`);
    await untilShown(page, `table.onboardings tr:has-text("${first.id}") [data-status=completed]`);
    await untilShown(page, `table.onboardings tr:has-text("${second.id}") [data-status=completed]`);
    await expectAccessible(page);
    await shot(page, 'onboardings');

    // The timeline: steps with the serial given, the history with its actors, the chain verified.
    await page.click(`table.onboardings a:has-text("Anaïs Lefèvre")`);
    await page.waitForSelector('[data-chain=intact]');
    expect(await page.locator('table.history').textContent()).toContain(LEAD);
    expect(await page.locator('table.steps [data-status=done]').count()).toBe(3);
    await expectAccessible(page);
    await shot(page, 'timeline');

    // Stock: two laptops pasted, then in the list of available ones.
    await page.goto(`${host.url}/#/stock`);
    await page.fill('textarea[name=serials]', 'SN-CONSOLE-1;Latitude 5450;Orléans\nSN-CONSOLE-2');
    await page.click('[data-action=add-laptops]');
    await page.waitForSelector('.live:has-text("2 ajouté(s), 0 déjà connu(s).")');
    await page.waitForSelector('table.laptops td:has-text("SN-CONSOLE-1")');
    // ...and one from a CSV file (a header line, `;` as Excel writes it).
    await page.setInputFiles('form.card input[name=file]', {
      name: 'portables.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('serialNumber;model;site\r\nSN-CONSOLE-3;ThinkPad T14;Tours\r\n'),
    });
    await page.click('[data-action=add-laptops]');
    await page.waitForSelector('.live:has-text("1 ajouté(s), 0 déjà connu(s).")');
    const inventory = await host.token('stock@example.org', [Roles.inventoryManage]);
    const available = await api.get<{ items: { serialNumber: string; model: string }[] }>(
      '/api/laptops?status=available&limit=200',
      inventory,
    );
    expect(available.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ serialNumber: 'SN-CONSOLE-1', model: 'Latitude 5450' }),
        expect.objectContaining({ serialNumber: 'SN-CONSOLE-2', model: 'Latitude 5440' }),
        expect.objectContaining({ serialNumber: 'SN-CONSOLE-3', model: 'ThinkPad T14', site: 'Tours' }),
      ]),
    );
    await expectAccessible(page);
    await shot(page, 'stock');

    // A return of a laptop nobody knows: the API's problem, title and detail, on the page.
    await page.fill('input[name=serialNumber]', 'SN-UNKNOWN');
    await page.click('[data-action=record-return]');
    await page.waitForSelector('.alerts .problem');
    expect(await page.locator('.alerts .problem-title').textContent()).toBe('Not Found (404)');
    expect(await page.locator('.alerts .problem-detail').textContent()).toBe('no laptop SN-UNKNOWN');

    // Intake: a file as Excel saves it in French (Windows-1252, `;`, DD/MM/YYYY), checked, then imported.
    const csv = Buffer.from(
      "matricule;prénom;nom;upn;direction;site;date d'arrivée;priorité\r\n" +
        'E77001;Éloïse;Bérard;eloise.berard@example.org;Direction des lycées;Orléans;14/12/2026;PCA\r\n' +
        'E77002;Noël;Dupré;noel.dupre@example.org;Direction des finances;Tours;15/12/2026;standard\r\n',
      'latin1',
    );
    await page.goto(`${host.url}/#/intake`);
    await page.setInputFiles('input[name=file]', { name: 'arrivees.csv', mimeType: 'text/csv', buffer: csv });
    await page.click('[data-action=dry-run]');
    await page.waitForSelector('table.import-summary');
    const figures = await page.locator('table.import-summary tbody td').allTextContents();
    expect(figures.slice(0, 3)).toEqual(['2', '2', '1']);
    const before = await api.get<{ items: unknown[] }>('/api/onboardings?employeeId=E77001', chef);
    expect(before.body.items).toHaveLength(0); // a dry run queues nothing
    await expectAccessible(page);
    await shot(page, 'intake');
    await page.click('[data-action=confirm-import]');
    await page.waitForSelector('.live:has-text("2 arrivée(s) envoyée(s) au traitement.")');
    const imported = await eventually(
      () => api.get<{ items: { displayName: string; priority: string }[] }>('/api/onboardings?employeeId=E77001', chef),
      (res) => res.body.items.length === 1,
    );
    expect(imported.body.items[0]).toMatchObject({ displayName: 'Éloïse Bérard', priority: 'continuity' });

    // A file with a bad row: every error shown, with its line; nothing queued.
    await page.setInputFiles('input[name=file]', {
      name: 'faux.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        "matricule;prénom;nom;upn;direction;date d'arrivée\r\nE77003;Léa;Roy;lea.roy@example.org;DSI;31/02/2026\r\n",
        'latin1',
      ),
    });
    await page.click('[data-action=dry-run]');
    await page.waitForSelector('.problem');
    expect(await page.locator('.problem-title').textContent()).toBe('Bad Request (400)');
    expect(await page.locator('.problem li').first().textContent()).toMatch(/^Ligne 2 — startDate: /);

    // Reports: the chart and its figures; then the export, downloaded as the file the API streams.
    await page.goto(`${host.url}/#/reports`);
    await page.waitForSelector('svg.chart rect');
    await expectAccessible(page);
    await shot(page, 'reports');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action=export]')]);
    const file = readFileSync(await download.path());
    expect(file.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])); // UTF-8 BOM, for Excel
    const text = file.toString('utf8');
    expect(text).toContain(first.id);
    expect(text).toContain(second.id);
    expect(download.suggestedFilename()).toMatch(/^onboardings-\d{4}-\d{2}-\d{2}\.csv$/);

    // English on demand.
    await page.selectOption('select[name=lang]', 'en');
    await page.waitForSelector('nav a:has-text("Approvals")');
    expect(await page.locator('h1').first().textContent()).toBe('Reports');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it("when the approver filters and pages the list, decides on a timeline, retries a failed step and changes a priority, then each goes through the API and the page shows the API's answer", async () => {
    const department = 'Direction du numérique éducatif';
    const team: { id: string; userPrincipalName: string }[] = [];
    for (let i = 0; i < 12; i++) team.push(await hired(buildHireJson({ employee: { department } })));
    const { context, page, errors } = await open();
    await signIn(page, LEAD);

    // Filters (AND) and paging by continuation token, newest first.
    await page.goto(`${host.url}/#/onboardings`);
    await page.fill('form.filters input[name=department]', department);
    await page.selectOption('form.filters select[name=limit]', '10');
    await page.click('form.filters button[type=submit]');
    await until(page, 'location.hash.includes("limit=10")');
    // The list drawn before the filters stays until the filtered one arrives: wait for the latter.
    await until(page, 'document.querySelectorAll("table.onboardings tbody tr").length <= 10');
    expect(await page.locator('table.onboardings tbody tr').count()).toBe(10);
    const firstPage = await page.locator('table.onboardings tbody tr small').allTextContents();
    expect(firstPage[0]).toContain(team[11]!.id);
    await page.click('[data-action=next-page]');
    await page.waitForSelector('caption:has-text("Page 2")');
    expect(await page.locator('table.onboardings tbody tr').count()).toBe(2);
    expect(await page.locator('[data-action=next-page]').isDisabled()).toBe(true);
    await page.click('[data-action=previous-page]');
    await page.waitForSelector('caption:has-text("Page 1")');
    expect(await page.locator('table.onboardings tbody tr small').allTextContents()).toEqual(firstPage);

    // Approved from its timeline while Graph refuses the licence: the step's reason, then a retry completes it.
    host.tenant.injectFault('assignLicense', {
      status: 403,
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    const failing = team[0]!;
    await page.goto(`${host.url}/#/onboardings/${failing.id}`);
    await page.click('[data-action=approve]');
    await untilShown(page, '.facts [data-status=needs-attention]');
    expect(await page.locator('table.steps tr:has-text("Licence Microsoft 365")').textContent()).toContain(
      'Authorization_RequestDenied: Insufficient privileges to complete the operation.',
    );
    host.tenant.injectFault('assignLicense', null);
    await page.click('[data-action=retry]');
    await page.waitForSelector('.live:has-text("Relance demandée.")');
    await untilShown(page, '.facts [data-status=completed]');
    expect(await page.locator('[data-action=retry], [data-action=approve]').count()).toBe(0);

    // The agent leaves (a last day already past applies at once): the laptop comes back, recorded as fine.
    const laptop = (
      await api.get<{ steps: { laptop: { serialNumber: string } } }>(`/api/onboardings/${failing.id}`, chef)
    ).body.steps.laptop.serialNumber;
    const left = { eventId: `left-${failing.id}`, type: 'employee.left', occurredAt: '2026-11-29T08:00:00Z' };
    const employeeId = (await api.get<{ employeeId: string }>(`/api/onboardings/${failing.id}`, chef)).body.employeeId;
    expect(
      (await api.post('/api/hr-events', { ...left, employee: { employeeId, lastDay: '2026-01-02' } }, hr)).status,
    ).toBe(202);
    const inventory = await host.token('stock@example.org', [Roles.inventoryManage]);
    await eventually(
      () => api.get<{ items: { serialNumber: string }[] }>('/api/laptops?status=to-return', inventory),
      (res) => res.body.items.some((l) => l.serialNumber === laptop),
    );
    await page.goto(`${host.url}/#/stock`);
    await page.fill('input[name=serialNumber]', laptop);
    await page.selectOption('select[name=condition]', 'ok');
    await page.click('[data-action=record-return]');
    await page.waitForSelector(`.live:has-text("Retour enregistré : ${laptop} est disponible.")`);

    // A priority raised from the timeline: recorded with its actor.
    const raised = team[1]!;
    await page.goto(`${host.url}/#/onboardings/${raised.id}`);
    await page.selectOption('select[name=priority]', 'continuity');
    await page.click('[data-action=change-priority]');
    await page.waitForSelector('.live:has-text("Priorité changée.")');
    await page.waitForSelector('.facts .priority-continuity');
    const after = await api.get<{ priority: string }>(`/api/onboardings/${raised.id}`, chef);
    expect(after.body.priority).toBe('continuity');
    expect(await page.locator('table.history').textContent()).toContain(LEAD);

    // An expected delivery: recorded, counted by the forecast, then cancelled.
    await page.goto(`${host.url}/#/stock`);
    await page.fill('input[name=expectedOn]', '2031-01-15');
    await page.fill('input[name=count]', '40');
    await page.click('[data-action=add-delivery]');
    await page.waitForSelector('.live:has-text("Livraison enregistrée")');
    await page.waitForSelector('table.expected td:has-text("2031-01-15")');
    const forecast = await api.get<{ laptops: { expected: { on: string; count: number }[] } }>('/api/forecast', chef);
    expect(forecast.body.laptops.expected).toContainEqual({ on: '2031-01-15', count: 40 });
    await page.click('button:has-text("2031-01-15 × 40")');
    await page.waitForSelector('.live:has-text("Livraison annulée.")');
    expect(await page.locator('table.expected').count()).toBe(0);

    // A decision the API refuses (already decided): its problem, not a silent failure.
    await page.goto(`${host.url}/#/approvals`);
    await page.waitForSelector(`table.approvals tr:has-text("${team[2]!.id}")`);
    expect((await api.post(`/api/onboardings/${team[2]!.id}/decision`, { decision: 'reject' }, chef)).status).toBe(200);
    await page.click(`table.approvals tr:has-text("${team[2]!.id}") [data-action=approve]`);
    await page.waitForSelector('.alerts .problem');
    expect(await page.locator('.alerts .problem-title').textContent()).toBe('Conflict (409)');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('when an auditor signs in, then they read the waiting onboardings and a timeline with no button to decide, import or add stock, and axe finds no serious violation', async () => {
    const waiting = await hired(buildHireJson({ employee: { givenName: 'Chloé', surname: 'Moreau' } }));
    const { context, page, errors } = await open();
    await signIn(page, AUDITOR);
    await page.waitForSelector(`table.approvals tr:has-text("${waiting.id}")`);
    const deciding =
      '[data-action=approve], [data-action=reject], [data-action=approve-selected], [data-action=reject-selected]';
    expect(await page.locator(deciding).count()).toBe(0);
    expect(await page.locator('table.approvals input[type=checkbox]').count()).toBe(0);
    expect(await page.locator('nav a').allTextContents()).toEqual(['Validations', 'Arrivées', 'Stock', 'Rapports']);
    await expectAccessible(page);
    // The keyboard: the skip link first, to the content, and the screen stays; a tab moves the focus to its screen.
    const hash = await page.evaluate('location.hash');
    await page.reload(); // the keyboard from the top of a freshly loaded page
    await page.waitForSelector('table.approvals');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.className')).toBe('skip-link');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('[document.activeElement.id, location.hash]')).toEqual(['main', hash]);
    await page.click('nav a:has-text("Rapports")');
    await page.waitForSelector('svg.chart');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    await page.goBack();
    await page.waitForSelector('table.approvals');

    await page.click(`table.approvals a:has-text("Chloé Moreau")`);
    await page.waitForSelector('[data-chain=intact]');
    expect(await page.locator(`${deciding}, [data-action=retry], [data-action=change-priority]`).count()).toBe(0);
    await expectAccessible(page);

    await page.goto(`${host.url}/#/stock`);
    await page.waitForSelector('table.waiting, h3.caption');
    expect(
      await page.locator('[data-action=add-laptops], [data-action=record-return], [data-action=add-delivery]').count(),
    ).toBe(0);
    // The intake is not among the tabs, and its address shows the first tab instead.
    await page.goto(`${host.url}/#/intake`);
    await page.waitForSelector('table.approvals');
    expect(await page.locator('input[name=file]').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('when a person holds no role of the API, then the page says so and offers to sign out, never a blank page', async () => {
    const { context, page } = await open();
    await page.click('[data-persona="rh@example.org"]');
    await page.uncheck('input[value="HrEvents.Send"]');
    await page.click('[data-action=sign-in]');
    await page.waitForSelector('[role=alert]');
    expect(await page.locator('[role=alert]').textContent()).toContain('aucun rôle');
    await page.click('[data-action=sign-out]');
    await page.waitForSelector('[data-persona]');
    await context.close();
  }, 30_000);

  it('when more onboardings than one bulk request takes (200) are selected, then the page sends them in parts and every one is decided once', async () => {
    const nothing = { laptop: false, vpn: false, officeLicense: false };
    for (let i = 0; i < 205; i++) {
      const json = buildHireJson({ employee: { department: 'Direction des transports' }, needs: nothing });
      expect((await api.post('/api/hr-events', json, hr)).status).toBe(202);
    }
    await host.whenIdle();
    const waiting = await eventually(
      () =>
        api.get<{ items: unknown[]; continuationToken: string | null }>(
          '/api/onboardings?status=awaiting-approval&department=Direction%20des%20transports&limit=200',
          chef,
        ),
      (res) => res.body.continuationToken !== null,
    );
    expect(waiting.body.items).toHaveLength(200);
    const { context, page, errors } = await open();
    await signIn(page, LEAD);
    await page.waitForSelector('table.approvals');
    const rows = await page.locator('table.approvals tbody tr').count();
    expect(rows).toBeGreaterThanOrEqual(205);
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/decisions')) posts.push(r.postData() ?? '');
    });
    await page.getByRole('checkbox', { name: 'Tout sélectionner' }).check();
    await page.click('[data-action=approve-selected]');
    await page.waitForSelector(`.live:has-text("${rows} décision(s) enregistrée(s), 0 refusée(s).")`, {
      timeout: 30_000,
    });
    expect(posts.map((body) => (JSON.parse(body) as { decisions: unknown[] }).decisions.length)).toEqual([
      200,
      rows - 200,
    ]);
    const left = await api.get<{ items: unknown[] }>('/api/onboardings?status=awaiting-approval', chef);
    expect(left.body.items).toHaveLength(0);
    // Nothing left selected: the bulk buttons are off again.
    await page.waitForSelector('[data-action=approve-selected]:disabled');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
