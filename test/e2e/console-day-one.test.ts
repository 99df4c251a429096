import type { Browser, Page } from 'playwright-core';
import { addDays, dayInParis } from '../../shared/domain/paris-time';
import { Roles } from '../../shared/domain/roles';
import { startApiHost, type ApiHost } from '../support/api-host';
import { launchBrowser } from '../support/browser';
import { DESKTOP, expectClean, goTo, openConsole, PHONE, shot, signIn } from '../support/console-page';
import { upnOf } from '../support/console-world';
import { buildHireJson } from '../support/factories';
import { eventually } from '../support/http-client';

// Day one from home in the console (issue 21): the stock's manager hands five laptops over from the line of
// those to hand over (one click a pickup, a tracking number for one sent, a serial typed as a scanner types it)
// and stocks headsets for the agent waiting for one; the DSI lead issues a Temporary Access Pass and reads it
// once; a manager with no role follows their new agent on a phone. The browser's clock is the real one: the
// agents start tomorrow, so a pass may be issued today (from the day before the start date).

const TOMORROW = addDays(dayInParis(new Date()), 1);
const MANAGER = 'agent0100@example.org';

interface OnboardingBody {
  id: string;
  displayName: string;
  userPrincipalName: string;
  status: string;
  steps: {
    laptop: {
      status: string;
      serialNumber?: string;
      handover?: { method: string; at: string; by: string; trackingNumber?: string };
    };
    accessories: { status: string };
  };
}
interface LaptopBody {
  serialNumber: string;
  onboardingId: string | null;
  holderName: string | null;
  handedOverAt: string | null;
}

let h: ApiHost;
let browser: Browser;
let stock: string;

beforeAll(async () => {
  h = await startApiHost('console-day-one', {
    laptopStock: 12,
    env: { ...process.env, LOCAL_AGENTS: '950', Provisioning__retryBaseSeconds: '0.2' },
  });
  stock = await h.host.token('stock.dsi@example.org', [Roles.inventoryManage]);
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser.close();
  await h.host.stop();
});

/** Hires these agents (named, tomorrow), approves them, and waits until each is as `done` says. */
async function equipped(
  names: [string, string][],
  o: { managerUpn?: string; accessories?: string[]; done?: (x: OnboardingBody) => boolean } = {},
): Promise<OnboardingBody[]> {
  const out: OnboardingBody[] = [];
  for (const [i, [given, surname]] of names.entries()) {
    const n = 500 + Math.floor(Math.random() * 100_000) + i;
    const hire = await h.hired<OnboardingBody>(
      buildHireJson({
        employee: {
          givenName: given,
          surname,
          userPrincipalName: upnOf(given, surname, n),
          startDate: TOMORROW,
          ...(o.managerUpn ? { managerUpn: o.managerUpn } : {}),
        },
        ...(o.accessories
          ? { needs: { laptop: true, vpn: true, officeLicense: true, accessories: o.accessories } }
          : {}),
      }),
    );
    expect((await h.api.post(`/api/onboardings/${hire.id}/decision`, { decision: 'approve' }, h.chef)).status).toBe(
      200,
    );
    out.push(hire);
  }
  const done = o.done ?? ((x: OnboardingBody) => x.status === 'completed');
  return Promise.all(
    out.map((x) =>
      eventually(async () => (await h.api.get<OnboardingBody>(`/api/onboardings/${x.id}`, h.chef)).body, done, 30_000),
    ),
  );
}

/** The row of the line of laptops to hand over for this agent. */
const rowOf = (page: Page, serial: string) => page.locator(`table.to-hand-over tr[data-serial="${serial}"]`);

describe('the stock manager on a crisis morning', () => {
  it('when five laptops are handed over from the line (three picked up, one sent with its tracking number, one scanned) and headsets are stocked for the agent waiting for one, then each laptop reached its agent once, as recorded, and the agent gets the headset', async () => {
    const five = await equipped([
      ['Hélène', 'Lefèvre'],
      ['Loïc', 'Mercier'],
      ['Zoé', 'Garnier'],
      ['Théo', 'Chevalier'],
      ['Inès', 'Bonnet'],
    ]);
    const [waiting] = await equipped([['Maël', 'Rousseau']], {
      accessories: ['headset'],
      done: (x) => x.steps.accessories.status === 'waiting' && x.steps.laptop.status === 'done',
    });
    const { context, page, errors } = await openConsole(browser, h.host.url, 'fr', DESKTOP);
    await signIn(page, 'stock.dsi@example.org');
    await goTo(page, 'stock');
    await page.waitForSelector('table.to-hand-over');
    // Names, not ids: each agent's row under their name.
    for (const o of five) {
      await page.waitForSelector(`table.to-hand-over tr[data-serial="${o.steps.laptop.serialNumber}"]`);
      expect(await rowOf(page, o.steps.laptop.serialNumber!).textContent()).toContain(o.displayName);
    }
    expect(await page.locator('[data-section=accessories] [data-accessories-waiting]').textContent()).toContain(
      '1 agent attend un accessoire : casque',
    );
    await expectClean(page);
    await shot(page, 'stock-handover-fr-desktop', true);

    const serial = (i: number) => five[i]!.steps.laptop.serialNumber!;
    // Three picked up at the site: one click each.
    for (const i of [0, 1, 2]) {
      await rowOf(page, serial(i)).locator('[data-action=hand-over]').click();
      await page.waitForSelector(`.live:has-text("Portable ${serial(i)} remis à ${five[i]!.displayName}")`);
      await rowOf(page, serial(i)).waitFor({ state: 'detached' });
    }
    // One sent: the dialog asks for the tracking number; cancelling records nothing.
    await rowOf(page, serial(3)).locator('[data-action=send]').click();
    await page.click('dialog [data-action=cancel-dialog]');
    expect(await rowOf(page, serial(3)).count()).toBe(1);
    await rowOf(page, serial(3)).locator('[data-action=send]').click();
    await page.fill('dialog textarea[name=reason]', 'COLI-8H42-55');
    await page.click('dialog [data-action=confirm-dialog]');
    await rowOf(page, serial(3)).waitFor({ state: 'detached' });
    // One scanned: a scanner types the label, then Enter.
    await page.fill('input[name=handoverSerial]', serial(4).toLowerCase());
    await page.press('input[name=handoverSerial]', 'Enter');
    await rowOf(page, serial(4)).waitFor({ state: 'detached' });
    // Scanned twice: said in words, nothing recorded again.
    await page.fill('input[name=handoverSerial]', serial(4));
    await page.press('input[name=handoverSerial]', 'Enter');
    await page.waitForSelector('.alerts [role=alert]:has-text("déjà été remis")');

    // Headsets in: the waiting agent's is served in the line's order.
    await page.selectOption('select[name=kind]', 'headset');
    await page.fill('input[name=accessoryCount]', '10');
    await page.fill('input[name=accessorySite]', 'Orléans');
    await page.click('[data-action=add-accessories]');
    await page.waitForSelector('table.accessories tr[data-kind=headset][data-site="Orléans"]');
    await expectClean(page);
    expect(errors).toEqual([]);
    await context.close();

    for (const [i, o] of five.entries()) {
      const now = (await h.api.get<OnboardingBody>(`/api/onboardings/${o.id}`, h.chef)).body;
      const { at, ...handover } = now.steps.laptop.handover ?? { at: '' };
      expect(Number.isNaN(Date.parse(at))).toBe(false);
      expect(handover).toEqual({
        method: i === 3 ? 'delivery' : 'pickup',
        by: 'stock.dsi@example.org',
        ...(i === 3 ? { trackingNumber: 'COLI-8H42-55' } : {}),
      });
    }
    const left = (await h.api.get<{ items: LaptopBody[] }>('/api/laptops?status=assigned&handedOver=false', stock)).body
      .items;
    expect(left.map((l) => l.onboardingId)).not.toEqual(expect.arrayContaining([five[0]!.id]));
    expect(left.filter((l) => five.some((o) => o.id === l.onboardingId))).toEqual([]);
    await eventually(
      async () => (await h.api.get<OnboardingBody>(`/api/onboardings/${waiting!.id}`, h.chef)).body,
      (x) => x.steps.accessories.status === 'done',
      15_000,
    );
  }, 120_000);
});

describe('day one from home', () => {
  it('when the DSI lead issues an access pass from the record, then it is shown once, large, with a copy button, a countdown and how the agent uses it; once closed it is nowhere on the page, and it signs the agent in', async () => {
    const [agent] = await equipped([['Chloé', 'Fournier']]);
    const { context, page, errors } = await openConsole(browser, h.host.url, 'fr', DESKTOP);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.host.url });
    await signIn(page, 'responsable.dsi@example.org');
    await page.goto(`${h.host.url}/#/onboardings/${encodeURIComponent(agent!.id)}`);
    await page.click('[data-action=access-pass]');
    // Asked first: a new pass replaces the agent's.
    await page.waitForSelector('dialog.confirm:has-text("remplacé")');
    await page.click('dialog [data-action=confirm-dialog]');
    const code = page.locator('dialog.access-pass [data-tap]');
    await code.waitFor();
    const pass = (await code.textContent()) ?? '';
    expect(pass.length).toBeGreaterThanOrEqual(8);
    const dialog = page.locator('dialog.access-pass');
    expect(await dialog.textContent()).toContain(
      `Connectez-vous avec votre adresse ${agent!.userPrincipalName} et ce code, puis enregistrez Microsoft Authenticator.`,
    );
    // Tomorrow 07:00 in Paris: a countdown to when it becomes usable, then its lifetime.
    expect(await dialog.locator('[data-countdown]').textContent()).toMatch(/^Utilisable dans \d+ h \d+ min\.$/);
    expect(await dialog.textContent()).toContain('Utilisable une seule fois');
    // Large: the code is the largest text of the page.
    const size = Number(
      await page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('dialog.access-pass [data-tap]')).fontSize)",
      ),
    );
    expect(size).toBeGreaterThanOrEqual(24);
    await page.click('[data-action=copy-pass]');
    await page.waitForSelector('dialog.access-pass [role=status]:has-text("Code copié.")');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(pass);
    await expectClean(page);
    await shot(page, 'access-pass-fr-desktop');

    await page.click('[data-action=close-pass]');
    await dialog.waitFor({ state: 'detached' });
    await page.waitForSelector(`.live:has-text("Passe d’accès délivré à ${agent!.displayName}")`);
    expect(await page.content()).not.toContain(pass);
    // The record read again: the history says who asked and the validity, never the pass.
    await page.reload();
    await page.waitForSelector('table.history:has-text("Passe d’accès temporaire délivré")');
    expect(await page.content()).not.toContain(pass);
    expect(errors).toEqual([]);
    await context.close();

    // The code read once is the agent's: it signs them in on the first day, once.
    const tenantPass = h.host.tenant.accessPassOf(agent!.userPrincipalName);
    const usableAt = Date.parse(tenantPass!.startDateTime) + 60_000;
    expect(h.host.tenant.signInWithAccessPass(agent!.userPrincipalName, pass, usableAt)).toBe(true);
    expect(h.host.tenant.signInWithAccessPass(agent!.userPrincipalName, pass, usableAt + 1000)).toBe(false);
  }, 120_000);
});

describe('a manager follows their new agent', () => {
  it('when a manager with no role signs in on a phone, then « Mes arrivées » is their only screen, with their agent, each step in words, the laptop handed over, and not another manager’s agent', async () => {
    const [mine] = await equipped([['Solène', 'Marchal']], { managerUpn: MANAGER });
    const [other] = await equipped([['Hugo', 'Vidal']], { managerUpn: 'agent0101@example.org' });
    expect(
      (await h.api.post(`/api/laptops/${mine!.steps.laptop.serialNumber}/handover`, { method: 'pickup' }, stock))
        .status,
    ).toBe(200);

    const { context, page, errors } = await openConsole(browser, h.host.url, 'fr', PHONE);
    await page.fill('input[name=user]', MANAGER);
    for (const box of await page.locator('input[name=roles]').all()) await box.uncheck();
    await page.click('[data-action=sign-in]');
    await page.waitForSelector(`[data-user="${MANAGER}"]`);
    await page.waitForSelector(`li[data-arrival="${mine!.id}"]`);
    // The only screen: one tab, and no other screen's address opens.
    expect(await page.locator('nav a').allTextContents()).toEqual(['Mes arrivées']);
    await page.goto(`${h.host.url}/#/stock`);
    await page.waitForSelector(`li[data-arrival="${mine!.id}"]`);
    const card = page.locator(`li[data-arrival="${mine!.id}"]`);
    const text = (await card.textContent()) ?? '';
    expect(text).toContain(mine!.displayName);
    expect(text).toContain('équipé');
    expect(await card.locator('[data-step=laptop] [data-status]').textContent()).toBe('fait');
    expect(await card.locator('[data-step=vpn] [data-status]').textContent()).toBe('fait');
    expect(await card.locator('[data-handed-over]').textContent()).toMatch(
      /^Portable remis le .+ \(retiré sur site\)\.$/,
    );
    expect(await page.locator(`li[data-arrival="${other!.id}"]`).count()).toBe(0);
    expect(await page.content()).not.toContain(other!.displayName);
    await expectClean(page);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'arrivals-fr-phone', true);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
