import { forecast, type Expected, type Forecast, type Need, type WaitingOnboarding } from '../../domain/forecast';
import { dayInParis, nextDay } from '../../domain/paris-time';
import type { AccessoryStock } from '../../ports/accessory-stock';
import type { Clock } from '../../ports/clock';
import type { Directory } from '../../ports/directory';
import type { LaptopPool } from '../../ports/laptop-pool';
import type { OnboardingRow, OnboardingStore } from '../../ports/onboarding-store';
import type { LaptopRequest } from '../../schemas/laptops';

/** The longest line the forecast reads (of each: laptops, seats); the seed's crisis was about a thousand. */
export const FORECAST_LINE_LIMIT = 10_000;

/** Every leaver not yet gone, a page at a time, as rows (no history). */
async function leaversOf(store: OnboardingStore): Promise<OnboardingRow[]> {
  const out: OnboardingRow[] = [];
  let token: string | undefined;
  do {
    const page = await store.rowsPage({ status: 'leaving' }, 200, token);
    out.push(...page.items);
    token = page.continuationToken ?? undefined;
  } while (token);
  return out;
}

/** The forecast, and leavers' laptops apart: those expected back by day, and those overdue (not counted). */
export type ForecastWithReturns = Forecast & { laptops: { returns: { expected: Expected[]; overdue: number } } };

/**
 * `GET /api/forecast`: the two lines (laptops, seats) as the store serves them, what is in stock and free
 * now, and what is expected: deliveries on their day, and each leaver's laptop and seat the day after the
 * last day. A laptop due back and not returned is overdue: not counted (nobody knows when it comes), but said.
 */
export function createForecast(deps: {
  store: OnboardingStore;
  laptops: LaptopPool;
  accessories: Pick<AccessoryStock, 'entries'>;
  directory: Directory;
  clock: Clock;
}) {
  const { store, laptops, directory, clock } = deps;
  return async function readForecast(): Promise<ForecastWithReturns> {
    const asOf = dayInParis(clock.now());
    const [laptopLine, seatLine, accessoryLine, shelves, laptopsAvailable, deliveries, seatsFree, leavers, bySite] =
      await Promise.all([
      store.waitingForLaptop(FORECAST_LINE_LIMIT),
      store.waitingForSeat(FORECAST_LINE_LIMIT),
      store.waitingForAccessories(FORECAST_LINE_LIMIT),
      deps.accessories.entries(),
      laptops.count('available'),
      laptops.deliveries(),
      directory.freeSeats(),
      leaversOf(store),
      laptops.availableBySite(),
    ]);
    const holders = await laptops.holders(laptopLine.map((r) => r.onboardingId));
    const waiting = new Map<string, WaitingOnboarding>();
    const add = (r: LaptopRequest, need: Need, accessoryKinds?: string[]) => {
      const known = waiting.get(r.onboardingId);
      if (known) {
        known.waitingFor.push(need);
        if (accessoryKinds) known.accessoryKinds = accessoryKinds;
        return;
      }
      waiting.set(r.onboardingId, {
        onboardingId: r.onboardingId,
        priority: r.priority,
        startDate: r.startDate,
        approvedAt: r.approvedAt,
        waitingFor: [need],
        ...(need === 'laptop' && holders.has(r.onboardingId) ? { holdsLaptop: true } : {}),
        ...(accessoryKinds ? { accessoryKinds } : {}),
        ...(r.displayName !== undefined ? { displayName: r.displayName } : {}),
        site: r.site,
        ...(r.kind !== undefined ? { kind: r.kind } : {}),
      });
    };
    for (const r of laptopLine) add(r, 'laptop');
    for (const r of seatLine) add(r, 'officeLicense');
    for (const r of accessoryLine) {
      const missing = r.kinds.filter((k) => !shelves.some((s) => s.kind === k && s.holds[r.onboardingId]));
      add(r, 'accessories', missing);
    }
    const accessoriesAvailable: Record<string, number> = {};
    for (const s of shelves) accessoriesAvailable[s.kind] = (accessoriesAvailable[s.kind] ?? 0) + s.available;

    const laptopsExpected: Expected[] = deliveries.map((d) => ({ on: d.expectedOn, count: d.count }));
    const seatsExpected: Expected[] = [];
    const returns: Expected[] = [];
    let overdue = 0;
    for (const o of leavers) {
      const back = o.departure ? nextDay(o.departure.lastDay) : asOf;
      if (['done', 'returning'].includes(o.steps.laptop.status)) {
        if (back < asOf) overdue += 1;
        else {
          laptopsExpected.push({ on: back, count: 1 });
          returns.push({ on: back, count: 1 });
        }
      }
      if (o.steps.officeLicense.status === 'done') seatsExpected.push({ on: back, count: 1 });
    }
    const f = forecast({
      asOf,
      laptopsAvailable,
      laptopsExpected,
      seatsFree,
      seatsExpected,
      accessoriesAvailable,
      waiting: [...waiting.values()],
      availableBySite: [...bySite.entries()],
    });
    const returnsByDay = new Map<string, number>();
    for (const r of returns) returnsByDay.set(r.on, (returnsByDay.get(r.on) ?? 0) + r.count);
    const expected = [...returnsByDay.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([on, count]) => ({ on, count }));
    return { ...f, laptops: { ...f.laptops, returns: { expected, overdue } } };
  };
}
