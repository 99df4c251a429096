import { addDays, startOfDayInParis } from '../../shared/domain/paris-time';
import { startApiHost, type ApiHost } from '../support/api-host';
import { buildHireJson } from '../support/factories';
import { eventually } from '../support/http-client';
import { movableClock } from '../support/movable-clock';

// Lead times (contract, "The life of an onboarding" 10): with Provisioning__vpnLeadDays and
// Provisioning__licenseLeadDays set, a step due later stays `pending` with `notBefore` and runs then (a
// scheduled message); a start date moved re-plans it.

interface StepBody {
  status: string;
  notBefore?: string;
}
interface OnboardingBody {
  id: string;
  employeeId: string;
  userPrincipalName: string;
  status: string;
  steps: { laptop: StepBody; vpn: StepBody; officeLicense: StepBody };
}

const START = '2027-09-20';
const VPN_DUE = startOfDayInParis(addDays(START, -2));
// The service runs a minute before the VPN is due (its bus with it); the test moves its clock on to a second
// before, once it has looked at what was planned.
const time = movableClock(VPN_DUE.getTime() - 60_000);
const clock = time.clock;

let h: ApiHost;
beforeAll(async () => {
  h = await startApiHost('lead-times', {
    clock,
    env: {
      ...process.env,
      Provisioning__vpnLeadDays: '2',
      Provisioning__licenseLeadDays: '1',
      // The sweeper counts a step unchanged for a second as stuck: a pending step not due must still wait.
      Sweeper__stuckAfterSeconds: '1',
    },
  });
  time.onMove(() => h.host.bus.clockChanged());
});
afterAll(() => h.host.stop());

const read = async (id: string) => (await h.api.get<OnboardingBody>(`/api/onboardings/${id}`, h.chef)).body;
const moved = (employeeId: string, startDate: string) => ({
  eventId: `moved-${employeeId}-${startDate}`,
  type: 'employee.start-date-changed',
  occurredAt: '2027-09-01T08:00:00Z',
  employee: { employeeId, startDate },
});

describe('lead times', () => {
  it('when steps are due days before the start date, then they stay pending with notBefore and run on their day; a moved start date re-plans what has not run', async () => {
    const o = await h.hired<OnboardingBody>(
      buildHireJson({ employee: { startDate: START }, needs: { laptop: false, vpn: true, officeLicense: true } }),
    );
    expect((await h.api.post(`/api/onboardings/${o.id}/decision`, { decision: 'approve' }, h.chef)).status).toBe(200);
    const planned = await read(o.id);
    expect(planned.status).toBe('provisioning');
    expect(planned.steps.vpn).toMatchObject({ status: 'pending', notBefore: VPN_DUE.toISOString() });
    const licenceDue = startOfDayInParis(addDays(START, -1)).toISOString();
    expect(planned.steps.officeLicense).toMatchObject({ status: 'pending', notBefore: licenceDue });

    // Before its day, nothing; a sweep (a redrive of stuck steps) does not even send it (the step's own guard
    // would refuse an early run too).
    await new Promise((r) => setTimeout(r, 1100));
    const send = jest.spyOn(h.host.bus, 'send');
    await h.host.runTimers();
    await h.host.whenIdle();
    const swept = send.mock.calls.flatMap(([, messages]) => messages.map((m) => m.body as { onboardingId?: string }));
    send.mockRestore();
    expect(swept.filter((b) => b.onboardingId === o.id)).toEqual([]);
    expect(h.host.tenant.isVpnMember(o.userPrincipalName)).toBe(false);
    expect(clock.now().getTime()).toBeLessThan(VPN_DUE.getTime());

    // On its day: the VPN runs; the licence still waits for its own.
    time.moveTo(VPN_DUE.getTime() - 1000);
    const vpnDone = await eventually(
      () => read(o.id),
      (x) => x.steps.vpn.status === 'done',
      20_000,
    );
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(VPN_DUE.getTime());
    expect(vpnDone.steps.vpn.notBefore).toBeUndefined();
    expect(h.host.tenant.isVpnMember(o.userPrincipalName)).toBe(true);
    expect(vpnDone.steps.officeLicense).toMatchObject({ status: 'pending', notBefore: licenceDue });

    // The start date moves a week later: the licence is re-planned for its new day.
    expect((await h.api.post('/api/hr-events', moved(o.employeeId, addDays(START, 7)), h.hr)).status).toBe(202);
    const later = startOfDayInParis(addDays(START, 6)).toISOString();
    const replanned = await eventually(
      () => read(o.id),
      (x) => x.steps.officeLicense.notBefore === later,
    );
    expect(replanned.steps.officeLicense.status).toBe('pending');
    expect(h.host.tenant.hasLicense(o.userPrincipalName)).toBe(false);

    // Then earlier than today: due at once.
    expect((await h.api.post('/api/hr-events', moved(o.employeeId, addDays(START, -3)), h.hr)).status).toBe(202);
    const done = await eventually(
      () => read(o.id),
      (x) => x.status === 'completed',
    );
    expect(done.steps.officeLicense.status).toBe('done');
    expect(h.host.tenant.hasLicense(o.userPrincipalName)).toBe(true);
    const history = (
      await h.api.get<{ items: { type: string; details: Record<string, unknown> }[] }>(
        `/api/onboardings/${o.id}/history`,
        h.chef,
      )
    ).body.items;
    expect(history.filter((e) => e.type === 'step.replanned').map((e) => e.details.step)).toEqual([
      'officeLicense',
      'officeLicense',
    ]);
  }, 60_000);
});
