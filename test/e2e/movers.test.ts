import { startOfDayInParis } from '../../shared/domain/paris-time';
import { Roles } from '../../shared/domain/roles';
import { startApiHost, type ApiHost } from '../support/api-host';
import { buildHireJson } from '../support/factories';
import { eventually } from '../support/http-client';
import { movableClock } from '../support/movable-clock';

// Movers (contract, "Movers"): `employee.moved` applies on its effective date in Europe/Paris (at once when
// past) to the employee's latest onboarding: department and site change, the old department's team is left
// for the new one's, a laptop still in line is served from the new site first, and one history entry keeps
// the old and new values. The local host runs against the Région's directory, whose departments each have a
// team (Provisioning__departmentTeams set by the local host).

interface StepBody {
  status: string;
  serialNumber?: string;
  detail?: string;
}
interface HistoryBody {
  type: string;
  actor: string;
  details?: Record<string, unknown>;
}
interface OnboardingBody {
  id: string;
  employeeId: string;
  userPrincipalName: string;
  department: string;
  site: string | null;
  status: string;
  steps: Record<'laptop' | 'vpn' | 'officeLicense' | 'teams', StepBody>;
}

const NUMERIQUE = 'Direction du numérique';
const FINANCES = 'Direction des finances';
const EFFECTIVE = '2027-01-04';
const time = movableClock(startOfDayInParis(EFFECTIVE).getTime() - 3 * 3600_000);
const clock = time.clock;

let h: ApiHost;
let stock: string;
beforeAll(async () => {
  h = await startApiHost('movers', {
    clock,
    laptopStock: 0,
    env: { ...process.env, LOCAL_AGENTS: '950', Provisioning__retryBaseSeconds: '0.2' },
  });
  time.onMove(() => h.host.bus.clockChanged());
  stock = await h.host.token('logistique@example.org', [Roles.inventoryManage]);
}, 30_000);
afterAll(() => h.host.stop());

const read = async (id: string) => (await h.api.get<OnboardingBody>(`/api/onboardings/${id}`, h.chef)).body;
const until = (id: string, done: (o: OnboardingBody) => boolean) => eventually(() => read(id), done, 15_000);
const history = async (id: string) =>
  (await h.api.get<{ items: HistoryBody[] }>(`/api/onboardings/${id}/history`, h.chef)).body.items;
const approve = async (id: string) =>
  expect((await h.api.post(`/api/onboardings/${id}/decision`, { decision: 'approve' }, h.chef)).status).toBe(200);
const moved = (employeeId: string, change: Record<string, string>, eventId = `moved-${employeeId}`) => ({
  eventId,
  type: 'employee.moved',
  occurredAt: '2026-12-20T08:00:00Z',
  employee: { employeeId, ...change },
});
/** The department's team (the local host sets Provisioning__departmentTeams from the tenant's teams). */
const teamOf = (department: string) => {
  const id = h.host.tenant.departmentTeams()[department];
  if (!id) throw new Error(`no team for ${department}`);
  return id;
};
const isMember = (department: string, upn: string) =>
  h.host.tenant.teamMembers(teamOf(department)).includes(h.host.tenant.userId(upn) ?? '');

describe('a mover', () => {
  it('when HR says an equipped agent moves department on a later day, then nothing changes before that day, and on it (Europe/Paris) the team of the old department is left for the new one, with one history entry of old and new values', async () => {
    await h.api.post('/api/laptops', { laptops: [{ serialNumber: 'MOVE-PC-1', model: 'Latitude 5440' }] }, stock);
    const hire = await h.hired<OnboardingBody>(
      buildHireJson({ employee: { department: NUMERIQUE, site: 'Orléans', startDate: '2026-12-28' } }),
    );
    await approve(hire.id);
    const equipped = await until(hire.id, (o) => o.status === 'completed');
    expect(equipped.steps.teams.status).toBe('done');
    expect(isMember(NUMERIQUE, hire.userPrincipalName)).toBe(true);

    const event = moved(hire.employeeId, { department: FINANCES, effectiveDate: EFFECTIVE });
    expect((await h.api.post('/api/hr-events', event, h.hr)).status).toBe(202);
    await eventually(
      () => history(hire.id),
      (items) => items.some((e) => e.type === 'move.planned'),
    );
    await h.host.whenIdle();
    // The evening before: still in the numérique department and its team.
    expect(await read(hire.id)).toMatchObject({ department: NUMERIQUE, status: 'completed' });
    expect(isMember(NUMERIQUE, hire.userPrincipalName)).toBe(true);
    expect(isMember(FINANCES, hire.userPrincipalName)).toBe(false);

    time.moveTo(startOfDayInParis(EFFECTIVE).getTime() + 1000);
    const after = await until(hire.id, (o) => o.department === FINANCES && o.steps.teams.status === 'done');
    await eventually(
      () => Promise.resolve(isMember(FINANCES, hire.userPrincipalName)),
      (member) => member,
    );
    expect(isMember(NUMERIQUE, hire.userPrincipalName)).toBe(false);
    expect(after).toMatchObject({ status: 'completed', site: 'Orléans' });
    const entries = (await history(hire.id)).filter((e) => e.type === 'onboarding.moved');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: 'hr',
      details: {
        eventId: event.eventId,
        from: { department: NUMERIQUE, site: 'Orléans' },
        to: { department: FINANCES, site: 'Orléans' },
        effectiveDate: EFFECTIVE,
      },
    });
    // HR sends it again: recorded once, nothing swapped twice.
    expect((await h.api.post('/api/hr-events', event, h.hr)).status).toBe(202);
    await h.host.whenIdle();
    expect((await history(hire.id)).filter((e) => e.type === 'onboarding.moved')).toHaveLength(1);
    const userId = h.host.tenant.userId(hire.userPrincipalName);
    const joins = h.host.tenant.effects.filter((e) => e.target === userId && e.kind === 'team-member-added');
    expect(joins.map((e) => e.detail)).toEqual([teamOf(NUMERIQUE), teamOf(FINANCES)]);
  }, 60_000);

  it('when an agent waiting for a laptop moves site, then the first laptop in at the new site is theirs, not the one longest in stock', async () => {
    const hire = await h.hired<OnboardingBody>(
      buildHireJson({ employee: { department: FINANCES, site: 'Blois', startDate: '2027-01-11' } }),
    );
    await approve(hire.id);
    await until(hire.id, (o) => o.steps.laptop.status === 'waiting');
    // Effective in the past: applied at once.
    const event = moved(
      hire.employeeId,
      { site: 'Tours', effectiveDate: '2026-12-30' },
      `moved-site-${hire.employeeId}`,
    );
    expect((await h.api.post('/api/hr-events', event, h.hr)).status).toBe(202);
    await until(hire.id, (o) => o.site === 'Tours');
    // Two laptops come in together; the Orléans one would go first (same arrival, its serial sorts first).
    const added = await h.api.post(
      '/api/laptops',
      {
        laptops: [
          { serialNumber: 'MOVE-A-ORL', model: 'Latitude 5440', site: 'Orléans' },
          { serialNumber: 'MOVE-B-TOURS', model: 'Latitude 5440', site: 'Tours' },
        ],
      },
      stock,
    );
    expect(added.status).toBe(201);
    const served = await until(hire.id, (o) => o.steps.laptop.status === 'done');
    expect(served.steps.laptop.serialNumber).toBe('MOVE-B-TOURS');
    expect(served.department).toBe(FINANCES);
  }, 60_000);

  it('when HR moves an employee the service has no onboarding of, then the event is set aside with reason UnknownEmployee', async () => {
    const event = moved('E99999', { site: 'Tours', effectiveDate: '2026-12-30' }, 'moved-nobody');
    expect((await h.api.post('/api/hr-events', event, h.hr)).status).toBe(202);
    await h.host.whenIdle();
    const set = (await h.host.services.operations.rejectedMessages.list({ queue: 'hr-events' })).find(
      (r) => r.messageId === 'moved-nobody',
    );
    expect(set).toMatchObject({ reason: 'UnknownEmployee', body: { type: 'employee.moved' } });
    expect(set?.description).toContain('E99999');
  });
});
