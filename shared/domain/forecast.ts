import type { Priority } from '../schemas/hr-events';
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
}

export interface Forecast {
  asOf: string;
  laptops: { available: number; expected: Expected[] };
  seats: { free: number };
  waiting: ForecastEntry[];
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
    };
  });
  return {
    asOf: input.asOf,
    laptops: { available: input.laptopsAvailable, expected: byDay(input.laptopsExpected, input.asOf) },
    seats: { free: input.seatsFree },
    waiting,
  };
}
