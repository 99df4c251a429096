import { Roles } from '../../shared/domain/roles';
import { startApiHost, type ApiHost } from '../support/api-host';
import { buildCancelJson, buildHireJson } from '../support/factories';
import { eventually } from '../support/http-client';

// Accessories (contract: "Accessories"): counted by kind and site, served in the order of the line (continuity
// first, then the start date, then the approval), waiting while a kind is out, served when it comes in, put
// back on a cancellation (and, for a leaver, with the laptop's return).

interface StepBody {
  status: string;
  detail?: string;
  items?: { kind: string; status: string }[];
}
interface OnboardingBody {
  id: string;
  employeeId: string;
  status: string;
  steps: { laptop: StepBody; accessories: StepBody };
}
interface CountBody {
  kind: string;
  site: string | null;
  available: number;
  reserved: number;
  given: number;
}

let h: ApiHost;
let stock: string;
beforeAll(async () => {
  h = await startApiHost('accessories', { laptopStock: 0 });
  stock = await h.host.token('logistique@example.org', [Roles.inventoryManage]);
}, 30_000);
afterAll(() => h.host.stop());

const read = async (id: string) => (await h.api.get<OnboardingBody>(`/api/onboardings/${id}`, h.chef)).body;
const until = (id: string, done: (o: OnboardingBody) => boolean) => eventually(() => read(id), done, 15_000);
const approve = async (id: string) =>
  expect((await h.api.post(`/api/onboardings/${id}/decision`, { decision: 'approve' }, h.chef)).status).toBe(200);
const counts = async () =>
  (await h.api.get<{ items: CountBody[] }>('/api/stock/accessories', stock)).body.items.filter(
    (c) => c.kind === 'headset',
  );
const needs = { laptop: false, vpn: true, officeLicense: true, accessories: ['headset'] };
const hire = (priority: string, startDate: string) => buildHireJson({ employee: { priority, startDate }, needs });

describe('accessories', () => {
  it('when a standard agent and then a continuity one wait for the only headset to come, then the continuity one gets it; a cancellation gives it to the other', async () => {
    // The standard agent starts first and was approved first: only the continuity plan puts the other ahead.
    const standard = await h.hired<OnboardingBody>(hire('standard', '2026-12-07'));
    await approve(standard.id);
    const continuity = await h.hired<OnboardingBody>(hire('continuity', '2026-12-14'));
    await approve(continuity.id);
    for (const id of [standard.id, continuity.id]) {
      const waiting = await until(id, (o) => o.steps.accessories.status === 'waiting');
      expect(waiting.steps.accessories).toMatchObject({
        detail: 'in line for: headset',
        items: [{ kind: 'headset', status: 'waiting' }],
      });
    }
    const forecast = await h.api.get<{
      waiting: { onboardingId: string; waitingFor: string[]; expectedBy: string | null }[];
    }>('/api/forecast', h.chef);
    expect(forecast.body.waiting.map((w) => [w.onboardingId, w.waitingFor, w.expectedBy])).toEqual([
      [continuity.id, ['accessories'], null],
      [standard.id, ['accessories'], null],
    ]);

    const added = await h.api.post<CountBody>('/api/stock/accessories', { kind: 'headset', count: 1 }, stock);
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ kind: 'headset', site: null, available: 1, reserved: 0, given: 0 });
    const served = await until(continuity.id, (o) => o.status === 'completed');
    expect(served.steps.accessories).toMatchObject({ status: 'done', items: [{ kind: 'headset', status: 'given' }] });
    await h.host.whenIdle();
    expect((await read(standard.id)).steps.accessories.status).toBe('waiting');
    expect(await counts()).toEqual([{ kind: 'headset', site: null, available: 0, reserved: 0, given: 1 }]);

    // The continuity agent's hire is cancelled: the headset goes back, and to the next in line.
    expect((await h.api.post('/api/hr-events', buildCancelJson(continuity.employeeId), h.hr)).status).toBe(202);
    await until(continuity.id, (o) => o.status === 'cancelled');
    const next = await until(standard.id, (o) => o.status === 'completed');
    expect(next.steps.accessories.items).toEqual([{ kind: 'headset', status: 'given' }]);
    await h.host.whenIdle();
    expect(await counts()).toEqual([{ kind: 'headset', site: null, available: 0, reserved: 0, given: 1 }]);
  }, 60_000);

  it("when an agent of a site needs a webcam, then their site's webcam is theirs before the DSI's own, and the stock says so", async () => {
    await h.api.post('/api/stock/accessories', { kind: 'webcam', count: 2 }, stock);
    await h.api.post('/api/stock/accessories', { kind: 'webcam', count: 1, site: 'Tours' }, stock);
    const tours = await h.hired<OnboardingBody>(
      buildHireJson({
        employee: { site: 'Tours' },
        needs: { laptop: false, vpn: false, officeLicense: false, accessories: ['webcam'] },
      }),
    );
    await approve(tours.id);
    await until(tours.id, (o) => o.status === 'completed');
    await h.host.whenIdle();
    const webcams = (await h.api.get<{ items: CountBody[] }>('/api/stock/accessories', h.chef)).body.items.filter(
      (c) => c.kind === 'webcam',
    );
    expect(webcams).toEqual([
      { kind: 'webcam', site: null, available: 2, reserved: 0, given: 0 },
      { kind: 'webcam', site: 'Tours', available: 0, reserved: 0, given: 1 },
    ]);
  }, 60_000);

  it("when a leaver's laptop comes back, then their dock is back in stock with it", async () => {
    await h.api.post('/api/laptops', { laptops: [{ serialNumber: 'ACC-PC-1', model: 'Latitude 5440' }] }, stock);
    await h.api.post('/api/stock/accessories', { kind: 'dock', count: 1 }, stock);
    const agent = await h.hired<OnboardingBody>(
      buildHireJson({ needs: { laptop: true, vpn: false, officeLicense: false, accessories: ['dock'] } }),
    );
    await approve(agent.id);
    await until(agent.id, (o) => o.status === 'completed');
    const docks = async () =>
      (await h.api.get<{ items: CountBody[] }>('/api/stock/accessories', stock)).body.items.find(
        (c) => c.kind === 'dock',
      );
    expect(await docks()).toMatchObject({ available: 0, given: 1 });
    // The last day is past: access ends at once, the laptop and the dock are expected back.
    const left = { eventId: `left-${agent.employeeId}`, type: 'employee.left', occurredAt: '2026-11-30T08:00:00Z' };
    const sent = await h.api.post(
      '/api/hr-events',
      { ...left, employee: { employeeId: agent.employeeId, lastDay: '2026-11-30' } },
      h.hr,
    );
    expect(sent.status).toBe(202);
    const returning = await until(agent.id, (o) => o.steps.laptop.status === 'returning');
    expect(returning.steps.accessories.status).toBe('returning');
    expect(await docks()).toMatchObject({ available: 0, given: 1 });
    const back = await h.api.post('/api/laptops/ACC-PC-1/return', { condition: 'ok' }, stock);
    expect(back.status).toBe(200);
    const gone = await until(agent.id, (o) => o.status === 'left');
    expect(gone.steps.accessories.status).toBe('reverted');
    expect(await docks()).toMatchObject({ available: 1, given: 0 });
  }, 60_000);

  it('when the stock is added to wrongly, or by someone without Inventory.Manage, then 400 naming the field, or 403', async () => {
    const bad = await h.api.post<{ errors: { path: string }[] }>(
      '/api/stock/accessories',
      { kind: 'Casque Audio', count: 0 },
      stock,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.path).sort()).toEqual(['count', 'kind']);
    expect((await h.api.post('/api/stock/accessories', { kind: 'headset', count: 1 }, h.chef)).status).toBe(403);
  });
});
