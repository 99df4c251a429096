import type { Priority } from '../schemas/hr-events';
import type { OnboardingKind } from '../schemas/onboarding';
import { compareRequests } from './laptop-allocation';

/**
 * Who gets equipped when: every onboarding waiting for a laptop, a licence seat or accessories, in the order it will be
 * served (continuity first, then the earliest start date, then the earliest approval: the order of the
 * allocation pass), with the day it should have what it waits for, given what is in stock now and what is
 * expected (deliveries, leavers' laptops and seats). Pure: the caller reads the stock and the line.
 */

export type Need = 'laptop' | 'officeLicense' | 'accessories';

export interface WaitingOnboarding {
  onboardingId: string;
  priority: Priority;
  startDate: string;
  /** When it was approved (ties after the start date). */
  approvedAt: string;
  waitingFor: Need[];
  /** It holds a laptop already (reserved by a pass, its step about to take it): no laptop of the line is its. */
  holdsLaptop?: boolean;
  /** The accessories it waits for: the kinds it does not hold yet. */
  accessoryKinds?: string[];
  /** Who and where, for the people who read the line. */
  displayName?: string;
  site?: string | null;
  kind?: OnboardingKind;
}

/** Units expected on a day (YYYY-MM-DD). */
export interface Expected {
  on: string;
  count: number;
}

export interface ForecastInput {
  /** Today (YYYY-MM-DD, Europe/Paris). */
  asOf: string;
  laptopsAvailable: number;
  /** Laptops expected: deliveries, and leavers' laptops after their last day. A day past counts as today. */
  laptopsExpected: Expected[];
  seatsFree: number;
  /** Seats expected: leavers' licences, removed at the end of their last day. */
  seatsExpected: Expected[];
  /** Accessories in stock now, by kind (every site); none is announced ahead. */
  accessoriesAvailable?: Readonly<Record<string, number>>;
  waiting: WaitingOnboarding[];
  /** Available laptops by site (null: no site), for the shortfall by site. */
  availableBySite?: readonly (readonly [string | null, number])[];
}

export interface ForecastEntry {
  onboardingId: string;
  priority: Priority;
  startDate: string;
  waitingFor: Need[];
  /** Its place in the line, from 1. */
  position: number;
  /** The day it should have everything it waits for; null: not before more arrive than is expected. */
  expectedBy: string | null;
  /** Not equipped by its start date (or not at all with what is expected). */
  late: boolean;
  displayName?: string;
  site?: string | null;
  kind?: OnboardingKind;
  /** The accessories it waits for (kinds it does not hold yet), when it waits for some. */
  accessoryKinds?: string[];
}

/** What is missing at one site: laptops the line waits for there, against what is available there. */
export interface SiteShortfall {
  site: string | null;
  waiting: number;
  available: number;
  missing: number;
}

export interface Forecast {
  asOf: string;
  laptops: { available: number; expected: Expected[] };
  seats: { free: number };
  waiting: ForecastEntry[];
  /**
   * Laptops the line waits for beyond what is available and expected (« il manque 982 PC »), and by site
   * (the allocation serves an agent's site first, then any other: a site short of laptops is served from
   * elsewhere, to be sent there).
   */
  shortfall: { laptops: number; bySite: SiteShortfall[] };
}

/** Expected units by day, earliest first, days past counted as `asOf`, the same day summed. */
function byDay(expected: readonly Expected[], asOf: string): Expected[] {
  const sums = new Map<string, number>();
  for (const e of expected) {
    if (e.count <= 0) continue;
    const on = e.on < asOf ? asOf : e.on;
    sums.set(on, (sums.get(on) ?? 0) + e.count);
  }
  return [...sums.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([on, count]) => ({ on, count }));
}

/** Hands out units in order: the day of the next one, or null when none is left. */
function supply(now: number, asOf: string, expected: readonly Expected[]): () => string | null {
  const days = [{ on: asOf, count: now }, ...byDay(expected, asOf)];
  let day = 0;
  let taken = 0;
  return () => {
    for (; day < days.length; day++, taken = 0) {
      const d = days[day];
      if (d && taken < d.count) {
        taken += 1;
        return d.on;
      }
    }
    return null;
  };
}

export function forecast(input: ForecastInput): Forecast {
  const nextLaptop = supply(Math.max(0, input.laptopsAvailable), input.asOf, input.laptopsExpected);
  const nextSeat = supply(Math.max(0, input.seatsFree), input.asOf, input.seatsExpected);
  const accessories = new Map<string, () => string | null>();
  const nextAccessory = (kind: string) => {
    let next = accessories.get(kind);
    if (!next) {
      next = supply(Math.max(0, input.accessoriesAvailable?.[kind] ?? 0), input.asOf, []);
      accessories.set(kind, next);
    }
    return next();
  };
  // In the allocation pass's own order.
  const line = [...input.waiting].sort(compareRequests);
  const waiting = line.map((w, i): ForecastEntry => {
    const days = w.waitingFor.flatMap((need) => {
      if (need === 'laptop') return [w.holdsLaptop ? input.asOf : nextLaptop()];
      if (need === 'accessories') return (w.accessoryKinds ?? []).map(nextAccessory);
      return [nextSeat()];
    });
    const expectedBy = days.includes(null)
      ? null
      : days.reduce<string>((latest, d) => (d !== null && d > latest ? d : latest), input.asOf);
    return {
      onboardingId: w.onboardingId,
      priority: w.priority,
      startDate: w.startDate,
      waitingFor: w.waitingFor,
      position: i + 1,
      expectedBy,
      late: expectedBy === null || expectedBy > w.startDate,
      ...(w.displayName !== undefined ? { displayName: w.displayName } : {}),
      ...(w.site !== undefined ? { site: w.site } : {}),
      ...(w.kind !== undefined ? { kind: w.kind } : {}),
      ...(w.accessoryKinds !== undefined && w.accessoryKinds.length > 0 ? { accessoryKinds: w.accessoryKinds } : {}),
    };
  });
  const needing = line.filter((w) => w.waitingFor.includes('laptop') && !w.holdsLaptop);
  const expectedLaptops = input.laptopsExpected.reduce((n, e) => n + Math.max(0, e.count), 0);
  const sites = new Map<string | null, SiteShortfall>();
  const atSite = (site: string | null) => {
    const known = sites.get(site) ?? { site, waiting: 0, available: 0, missing: 0 };
    sites.set(site, known);
    return known;
  };
  for (const w of needing) atSite(w.site ?? null).waiting += 1;
  for (const [site, n] of input.availableBySite ?? []) atSite(site).available += n;
  const bySite = [...sites.values()]
    .map((s) => ({ ...s, missing: Math.max(0, s.waiting - s.available) }))
    .filter((s) => s.waiting > 0)
    .sort((a, b) => b.missing - a.missing || (a.site ?? '').localeCompare(b.site ?? ''));
  return {
    asOf: input.asOf,
    laptops: { available: input.laptopsAvailable, expected: byDay(input.laptopsExpected, input.asOf) },
    seats: { free: input.seatsFree },
    waiting,
    shortfall: {
      laptops: Math.max(0, needing.length - Math.max(0, input.laptopsAvailable) - expectedLaptops),
      bySite,
    },
  };
}
