import { dayInParis, nextDay } from '../../shared/domain/paris-time';
import { Roles } from '../../shared/domain/roles';
import { startApiHost, type ApiHost } from '../support/api-host';
import { buildHireJson } from '../support/factories';
import { eventually } from '../support/http-client';

// Priorities that change (contract 7: employee.priority-changed and PATCH /api/onboardings/{id}) reorder who
// gets the next laptop; the forecast (GET /api/forecast) says who gets equipped when, and what then happens
// when the expected deliveries arrive matches it.

interface OnboardingBody {
  id: string;
  employeeId: string;
  status: string;
  priority: string;
  steps: { laptop: { status: string; serialNumber?: string } };
}
interface ForecastBody {
  asOf: string;
  laptops: { available: number; expected: { on: string; count: number }[] };
  seats: { free: number };
  waiting: {
    onboardingId: string;
    priority: string;
    waitingFor: string[];
    position: number;
    expectedBy: string | null;
  }[];
}

let h: ApiHost;
let stock: string;
let auditor: string;

beforeAll(async () => {
  h = await startApiHost('priorities', { laptopStock: 0 });
  stock = await h.host.token('stock.dsi@example.org', [Roles.inventoryManage]);
  auditor = await h.host.token('audit@example.org', [Roles.onboardingRead]);
});
afterAll(() => h.host.stop());

const read = async (id: string) => (await h.api.get<OnboardingBody>(`/api/onboardings/${id}`, h.chef)).body;
const laptopsOnly = { laptop: true, vpn: false, officeLicense: false };

/** Hires and approves, in this order; answers once each waits in line for a laptop. */
async function waitingAgents(...employees: Record<string, unknown>[]): Promise<OnboardingBody[]> {
  const out: OnboardingBody[] = [];
  for (const employee of employees) {
    const o = await h.hired<OnboardingBody>(buildHireJson({ employee, needs: laptopsOnly }));
    expect((await h.api.post(`/api/onboardings/${o.id}/decision`, { decision: 'approve' }, h.chef)).status).toBe(200);
    out.push(o);
  }
  for (const o of out)
    await eventually(
      () => read(o.id),
      (x) => x.steps.laptop.status === 'waiting',
    );
  return out;
}

/** Adds laptops and answers who got them, once the pass has served them. */
async function deliver(serials: string[], among: OnboardingBody[]): Promise<string[]> {
  const res = await h.api.post(
    '/api/laptops',
    { laptops: serials.map((serialNumber) => ({ serialNumber, model: 'Latitude' })) },
    stock,
  );
  expect(res.status).toBe(201);
  const all = await eventually(
    () => Promise.all(among.map((o) => read(o.id))),
    (xs) => xs.filter((x) => x.status === 'completed').length === serials.length,
  );
  return all.filter((x) => x.status === 'completed').map((x) => x.id);
}

describe('priorities that change', () => {
  it('when the DSI raises one agent to continuity (PATCH), then that agent gets the next laptop; recorded with its actor; a finished onboarding is 409, an application 403', async () => {
    const [early, late] = await waitingAgents({ startDate: '2027-01-04' }, { startDate: '2027-01-11' });
    const patched = await h.api.patch<OnboardingBody>(
      `/api/onboardings/${late!.id}`,
      { priority: 'continuity' },
      h.chef,
    );
    expect(patched.status).toBe(200);
    expect(patched.body.priority).toBe('continuity');
    const history = (
      await h.api.get<{ items: { type: string; actor: string; details: Record<string, unknown> }[] }>(
        `/api/onboardings/${late!.id}/history`,
        h.chef,
      )
    ).body.items;
    expect(history.at(-1)).toMatchObject({
      type: 'priority.changed',
      actor: 'chef.dsi@example.org',
      details: { from: 'standard', to: 'continuity' },
    });
    expect(await deliver(['PRIO-1'], [early!, late!])).toEqual([late!.id]);
    expect((await read(late!.id)).steps.laptop.serialNumber).toBe('PRIO-1');

    expect((await h.api.patch(`/api/onboardings/${late!.id}`, { priority: 'standard' }, h.chef)).status).toBe(409);
    expect((await h.api.patch('/api/onboardings/E0.1', { priority: 'standard' }, h.chef)).status).toBe(404);
    expect((await h.api.patch(`/api/onboardings/${early!.id}`, { priority: 'urgent' }, h.chef)).status).toBe(400);
    const app = await h.host.appToken('hr-system', [Roles.onboardingApprove, Roles.onboardingRead]);
    expect((await h.api.patch(`/api/onboardings/${early!.id}`, { priority: 'continuity' }, app)).status).toBe(403);
    expect((await h.api.patch(`/api/onboardings/${early!.id}`, { priority: 'continuity' }, auditor)).status).toBe(403);
    expect(await deliver(['PRIO-2'], [early!])).toEqual([early!.id]);
  });

  it('when HR lowers a continuity agent (employee.priority-changed), then a standard agent with an earlier start gets the next laptop', async () => {
    const [pca, std] = await waitingAgents(
      { priority: 'continuity', startDate: '2027-02-15' },
      { priority: 'standard', startDate: '2027-02-01' },
    );
    const event = {
      eventId: `prio-${pca!.employeeId}`,
      type: 'employee.priority-changed',
      occurredAt: '2027-01-20T08:00:00Z',
      employee: { employeeId: pca!.employeeId, priority: 'standard' },
    };
    expect((await h.api.post('/api/hr-events', event, h.hr)).status).toBe(202);
    await eventually(
      () => read(pca!.id),
      (o) => o.priority === 'standard',
    );
    expect(await deliver(['PRIO-3'], [pca!, std!])).toEqual([std!.id]);
    expect(await deliver(['PRIO-4'], [pca!])).toEqual([pca!.id]);
  });
});

describe('the forecast', () => {
  it('when deliveries are expected, then it says who gets a laptop on which day, in service order, and the deliveries serve exactly those', async () => {
    const today = dayInParis(new Date());
    const tomorrow = nextDay(today);
    const later = nextDay(nextDay(tomorrow));
    const [s1, c1, s2, s3] = await waitingAgents(
      { startDate: '2027-05-03' },
      { priority: 'continuity', startDate: '2027-05-10' },
      { startDate: '2027-05-04' },
      { startDate: '2027-05-05' },
    );
    const deliveryA = await h.api.post<{ id: string }>(
      '/api/laptops/deliveries',
      { expectedOn: tomorrow, count: 2 },
      stock,
    );
    expect(deliveryA.status).toBe(201);
    const deliveryB = await h.api.post<{ id: string }>(
      '/api/laptops/deliveries',
      { expectedOn: later, count: 1, model: 'Latitude' },
      stock,
    );
    expect(deliveryB.status).toBe(201);

    const res = await h.api.get<ForecastBody>('/api/forecast', auditor);
    expect(res.status).toBe(200);
    expect(res.body.asOf).toBe(today);
    expect(res.body.laptops).toEqual({
      available: 0,
      expected: [
        { on: tomorrow, count: 2 },
        { on: later, count: 1 },
      ],
      returns: { expected: [], overdue: 0 },
    });
    const ours = new Set([s1!.id, c1!.id, s2!.id, s3!.id]);
    const line = res.body.waiting.filter((w) => ours.has(w.onboardingId));
    expect(line.map((w) => [w.onboardingId, w.waitingFor, w.expectedBy])).toEqual([
      [c1!.id, ['laptop'], tomorrow],
      [s1!.id, ['laptop'], tomorrow],
      [s2!.id, ['laptop'], later],
      [s3!.id, ['laptop'], null],
    ]);
    expect(line.map((w) => w.position)).toEqual([...line.keys()].map((i) => i + 1));

    // Tomorrow's delivery arrives: the two the forecast named get them.
    expect((await h.api.call('DELETE', `/api/laptops/deliveries/${deliveryA.body.id}`, { token: stock })).status).toBe(
      204,
    );
    const served = await deliver(['FC-1', 'FC-2'], [s1!, c1!, s2!, s3!]);
    expect(served.sort()).toEqual([c1!.id, s1!.id].sort());
    // The next forecast moves everyone up: the later delivery is s2's.
    const next = (await h.api.get<ForecastBody>('/api/forecast', stock)).body;
    expect(next.waiting.filter((w) => ours.has(w.onboardingId)).map((w) => [w.onboardingId, w.expectedBy])).toEqual([
      [s2!.id, later],
      [s3!.id, null],
    ]);
    expect((await h.api.call('DELETE', `/api/laptops/deliveries/${deliveryA.body.id}`, { token: stock })).status).toBe(
      404,
    );
    expect((await h.api.get('/api/forecast', h.hr)).status).toBe(403);
  });
});
