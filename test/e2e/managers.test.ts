import { Roles } from '../../shared/domain/roles';
import { startApiHost, type ApiHost } from '../support/api-host';
import { buildHireJson } from '../support/factories';
import { eventually } from '../support/http-client';

// Managers (contract: "Managers"): a hire's or a request's managerUpn, the directory's manager for an agent in
// post, compared by object id; GET /api/me/arrivals for anyone signed in, with only the fields the contract
// lists. Against the Région's directory (agent0001… A0001…, each with a manager among them).

interface ArrivalBody {
  id: string;
  displayName: string;
  kind: string;
  status: string;
  startDate: string;
  steps: Record<string, string>;
  expectedBy: string | null;
  handover: unknown;
}

let h: ApiHost;
beforeAll(async () => {
  h = await startApiHost('managers', {
    laptopStock: 1,
    env: { ...process.env, LOCAL_AGENTS: '950', Provisioning__retryBaseSeconds: '0.2' },
  });
}, 30_000);
afterAll(() => h.host.stop());

const arrivalsOf = async (upn: string) => {
  const res = await h.api.get<{ items: ArrivalBody[] }>('/api/me/arrivals', await h.host.token(upn, []));
  expect(res.status).toBe(200);
  return res.body.items;
};
const approve = async (id: string) =>
  expect((await h.api.post(`/api/onboardings/${id}/decision`, { decision: 'approve' }, h.chef)).status).toBe(200);
const upnOfId = (id: string | null) => h.host.tenant.operatorView().users.find((u) => u.id === id)?.userPrincipalName;

describe('a manager follows their arrivals', () => {
  it("when a hire names its manager, then that manager, with no role, sees it with only the contract's fields, and another manager does not", async () => {
    const manager = 'agent0100@example.org';
    const hire = await h.hired<{ id: string; displayName: string }>(
      buildHireJson({ employee: { managerUpn: manager, startDate: '2026-12-14' } }),
    );
    const [seen] = await arrivalsOf(manager);
    expect(seen).toEqual({
      id: hire.id,
      displayName: hire.displayName,
      kind: 'hire',
      status: 'awaiting-approval',
      startDate: '2026-12-14',
      // Direction des lycées has its team in the Région: Teams is a step.
      steps: { laptop: 'pending', vpn: 'pending', officeLicense: 'pending', teams: 'pending', accessories: 'skipped' },
      expectedBy: null,
      handover: null,
    });
    expect(await arrivalsOf('agent0101@example.org')).toEqual([]);

    await approve(hire.id);
    const equipped = await eventually(
      () => arrivalsOf(manager),
      (items) => items[0]?.status === 'completed',
      15_000,
    );
    expect(equipped[0]?.steps).toMatchObject({ laptop: 'done', vpn: 'done', officeLicense: 'done' });
  }, 60_000);

  it("when an agent in post asks for equipment, then the directory's manager of the agent sees the request", async () => {
    const agent = h.host.tenant.operatorView().users.find((u) => u.userPrincipalName === 'agent0042@example.org');
    const manager = upnOfId(agent?.manager ?? null);
    if (!manager) throw new Error('agent0042 has a manager in the Région');
    const event = {
      eventId: 'manager-eq-42',
      type: 'employee.equipment-requested',
      occurredAt: '2026-12-01T08:00:00Z',
      employee: { employeeId: 'A0042', userPrincipalName: 'agent0042@example.org', neededBy: '2026-12-10' },
      needs: { laptop: false, vpn: true, officeLicense: true, teams: false },
    };
    expect((await h.api.post('/api/hr-events', event, h.hr)).status).toBe(202);
    const items = await eventually(
      () => arrivalsOf(manager),
      (list) => list.some((a) => a.id === 'A0042.1'),
    );
    expect(items.find((a) => a.id === 'A0042.1')).toMatchObject({ kind: 'equipment', startDate: '2026-12-10' });
  }, 60_000);

  it("when the named manager's account did not exist yet, then they see the arrival once the directory knows their account, not before", async () => {
    const manager = 'nouvelle.cheffe@example.org';
    const hire = await h.hired<{ id: string }>(buildHireJson({ employee: { managerUpn: manager } }));
    // A token for that upn, while the directory has no such account: nobody is confirmed as that manager.
    expect(await arrivalsOf(manager)).toEqual([]);
    expect(h.host.tenant.provisionFromHr({ userPrincipalName: manager, givenName: 'Nora', surname: 'Cheffe' })).toBe(
      true,
    );
    await eventually(
      async () => (await arrivalsOf(manager)).map((a) => a.id),
      (ids) => ids.includes(hire.id),
      15_000,
    );
  }, 60_000);

  it('when an application asks for its arrivals, then 403; without a token, 401', async () => {
    const app = await h.host.appToken('robot', [Roles.onboardingRead]);
    expect((await h.api.get('/api/me/arrivals', app)).status).toBe(403);
    expect((await h.api.get('/api/me/arrivals')).status).toBe(401);
  });
});
