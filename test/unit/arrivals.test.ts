import { createArrivals } from '../../shared/app/onboarding/arrivals';
import { decide } from '../../shared/domain/decide';
import type { Forecast } from '../../shared/domain/forecast';
import type { OnboardingStore } from '../../shared/ports/onboarding-store';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { approvedOnboarding, buildOnboarding } from '../support/factories';

// A manager's arrivals (contract: "Managers", GET /api/me/arrivals): the onboardings whose agent's manager is
// the caller by object id, or by upn while the manager's account was unknown, each with only the fields the
// contract lists and the day the agent should be equipped.

const ME = { objectId: '55555555-5555-4555-8555-555555555555', userPrincipalName: 'chef.lycees@example.org' };
const SOMEONE_ELSE = '66666666-6666-4666-8666-666666666666';
// 23:30 UTC on 1 December is already 2 December in Paris.
const NOW = new Date('2026-12-01T23:30:00.000Z');

const managed = (o: Onboarding, managerObjectId?: string): Onboarding => {
  const copy: Onboarding = { ...o, managerUpn: ME.userPrincipalName };
  if (managerObjectId === undefined) delete copy.managerObjectId;
  else copy.managerObjectId = managerObjectId;
  return copy;
};

function harness(found: Onboarding[], options: { upnIs?: string | null; forecast?: Partial<Forecast> } = {}) {
  const calls: string[] = [];
  const arrivals = createArrivals({
    store: {
      managedBy: (manager: typeof ME) => Promise.resolve(manager.objectId === ME.objectId ? found : []),
    } as unknown as OnboardingStore,
    directory: {
      objectIdOf: (upn) => {
        calls.push(`objectIdOf ${upn}`);
        return Promise.resolve(options.upnIs === undefined ? ME.objectId : options.upnIs);
      },
    },
    forecast: () => {
      calls.push('forecast');
      return Promise.resolve({
        asOf: '2026-12-02',
        laptops: { available: 0, expected: [] },
        seats: { free: 0 },
        waiting: [],
        shortfall: { laptops: 0, bySite: [] },
        ...options.forecast,
      });
    },
    clock: { now: () => NOW },
  });
  return { arrivals, calls };
}

describe("a manager's arrivals", () => {
  it("when onboardings name the caller as manager by object id, then each is shown with only the fields of the contract; another manager's are not", async () => {
    const awaiting = managed(buildOnboarding(), ME.objectId);
    const other = managed(buildOnboarding(), SOMEONE_ELSE);
    const h = harness([awaiting, other]);
    const items = await h.arrivals(ME);
    expect(items).toEqual([
      {
        id: awaiting.id,
        displayName: 'Camille Martin',
        kind: 'hire',
        status: 'awaiting-approval',
        startDate: awaiting.startDate,
        steps: {
          laptop: 'pending',
          vpn: 'pending',
          officeLicense: 'pending',
          teams: 'skipped',
          accessories: 'skipped',
        },
        expectedBy: null,
        handover: null,
      },
    ]);
    // Every one names its manager by object id and none is being equipped: neither Graph (a budget shared with
    // the provisioning) nor the forecast (the whole line) is read for the page.
    expect(h.calls).toEqual([]);
  });

  it("when one is named by upn only (the manager unknown when it opened), then it is the caller's when the directory says that upn is their account now", async () => {
    const byUpn = managed(buildOnboarding());
    const mine = await harness([byUpn]).arrivals(ME);
    expect(mine.map((i) => i.id)).toEqual([byUpn.id]);
    // The upn was given to someone else since, or is no one's.
    expect(await harness([byUpn], { upnIs: SOMEONE_ELSE }).arrivals(ME)).toEqual([]);
    expect(await harness([byUpn], { upnIs: null }).arrivals(ME)).toEqual([]);
  });

  it('when an agent waits in line, then the day the forecast gives; provisioning without waiting, today in Paris; finished, none', async () => {
    const inLine = managed(approvedOnboarding(), ME.objectId);
    const running = managed(approvedOnboarding(), ME.objectId);
    const notExpected = managed(approvedOnboarding(), ME.objectId);
    const done = managed({ ...approvedOnboarding(), status: 'completed' }, ME.objectId);
    const h = harness([inLine, running, notExpected, done], {
      forecast: {
        waiting: [
          {
            onboardingId: inLine.id,
            priority: 'standard',
            startDate: inLine.startDate,
            waitingFor: ['laptop'],
            position: 1,
            expectedBy: '2026-12-09',
            late: false,
          },
          {
            onboardingId: notExpected.id,
            priority: 'standard',
            startDate: inLine.startDate,
            waitingFor: ['laptop'],
            position: 2,
            expectedBy: null,
            late: true,
          },
        ],
      },
    });
    const items = await h.arrivals(ME);
    expect(items.map((i) => [i.id, i.expectedBy])).toEqual([
      [inLine.id, '2026-12-09'],
      [running.id, '2026-12-02'],
      [notExpected.id, null],
      [done.id, null],
    ]);
    expect(h.calls.filter((c) => c === 'forecast')).toHaveLength(1);
  });

  it('when the laptop was handed over, then the manager sees how and when', async () => {
    const o = decide(
      decide(approvedOnboarding(), {
        type: 'step-succeeded',
        at: '2026-12-01T09:00:00.000Z',
        step: 'laptop',
        serialNumber: 'PC-1',
      }).state,
      {
        type: 'laptop-handed-over',
        at: '2026-12-01T10:00:00.000Z',
        by: { name: 'logistique@example.org' },
        serialNumber: 'PC-1',
        method: 'pickup',
      },
    ).state;
    const [item] = await harness([managed(o, ME.objectId)]).arrivals(ME);
    expect(item?.handover).toEqual({ method: 'pickup', at: '2026-12-01T10:00:00.000Z', by: 'logistique@example.org' });
  });

  it('when a needs-attention onboarding is not in the line, then it is expected today too', async () => {
    const flagged = managed({ ...approvedOnboarding(), status: 'needs-attention' }, ME.objectId);
    const [item] = await harness([flagged]).arrivals(ME);
    expect(item?.expectedBy).toBe('2026-12-02');
  });
});
