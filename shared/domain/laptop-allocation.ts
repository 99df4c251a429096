import type { LaptopRequest } from '../schemas/laptops';

/** A laptop set aside for an onboarding by an allocation pass. */
export interface Reservation {
  onboardingId: string;
  employeeId: string;
  serialNumber: string;
  /** The laptop step's run it serves (a resume of another run is another message). */
  attempt?: number;
  /** The onboarding's trace, so that its resumed step continues it. */
  traceparent?: string;
  /** The agent's priority: a continuity agent's step is resumed on the continuity queue. Absent: standard. */
  priority?: LaptopRequest['priority'];
}

/** What a pass needs to know of an available laptop. */
export interface AvailableLaptop {
  serialNumber: string;
  site: string | null;
  /** When it came into stock: the longest in stock goes first. */
  addedAt: string;
}

/** What the order of service reads of a request (the forecast orders its line by it too). */
export type ServiceOrderKey = Pick<LaptopRequest, 'priority' | 'startDate' | 'approvedAt' | 'onboardingId'>;

/**
 * Who is served first: `continuity` agents, then the earliest start date, then the earliest approval, then
 * the id (a total order).
 */
export function compareRequests(a: ServiceOrderKey, b: ServiceOrderKey): number {
  if (a.priority !== b.priority) return a.priority === 'continuity' ? -1 : 1;
  if (a.startDate !== b.startDate) return a.startDate < b.startDate ? -1 : 1;
  if (a.approvedAt !== b.approvedAt) return a.approvedAt < b.approvedAt ? -1 : 1;
  return a.onboardingId < b.onboardingId ? -1 : a.onboardingId > b.onboardingId ? 1 : 0;
}

function compareLaptops(a: AvailableLaptop, b: AvailableLaptop): number {
  if (a.addedAt !== b.addedAt) return a.addedAt < b.addedAt ? -1 : 1;
  return a.serialNumber < b.serialNumber ? -1 : a.serialNumber > b.serialNumber ? 1 : 0;
}

/**
 * One allocation pass, planned: the waiting requests in priority order each take an available laptop,
 * one at the agent's site when there is one, otherwise the longest in stock, until laptops run out.
 * Pure: the caller reserves the pairs.
 */
export function planAllocation(
  requests: readonly LaptopRequest[],
  available: readonly AvailableLaptop[],
): { request: LaptopRequest; serialNumber: string }[] {
  const free = [...available].sort(compareLaptops);
  const plan: { request: LaptopRequest; serialNumber: string }[] = [];
  for (const request of [...requests].sort(compareRequests)) {
    if (free.length === 0) break;
    const atSite = request.site === null ? -1 : free.findIndex((l) => l.site === request.site);
    const [laptop] = free.splice(atSite >= 0 ? atSite : 0, 1);
    if (laptop) plan.push({ request, serialNumber: laptop.serialNumber });
  }
  return plan;
}
