import type { AccessoryRequest } from '../schemas/accessories';
import { compareRequests } from './laptop-allocation';

/** One kind at one site as a pass sees it: how many are free, and who holds one already. */
export interface AccessoryShelf {
  id: string;
  kind: string;
  site: string | null;
  available: number;
  holders: readonly string[];
}

/** Whether the onboarding holds one of `kind` (reserved or given), from any site. */
export function holdsKind(shelves: readonly AccessoryShelf[], onboardingId: string, kind: string): boolean {
  return shelves.some((s) => s.kind === kind && s.holders.includes(onboardingId));
}

/**
 * One accessory pass, planned: the waiting requests in the order of the line (continuity first, then the
 * start date, then the approval, as laptops) each take one of every kind they need and do not hold yet, from
 * their site's stock first, then the DSI's own (no site), then the site with the most, while any is left.
 * A kind that is out leaves that kind waiting, not the others. Pure: answers the holders to add per shelf.
 */
export function planAccessories(
  requests: readonly AccessoryRequest[],
  shelves: readonly AccessoryShelf[],
): Map<string, string[]> {
  const left = new Map(shelves.map((s) => [s.id, s.available]));
  const plan = new Map<string, string[]>();
  const rank = (request: AccessoryRequest, s: AccessoryShelf) =>
    s.site !== null && s.site === request.site ? 0 : s.site === null ? 1 : 2;
  for (const request of [...requests].sort(compareRequests)) {
    // Each kind once a request (the need lists a kind at most once).
    for (const kind of request.kinds) {
      if (holdsKind(shelves, request.onboardingId, kind)) continue;
      const candidates = shelves
        .filter((s) => s.kind === kind && (left.get(s.id) ?? 0) > 0)
        .sort(
          (a, b) =>
            rank(request, a) - rank(request, b) ||
            (left.get(b.id) ?? 0) - (left.get(a.id) ?? 0) ||
            (a.site ?? '').localeCompare(b.site ?? ''),
        );
      const shelf = candidates[0];
      if (!shelf) continue;
      left.set(shelf.id, (left.get(shelf.id) ?? 0) - 1);
      plan.set(shelf.id, [...(plan.get(shelf.id) ?? []), request.onboardingId]);
    }
  }
  return plan;
}
