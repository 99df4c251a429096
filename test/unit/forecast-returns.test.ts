import { createForecast } from '../../shared/app/reports/forecast';
import type { Directory } from '../../shared/ports/directory';
import type { LaptopPool } from '../../shared/ports/laptop-pool';
import type { OnboardingRow, OnboardingStore } from '../../shared/ports/onboarding-store';
import { approvedOnboarding } from '../support/factories';

// The forecast's leavers (issue 19: "a leaver's laptop not yet back is shown as an expected delivery for today
// and counted as such"): a leaver's laptop is expected the day after the last day; one past that day and not
// back is overdue, said apart and not counted, never taken for a delivery.

const NOW = new Date('2026-12-10T09:00:00.000Z');

function leaver(id: string, lastDay: string): OnboardingRow {
  const { history: _h, outbox: _o, eventIds: _e, ...row } = approvedOnboarding();
  return {
    ...row,
    id,
    status: 'leaving',
    departure: { lastDay, dueAt: `${lastDay}T23:00:00.000Z` },
    steps: { ...row.steps, laptop: { status: 'returning', updatedAt: NOW.toISOString(), attempt: 1 } },
  };
}

it('when leavers are due back, then those to come are counted on their day and those overdue are said apart, not counted', async () => {
  const store = {
    waitingForLaptop: () => Promise.resolve([]),
    waitingForSeat: () => Promise.resolve([]),
    waitingForAccessories: () => Promise.resolve([]),
    rowsPage: () =>
      Promise.resolve({ items: [leaver('L1.1', '2026-12-12'), leaver('L2.1', '2026-12-01')], continuationToken: null }),
  } as unknown as OnboardingStore;
  const laptops = {
    count: () => Promise.resolve(0),
    deliveries: () => Promise.resolve([{ id: 'delivery-1', expectedOn: '2026-12-15', count: 5 }]),
    holders: () => Promise.resolve(new Map()),
    availableBySite: () => Promise.resolve(new Map()),
  } as unknown as LaptopPool;
  const directory = { freeSeats: () => Promise.resolve(3) } as unknown as Directory;
  const f = await createForecast({
    store,
    laptops,
    accessories: { entries: () => Promise.resolve([]) },
    directory,
    clock: { now: () => NOW },
  })();
  expect(f.laptops.expected).toEqual([
    { on: '2026-12-13', count: 1 },
    { on: '2026-12-15', count: 5 },
  ]);
  expect(f.laptops.returns).toEqual({ expected: [{ on: '2026-12-13', count: 1 }], overdue: 1 });
});
