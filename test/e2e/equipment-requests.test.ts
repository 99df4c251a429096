import { Roles } from '../../shared/domain/roles';
import { startApiHost, type ApiHost } from '../support/api-host';
import { buildHireJson } from '../support/factories';
import { eventually } from '../support/http-client';

// Equipment for agents in post (contract, "Everyone, not only hires"), against the Région's directory of the
// local host (950 agents: agent0001… with ids A0001…; the first 712 hold a laptop PC-A…, the others a desktop
// DESKTOP-…; the first 650 are VPN members; each is in their department's team): the same approval, line and
// audit as hires, nothing given twice.

interface StepBody {
  status: string;
  detail?: string;
  serialNumber?: string;
}
interface OnboardingBody {
  id: string;
  kind: string;
  employeeId: string;
  userPrincipalName: string;
  department: string;
  site: string | null;
  status: string;
  priority: string;
  replaces: { serialNumber: string } | null;
  managerUpn: string | null;
  steps: Record<'laptop' | 'vpn' | 'officeLicense' | 'teams' | 'accessories', StepBody>;
}

let h: ApiHost;
let stock: string;
beforeAll(async () => {
  h = await startApiHost('equipment', {
    laptopStock: 0,
    env: { ...process.env, LOCAL_AGENTS: '950', Provisioning__retryBaseSeconds: '0.2' },
  });
  stock = await h.host.token('logistique@example.org', [Roles.inventoryManage]);
}, 30_000);
afterAll(() => h.host.stop());

const agent = (n: number) => ({
  employeeId: `A${String(n).padStart(4, '0')}`,
  userPrincipalName: `agent${String(n).padStart(4, '0')}@example.org`,
});
const request = (n: number, over: Record<string, unknown> = {}, eventId = `req-${n}`) => ({
  eventId,
  type: 'employee.equipment-requested',
  occurredAt: '2026-12-01T08:00:00Z',
  employee: { ...agent(n), priority: 'continuity', neededBy: '2026-12-03' },
  reason: 'continuity',
  ...over,
});
const read = async (id: string) => (await h.api.get<OnboardingBody>(`/api/onboardings/${id}`, h.chef)).body;
const approve = async (id: string) =>
  expect((await h.api.post(`/api/onboardings/${id}/decision`, { decision: 'approve' }, h.chef)).status).toBe(200);
/** What the service did to an account in the tenant (its ledger), by kind. */
const effectsOn = (upn: string) => {
  const id = h.host.tenant.userId(upn);
  return h.host.tenant.effects.filter((e) => e.target === id || e.detail === upn).map((e) => e.kind);
};

describe('equipment for an agent in post', () => {
  it('when an agent on a desktop asks under the continuity plan, then they are served before a standard hire, nothing they have is given again, and the desktop is the one to hand back', async () => {
    const hire = await h.hired<OnboardingBody>(buildHireJson({ employee: { employeeId: 'EQ-HIRE' } }));
    await approve(hire.id);
    const desk = agent(800);
    const asked = await h.api.post(
      '/api/hr-events',
      request(800, { replaces: { serialNumber: 'DESKTOP-0800' } }),
      h.hr,
    );
    expect(asked.status).toBe(202);
    const created = await eventually(
      () => h.api.get<{ items: OnboardingBody[] }>(`/api/onboardings?employeeId=${desk.employeeId}`, h.chef),
      (res) => res.body.items.length === 1,
    );
    const o = created.body.items[0]!;
    // The directory's department, site and manager; kind equipment; awaiting approval as a hire.
    expect(o).toMatchObject({
      id: `${desk.employeeId}.1`,
      kind: 'equipment',
      status: 'awaiting-approval',
      priority: 'continuity',
      replaces: { serialNumber: 'DESKTOP-0800' },
    });
    const user = h.host.tenant.operatorView().users.find((u) => u.userPrincipalName === desk.userPrincipalName)!;
    expect(o.department).toBe(user.department);
    expect(o.managerUpn).not.toBeNull();
    await approve(o.id);
    await h.host.whenIdle();
    expect((await read(o.id)).steps.laptop.status).toBe('waiting');

    // One laptop comes: the continuity agent in post takes it before the hire approved earlier.
    await h.api.post('/api/laptops', { laptops: [{ serialNumber: 'EQ-PC-1', model: 'Latitude 5440' }] }, stock);
    const done = await eventually(
      () => read(o.id),
      (x) => x.status === 'completed',
      20_000,
    );
    expect(done.steps.laptop).toMatchObject({ status: 'done', serialNumber: 'EQ-PC-1' });
    expect((await read(hire.id)).steps.laptop.status).toBe('waiting');
    // Agent 800 was not a VPN member (the first 650 are): added once. The licence and the team they had.
    expect(done.steps.vpn.status).toBe('done');
    expect(done.steps.officeLicense).toMatchObject({ status: 'done', detail: 'licence already held' });
    expect(done.steps.teams).toMatchObject({ status: 'done', detail: 'already a member of the team' });
    const effects = effectsOn(desk.userPrincipalName);
    expect(effects.filter((k) => k === 'member-added')).toHaveLength(1);
    expect(effects).not.toContain('license-assigned');
    expect(effects.filter((k) => k === 'device-user-assigned')).toHaveLength(1);
  }, 60_000);

  it('when an agent who holds a laptop asks, then the laptop step is skipped with their serial, and what they have is done without being made again', async () => {
    const holder = agent(42);
    expect((await h.api.post('/api/hr-events', request(42, {}, 'req-42'), h.hr)).status).toBe(202);
    const o = await eventually(
      () => h.api.get<{ items: OnboardingBody[] }>(`/api/onboardings?employeeId=${holder.employeeId}`, h.chef),
      (res) => res.body.items.length === 1,
    );
    const id = o.body.items[0]!.id;
    expect(o.body.items[0]!.steps.laptop).toMatchObject({
      status: 'skipped',
      detail: expect.stringContaining('PC-A0042') as unknown,
    });
    await approve(id);
    const done = await eventually(
      () => read(id),
      (x) => x.status === 'completed',
      20_000,
    );
    expect(done.steps.vpn).toMatchObject({ status: 'done', detail: 'already a member of the VPN group' });
    const effects = effectsOn(holder.userPrincipalName).filter((k) => k !== 'user-provisioned');
    expect(effects).toEqual([]);

    // Withdrawn: nothing the agent had before the request is taken away.
    const cancel = {
      eventId: 'req-42-cancel',
      type: 'employee.request-cancelled',
      occurredAt: '2026-12-01T09:00:00Z',
      employee: { employeeId: holder.employeeId },
    };
    expect((await h.api.post('/api/hr-events', cancel, h.hr)).status).toBe(202);
    const cancelled = await eventually(
      () => read(id),
      (x) => x.status === 'cancelled',
    );
    await h.host.whenIdle();
    expect(cancelled.steps.vpn).toMatchObject({
      status: 'skipped',
      detail: 'kept: the agent had it before the request',
    });
    expect(h.host.tenant.isVpnMember(holder.userPrincipalName)).toBe(true);
    expect(h.host.tenant.hasLicense(holder.userPrincipalName)).toBe(true);
  }, 60_000);

  it('when the upn is one the directory does not know, then the approved request needs attention with UserNotFound at once, and no laptop is held for it', async () => {
    await h.api.post('/api/laptops', { laptops: [{ serialNumber: 'EQ-PC-2', model: 'Latitude 5440' }] }, stock);
    const unknown = request(
      1,
      { employee: { employeeId: 'A9999', userPrincipalName: 'agent9999@example.org', priority: 'continuity' } },
      'req-unknown',
    );
    expect((await h.api.post('/api/hr-events', unknown, h.hr)).status).toBe(202);
    const o = await eventually(
      () => h.api.get<{ items: OnboardingBody[] }>('/api/onboardings?employeeId=A9999', h.chef),
      (res) => res.body.items.length === 1,
    );
    const id = o.body.items[0]!.id;
    await approve(id);
    const attention = await read(id);
    expect(attention.status).toBe('needs-attention');
    for (const step of ['laptop', 'vpn', 'officeLicense'] as const) {
      expect(attention.steps[step].detail).toMatch(/^UserNotFound: /);
    }
    expect(attention.steps.teams.status).toBe('skipped'); // no department known, so no team
    await h.host.whenIdle();
    const laptops = await h.api.get<{ items: { serialNumber: string; onboardingId: string | null }[] }>(
      '/api/laptops?limit=200&status=reserved',
      stock,
    );
    expect(laptops.body.items.filter((l) => l.onboardingId === id)).toEqual([]);
  }, 60_000);
});
