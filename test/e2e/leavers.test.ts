import { endOfDayInParis, dayInParis, nextDay } from '../../shared/domain/paris-time';
import { Roles } from '../../shared/domain/roles';
import { startApiHost, type ApiHost } from '../support/api-host';
import { buildHireJson } from '../support/factories';
import { eventually } from '../support/http-client';
import { movableClock } from '../support/movable-clock';

// Leavers (contract, "The life of an onboarding" 8): access removed at the end of the last day in
// Europe/Paris and not before, the freed seat serving the next agent waiting for one, the laptop returned and
// served to the first continuity agent waiting; `repair` kept out of stock.

interface StepBody {
  status: string;
  serialNumber?: string;
  detail?: string;
}
interface OnboardingBody {
  id: string;
  employeeId: string;
  userPrincipalName: string;
  status: string;
  departure: { lastDay: string } | null;
  steps: { laptop: StepBody; vpn: StepBody; officeLicense: StepBody };
}
interface LaptopBody {
  serialNumber: string;
  status: string;
  onboardingId: string | null;
}

/**
 * The service runs two minutes before the end of a day in Paris (its bus with it); once the agents are
 * equipped or in line the test moves the clock on to three seconds before midnight, and the last day ends
 * during the test, in real seconds.
 */
const LAST_DAY = '2027-03-12';
const END = endOfDayInParis(LAST_DAY).getTime();
const time = movableClock(END - 120_000);
const clock = time.clock;

let h: ApiHost;
let stock: string;

beforeAll(async () => {
  h = await startApiHost('leavers', {
    clock,
    laptopStock: 1,
    env: {
      ...process.env,
      LOCAL_LICENSE_SEATS: '1',
      // A seat comes to the waiting agent because one is freed, not because a re-check happens to look.
      Provisioning__waitingRecheckSeconds: '86400',
    },
  });
  time.onMove(() => h.host.bus.clockChanged());
  stock = await h.host.token('stock.dsi@example.org', [Roles.inventoryManage]);
}, 30_000);
afterAll(() => h.host.stop());

const read = async (id: string) => (await h.api.get<OnboardingBody>(`/api/onboardings/${id}`, h.chef)).body;
const until = (id: string, done: (o: OnboardingBody) => boolean, timeoutMs = 15_000) =>
  eventually(() => read(id), done, timeoutMs);
const approve = async (id: string) =>
  expect((await h.api.post(`/api/onboardings/${id}/decision`, { decision: 'approve' }, h.chef)).status).toBe(200);
const left = (employeeId: string, lastDay: string, eventId = `left-${employeeId}-${lastDay}`) => ({
  eventId,
  type: 'employee.left',
  occurredAt: '2027-03-01T08:00:00Z',
  employee: { employeeId, lastDay },
});
const laptopsWith = async (status: string) =>
  (await h.api.get<{ items: LaptopBody[] }>(`/api/laptops?status=${status}`, stock)).body.items;
const returnLaptop = (serial: string, condition: 'ok' | 'repair', token = stock) =>
  h.api.post<LaptopBody>(`/api/laptops/${serial}/return`, { condition, comment: 'rendu au guichet' }, token);

describe('a leaver', () => {
  it('keeps access until the end of the last day (Europe/Paris); then VPN and licence are removed, the seat serves the next agent, and the laptop, once returned ok, the first continuity agent waiting; repair keeps it out', async () => {
    expect(dayInParis(clock.now())).toBe(LAST_DAY);
    // A, equipped with the only laptop and the only seat.
    const a = await h.hired<OnboardingBody>(buildHireJson({ employee: { priority: 'standard' } }));
    await approve(a.id);
    const equipped = await until(a.id, (o) => o.status === 'completed');
    const serial = equipped.steps.laptop.serialNumber ?? '';
    expect(h.host.tenant.isVpnMember(a.userPrincipalName)).toBe(true);
    expect(h.host.tenant.hasLicense(a.userPrincipalName)).toBe(true);

    // B (standard) then C (continuity) wait for a laptop and a seat.
    const b = await h.hired<OnboardingBody>(buildHireJson({ employee: { startDate: '2027-03-15' } }));
    const c = await h.hired<OnboardingBody>(
      buildHireJson({ employee: { priority: 'continuity', startDate: '2027-03-20' } }),
    );
    await approve(b.id);
    await approve(c.id);
    for (const id of [b.id, c.id]) {
      await until(id, (o) => o.steps.laptop.status === 'waiting' && o.steps.officeLicense.status === 'waiting');
    }

    // A leaves, the last day being today: leaving, nothing removed yet.
    expect((await h.api.post('/api/hr-events', left(a.employeeId, LAST_DAY), h.hr)).status).toBe(202);
    const leaving = await until(a.id, (o) => o.status === 'leaving');
    expect(leaving.departure).toEqual({ lastDay: LAST_DAY });
    expect(leaving.steps.vpn.status).toBe('done');
    // The forecast expects A's laptop and seat the day after the last day, for C first (continuity).
    const forecast = await h.api.get<{
      laptops: { expected: { on: string; count: number }[] };
      waiting: { onboardingId: string; position: number; expectedBy: string | null }[];
    }>('/api/forecast', h.chef);
    expect(forecast.body.laptops.expected).toEqual([{ on: nextDay(LAST_DAY), count: 1 }]);
    expect(forecast.body.waiting.map((w) => [w.onboardingId, w.position, w.expectedBy])).toEqual([
      [c.id, 1, nextDay(LAST_DAY)],
      [b.id, 2, null],
    ]);
    time.moveTo(END - 3000);
    // Three seconds before midnight in Paris: still there.
    expect(clock.now().getTime()).toBeLessThan(END);
    expect(h.host.tenant.isVpnMember(a.userPrincipalName)).toBe(true);
    expect(h.host.tenant.hasLicense(a.userPrincipalName)).toBe(true);
    expect((await read(a.id)).steps.officeLicense.status).toBe('done');

    // After it: removed, the laptop expected back, the seat given to the first in line (C, continuity).
    const gone = await until(
      a.id,
      (o) => o.steps.vpn.status === 'reverted' && o.steps.officeLicense.status === 'reverted',
    );
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(END);
    expect(gone.status).toBe('leaving');
    expect(gone.steps.laptop.status).toBe('returning');
    expect(h.host.tenant.isVpnMember(a.userPrincipalName)).toBe(false);
    expect(h.host.tenant.hasLicense(a.userPrincipalName)).toBe(false);
    expect((await laptopsWith('to-return')).map((l) => [l.serialNumber, l.onboardingId])).toEqual([[serial, a.id]]);
    const seated = await until(c.id, (o) => o.steps.officeLicense.status === 'done');
    expect(seated.steps.laptop.status).toBe('waiting');
    expect((await read(b.id)).steps.officeLicense.status).toBe('waiting');

    // Only a person with Inventory.Manage records a return; a laptop that is not out cannot be returned.
    const app = await h.host.appToken('inventory-sync', [Roles.inventoryManage]);
    expect((await returnLaptop(serial, 'ok', app)).status).toBe(403);
    expect((await returnLaptop('NO-SUCH-LAPTOP', 'ok')).status).toBe(404);

    // Returned for repair: A has left, the laptop stays out of stock, nobody gets it.
    const repaired = await returnLaptop(serial, 'repair');
    expect(repaired.status).toBe(200);
    expect(repaired.body).toMatchObject({ serialNumber: serial, status: 'repair', onboardingId: null });
    const gone2 = await until(a.id, (o) => o.status === 'left');
    expect(gone2.steps.laptop).toMatchObject({ status: 'reverted' });
    await h.host.whenIdle();
    await new Promise((r) => setTimeout(r, 1500)); // an allocation pass would have run by now
    expect((await read(c.id)).steps.laptop.status).toBe('waiting');
    expect(h.host.tenant.deviceUser(serial)).toBe(a.userPrincipalName);

    // Back from repair, ok: its Autopilot user removed, in stock, and served to C (continuity) before B.
    const ok = await returnLaptop(serial, 'ok');
    expect(ok.status).toBe(200);
    const served = await until(c.id, (o) => o.status === 'completed');
    expect(served.steps.laptop.serialNumber).toBe(serial);
    expect(
      h.host.tenant.effectsOf('device-user-unassigned').some((e) => e.detail === serial || e.target === serial),
    ).toBe(true);
    expect(h.host.tenant.deviceUser(serial)?.toLowerCase()).toBe(c.userPrincipalName.toLowerCase());
    expect((await read(b.id)).steps.laptop.status).toBe('waiting');
    // Out of stock again (assigned to C): not returnable.
    expect((await returnLaptop(serial, 'ok')).status).toBe(409);

    const history = (
      await h.api.get<{ items: { type: string; actor: string }[] }>(`/api/onboardings/${a.id}/history`, h.chef)
    ).body.items;
    expect(history.map((e) => e.type)).toEqual(
      expect.arrayContaining(['onboarding.leaving', 'departure.access-removed', 'laptop.returned', 'onboarding.left']),
    );
    expect(history.find((e) => e.type === 'laptop.returned')?.actor).toBe('stock.dsi@example.org');

    // The same event again (a redelivery, a replay) removes nothing twice. Sent under other message ids, as
    // after Service Bus's duplicate window, so that the handlers see them: the HR event and the departure.
    const removals = h.host.tenant.effectsOf('license-removed').length;
    const entries = history.length;
    expect((await h.api.post('/api/hr-events', left(a.employeeId, LAST_DAY), h.hr)).status).toBe(202);
    await h.host.bus.send('hr-events', [{ messageId: 'left-replayed', body: left(a.employeeId, LAST_DAY) }]);
    await h.host.bus.send('departures', [
      { messageId: 'departure-replayed', body: { onboardingId: a.id, lastDay: LAST_DAY } },
    ]);
    await h.host.whenIdle();
    expect(h.host.tenant.effectsOf('license-removed').length).toBe(removals);
    expect((await read(a.id)).status).toBe('left');
    const replayed = (
      await h.api.get<{ items: { type: string }[] }>(`/api/onboardings/${a.id}/history`, h.chef)
    ).body.items.slice(entries);
    expect(replayed.filter((e) => e.type.startsWith('departure.') || e.type.startsWith('onboarding.'))).toEqual([]);

    // A later hire of the same employee opens a new onboarding.
    const rehire = buildHireJson({ employee: { employeeId: a.employeeId, userPrincipalName: a.userPrincipalName } });
    expect((await h.api.post('/api/hr-events', rehire, h.hr)).status).toBe(202);
    const again = await eventually(
      () => h.api.get<{ items: OnboardingBody[] }>(`/api/onboardings?employeeId=${a.employeeId}`, h.chef),
      (res) => res.body.items.length === 2,
    );
    expect(again.body.items.map((o) => [o.id, o.status])).toEqual([
      [`${a.employeeId}.2`, 'awaiting-approval'],
      [a.id, 'left'],
    ]);
  }, 90_000);

  it('whose onboarding is not finished is cancelled as a cancelled hire is', async () => {
    const d = await h.hired<OnboardingBody>(buildHireJson());
    expect((await h.api.post('/api/hr-events', left(d.employeeId, '2027-04-30'), h.hr)).status).toBe(202);
    const cancelled = await until(d.id, (o) => o.status === 'cancelled');
    expect(cancelled.departure).toBeNull();
    expect(Object.values(cancelled.steps).map((s) => s.status)).toEqual([
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
  });

  it('whose last day moves later before it comes keeps access until the new one; a last day past removes it at once', async () => {
    const e = await h.hired<OnboardingBody>(
      buildHireJson({ needs: { laptop: false, vpn: true, officeLicense: false } }),
    );
    await approve(e.id);
    await until(e.id, (o) => o.status === 'completed');
    // Leaves in a week, then the date moves a week later: the first message is spent when it comes.
    expect((await h.api.post('/api/hr-events', left(e.employeeId, '2027-03-20'), h.hr)).status).toBe(202);
    expect((await h.api.post('/api/hr-events', left(e.employeeId, '2027-03-27'), h.hr)).status).toBe(202);
    const moved = await until(e.id, (o) => o.departure?.lastDay === '2027-03-27');
    expect(moved.status).toBe('leaving');
    const scheduled = h.host.bus.snapshot().queues.departures?.messages.map((m) => m.messageId) ?? [];
    expect(scheduled.filter((id) => id.includes(e.id))).toHaveLength(2);
    expect(h.host.tenant.isVpnMember(e.userPrincipalName)).toBe(true);

    // Corrected to a day already past: at once.
    expect((await h.api.post('/api/hr-events', left(e.employeeId, '2027-03-01'), h.hr)).status).toBe(202);
    const out = await until(e.id, (o) => o.status === 'left');
    expect(out.departure).toEqual({ lastDay: '2027-03-01' });
    expect(h.host.tenant.isVpnMember(e.userPrincipalName)).toBe(false);
  });
});
