import { Roles } from '../../shared/domain/roles';
import { REPLACED_DEVICE_MODEL } from '../../shared/schemas/laptops';
import { startApiHost, type ApiHost } from '../support/api-host';
import { eventually } from '../support/http-client';

// Handing over the laptop (contract: "Handing over the laptop"): picked up at a site or delivered, once; the
// laptops still to hand over listed; the device an equipment request replaces expected back from then on, and
// its return recorded as a leaver's laptop's; the report measures creation to handover. Against the Région's
// directory (agents in post: agent0001… A0001…; the first 712 hold a laptop PC-A…, the others a desktop).

interface LaptopBody {
  serialNumber: string;
  model: string;
  site: string | null;
  status: string;
  onboardingId: string | null;
}
interface OnboardingBody {
  id: string;
  status: string;
  replaces: { serialNumber: string; expectedBackSince?: string; returned?: { at: string; condition: string } } | null;
  steps: {
    laptop: {
      status: string;
      serialNumber?: string;
      handover?: { method: string; at: string; by: string; trackingNumber?: string };
    };
  };
}
interface HistoryBody {
  type: string;
  actor: string;
  details: Record<string, unknown>;
}

const STOCK_MANAGER = 'logistique@example.org';
let h: ApiHost;
let stock: string;
beforeAll(async () => {
  h = await startApiHost('handover', {
    laptopStock: 0,
    env: { ...process.env, LOCAL_AGENTS: '950', Provisioning__retryBaseSeconds: '0.2' },
  });
  stock = await h.host.token(STOCK_MANAGER, [Roles.inventoryManage]);
}, 30_000);
afterAll(() => h.host.stop());

const pad = (n: number) => String(n).padStart(4, '0');
const read = async (id: string) => (await h.api.get<OnboardingBody>(`/api/onboardings/${id}`, h.chef)).body;
const history = async (id: string) =>
  (await h.api.get<{ items: HistoryBody[] }>(`/api/onboardings/${id}/history`, h.chef)).body.items;
/** The laptop as the stock lists it, page by page. */
async function laptop(serial: string): Promise<LaptopBody | undefined> {
  let token: string | null = null;
  do {
    const query: string = `limit=200${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`;
    const page = await h.api.get<{ items: LaptopBody[]; continuationToken: string | null }>(
      `/api/laptops?${query}`,
      stock,
    );
    const found = page.body.items.find((l) => l.serialNumber === serial);
    if (found) return found;
    token = page.body.continuationToken;
  } while (token);
  return undefined;
}
const toHandOver = async () =>
  (await h.api.get<{ items: LaptopBody[] }>('/api/laptops?status=assigned&handedOver=false&limit=200', stock)).body
    .items;
const handOver = (serial: string, body: Record<string, unknown>, token = stock) =>
  h.api.post<LaptopBody & { code?: string }>(`/api/laptops/${serial}/handover`, body, token);

/** An agent in post asks for a laptop that replaces `replaces`; approved and served from a new laptop. */
async function refresh(n: number, replaces: string, serial: string): Promise<OnboardingBody> {
  await h.api.post('/api/laptops', { laptops: [{ serialNumber: serial, model: 'Latitude 7450' }] }, stock);
  const event = {
    eventId: `refresh-${n}`,
    type: 'employee.equipment-requested',
    occurredAt: '2026-12-01T08:00:00Z',
    employee: { employeeId: `A${pad(n)}`, userPrincipalName: `agent${pad(n)}@example.org`, neededBy: '2026-12-01' },
    needs: { laptop: true, vpn: false, officeLicense: false, teams: false },
    replaces: { serialNumber: replaces },
    reason: 'refresh',
  };
  expect((await h.api.post('/api/hr-events', event, h.hr)).status).toBe(202);
  const listed = await eventually(
    () => h.api.get<{ items: OnboardingBody[] }>(`/api/onboardings?employeeId=A${pad(n)}`, h.chef),
    (res) => res.body.items.length === 1,
  );
  const id = listed.body.items[0]!.id;
  expect((await h.api.post(`/api/onboardings/${id}/decision`, { decision: 'approve' }, h.chef)).status).toBe(200);
  return eventually(
    () => read(id),
    (o) => o.status === 'completed',
    15_000,
  );
}

describe('handing over the laptop', () => {
  it("when a desktop holder's new laptop is delivered, then the step records the handover once, the laptop leaves the list to hand over, and the desktop is expected back; its return is recorded and it leaves the stock", async () => {
    // The agents in post's own laptops are in their hands already: none of them is to hand over.
    expect(await toHandOver()).toEqual([]);
    const o = await refresh(800, 'DESKTOP-0800', 'HO-PC-1');
    expect(o.steps.laptop.serialNumber).toBe('HO-PC-1');
    expect((await toHandOver()).map((l) => [l.serialNumber, l.onboardingId])).toEqual([['HO-PC-1', o.id]]);

    const done = await handOver('HO-PC-1', {
      method: 'delivery',
      trackingNumber: '6A12345678901',
      comment: 'Colissimo',
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ serialNumber: 'HO-PC-1', status: 'assigned', onboardingId: o.id });
    const after = await read(o.id);
    const at = after.steps.laptop.handover?.at ?? '';
    expect(Date.parse(at)).not.toBeNaN();
    expect(after.steps.laptop.handover).toEqual({
      method: 'delivery',
      at,
      by: STOCK_MANAGER,
      trackingNumber: '6A12345678901',
    });
    expect(after.replaces).toEqual({
      serialNumber: 'DESKTOP-0800',
      expectedBackSince: after.steps.laptop.handover?.at,
    });
    const entries = (await history(o.id)).filter((e) => e.type === 'laptop.handed-over');
    expect(entries).toEqual([
      expect.objectContaining({
        actor: STOCK_MANAGER,
        details: {
          serialNumber: 'HO-PC-1',
          method: 'delivery',
          trackingNumber: '6A12345678901',
          comment: 'Colissimo',
          expectedBack: 'DESKTOP-0800',
        },
      }),
    ]);
    expect(await toHandOver()).toEqual([]);
    // The desktop was not in the stock: it is recorded there now, to be handed back.
    expect(await laptop('DESKTOP-0800')).toMatchObject({
      status: 'to-return',
      onboardingId: o.id,
      model: REPLACED_DEVICE_MODEL,
    });

    const again = await handOver('HO-PC-1', { method: 'pickup' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('LAPTOP.NOT_HANDABLE');
    expect((await history(o.id)).filter((e) => e.type === 'laptop.handed-over')).toHaveLength(1);

    const back = await h.api.post('/api/laptops/DESKTOP-0800/return', { condition: 'ok' }, stock);
    expect(back.status).toBe(200);
    const returned = await read(o.id);
    expect(returned.replaces?.returned?.condition).toBe('ok');
    expect(Date.parse(returned.replaces?.returned?.at ?? '')).toBeGreaterThanOrEqual(Date.parse(at));
    expect(returned.status).toBe('completed');
    expect((await history(o.id)).map((e) => e.type)).toContain('replaced-device.returned');
    // Not a laptop anyone is given: it left the stock.
    expect(await laptop('DESKTOP-0800')).toBeUndefined();
    // Nobody's in Windows Autopilot any more (the tenant answers an empty user for a device without one).
    expect(h.host.tenant.deviceUser('DESKTOP-0800')).toBe('');

    const report = await h.api.get<{ hireToEquipped: Record<string, { n: number }> }>('/api/reports/summary', h.chef);
    expect(report.body.hireToEquipped.standard?.n).toBe(1);
  }, 60_000);

  it("when a laptop holder's old laptop is replaced, then at the handover it is expected back, and once returned ok it is in stock for the next agent", async () => {
    const o = await refresh(42, 'PC-A0042', 'HO-PC-2');
    expect(o.steps.laptop.serialNumber).toBe('HO-PC-2');
    expect(await laptop('PC-A0042')).toMatchObject({ status: 'assigned', onboardingId: null });
    expect((await handOver('HO-PC-2', { method: 'pickup' })).status).toBe(200);
    expect(await laptop('PC-A0042')).toMatchObject({ status: 'to-return', onboardingId: o.id });
    expect((await h.api.post('/api/laptops/PC-A0042/return', { condition: 'ok' }, stock)).status).toBe(200);
    expect(await laptop('PC-A0042')).toMatchObject({ status: 'available', onboardingId: null });
    expect((await read(o.id)).replaces?.returned?.condition).toBe('ok');
  }, 60_000);

  it('when the laptop is unknown, in stock, or the caller an application or without Inventory.Manage, then 404, 409, 403', async () => {
    expect((await handOver('NOPE-1', { method: 'pickup' })).status).toBe(404);
    await h.api.post('/api/laptops', { laptops: [{ serialNumber: 'HO-SPARE', model: 'Latitude 7450' }] }, stock);
    await h.host.whenIdle();
    expect((await handOver('HO-SPARE', { method: 'pickup' })).status).toBe(409);
    expect((await handOver('HO-SPARE', { method: 'courier' })).status).toBe(400);
    const app = await h.host.appToken('stock-robot', [Roles.inventoryManage]);
    expect((await handOver('HO-SPARE', { method: 'pickup' }, app)).status).toBe(403);
    expect((await handOver('HO-SPARE', { method: 'pickup' }, h.chef)).status).toBe(403);
  });
});
