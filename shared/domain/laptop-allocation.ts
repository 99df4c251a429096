import type { Laptop, LaptopPoolDocument, LaptopRequest } from '../schemas/laptops';

/** A laptop set aside for an onboarding by an allocation pass. */
export interface Reservation {
  onboardingId: string;
  employeeId: string;
  serialNumber: string;
  /** The onboarding's trace, so that its resumed step continues it. */
  traceparent?: string;
}

/** Who is served first: `continuity` agents, then the earliest start date, then the earliest approval. */
export function compareRequests(a: LaptopRequest, b: LaptopRequest): number {
  if (a.priority !== b.priority) return a.priority === 'continuity' ? -1 : 1;
  if (a.startDate !== b.startDate) return a.startDate < b.startDate ? -1 : 1;
  if (a.approvedAt !== b.approvedAt) return a.approvedAt < b.approvedAt ? -1 : 1;
  if (a.requestedAt !== b.requestedAt) return a.requestedAt < b.requestedAt ? -1 : 1;
  return a.onboardingId < b.onboardingId ? -1 : a.onboardingId > b.onboardingId ? 1 : 0;
}

export function heldBy(pool: LaptopPoolDocument, onboardingId: string): Laptop | undefined {
  return pool.laptops.find((l) => l.onboardingId === onboardingId && l.status !== 'available');
}

/**
 * Serves waiting requests in priority order from the available laptops (one at the agent's site when
 * there is one, otherwise the longest in stock). Pure: returns the new pool and what it reserved.
 */
export function allocate(
  pool: LaptopPoolDocument,
  at: string,
): { pool: LaptopPoolDocument; reservations: Reservation[] } {
  const next = structuredClone(pool);
  const reservations: Reservation[] = [];
  const stillWaiting: LaptopRequest[] = [];
  for (const request of [...next.waiting].sort(compareRequests)) {
    const available = next.laptops.filter((l) => l.status === 'available');
    if (heldBy(next, request.onboardingId)) continue; // already served: the request is spent
    const laptop = available.find((l) => request.site !== null && l.site === request.site) ?? available[0];
    if (!laptop) {
      stillWaiting.push(request);
      continue;
    }
    laptop.status = 'reserved';
    laptop.onboardingId = request.onboardingId;
    laptop.userPrincipalName = request.userPrincipalName;
    laptop.updatedAt = at;
    reservations.push({
      onboardingId: request.onboardingId,
      employeeId: request.employeeId,
      serialNumber: laptop.serialNumber,
      ...(request.traceparent ? { traceparent: request.traceparent } : {}),
    });
  }
  next.waiting = stillWaiting;
  return { pool: next, reservations };
}

/** Puts the request in line (or refreshes it), then allocates. */
export function requestLaptop(pool: LaptopPoolDocument, request: LaptopRequest, at: string) {
  if (heldBy(pool, request.onboardingId)) return { pool, reservations: [] as Reservation[] };
  const next = structuredClone(pool);
  const existing = next.waiting.find((w) => w.onboardingId === request.onboardingId);
  // Keep its place in line; take the newer facts (start date...) only from a request read later.
  if (existing && request.asOf >= existing.asOf)
    Object.assign(existing, { ...request, requestedAt: existing.requestedAt });
  else if (!existing) next.waiting.push(request);
  return allocate(next, at);
}

/** Adds laptops not already known (by serial), then allocates. */
export function addLaptops(
  pool: LaptopPoolDocument,
  laptops: { serialNumber: string; model: string; site?: string | undefined }[],
  at: string,
) {
  const next = structuredClone(pool);
  const known = new Set(next.laptops.map((l) => l.serialNumber.toUpperCase()));
  const skipped: string[] = [];
  let added = 0;
  for (const l of laptops) {
    const key = l.serialNumber.toUpperCase();
    if (known.has(key)) {
      skipped.push(l.serialNumber);
      continue;
    }
    known.add(key);
    next.laptops.push({
      serialNumber: l.serialNumber,
      model: l.model,
      site: l.site ?? null,
      status: 'available',
      onboardingId: null,
      userPrincipalName: null,
      addedAt: at,
      updatedAt: at,
    });
    added += 1;
  }
  return { ...allocate(next, at), added, skipped };
}

/** Takes back what the onboarding holds, withdraws its request, then allocates the returned laptops. */
export function release(pool: LaptopPoolDocument, onboardingId: string, at: string) {
  const next = structuredClone(pool);
  const released: Laptop[] = [];
  for (const l of next.laptops) {
    if (l.onboardingId === onboardingId) {
      released.push({ ...l });
      l.status = 'available';
      l.onboardingId = null;
      l.userPrincipalName = null;
      l.updatedAt = at;
    }
  }
  next.waiting = next.waiting.filter((w) => w.onboardingId !== onboardingId);
  return { ...allocate(next, at), released };
}

/** The reserved laptop is now assigned to its user in Autopilot. */
export function markAssigned(
  pool: LaptopPoolDocument,
  onboardingId: string,
  serialNumber: string,
  at: string,
): LaptopPoolDocument {
  const next = structuredClone(pool);
  const laptop = next.laptops.find((l) => l.serialNumber === serialNumber && l.onboardingId === onboardingId);
  if (laptop && laptop.status !== 'assigned') {
    laptop.status = 'assigned';
    laptop.updatedAt = at;
  }
  return next;
}
