/**
 * How early a message scheduled for an instant may come and still be taken as due: the instances' clocks
 * differ a little, and a message comes to the millisecond of its time. Taken for early, the message for a
 * day would be scheduled again for that same instant, under the same id, and dropped as a duplicate.
 */
export const EARLY_TOLERANCE_MS = 5000;

/** True when `dueAt` has come at `now`, give or take the tolerance. */
export function isDue(dueAt: string, now: Date): boolean {
  return Date.parse(dueAt) - now.getTime() <= EARLY_TOLERANCE_MS;
}
