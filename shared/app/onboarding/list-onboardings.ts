import { nextDay } from '../../domain/paris-time';
import type { ListOrder, OnboardingFilter, OnboardingPage, OnboardingStore } from '../../ports/onboarding-store';
import { NEWEST_FIRST } from '../../ports/onboarding-store';

/** The list's filters as the API takes them: creation days rather than instants. */
export type OnboardingQuery = Omit<OnboardingFilter, 'createdFrom' | 'createdBefore'> & {
  createdFrom?: string;
  createdTo?: string;
};

/**
 * The store's filter of a query: created from the start of `createdFrom` to the end of `createdTo`, days as the
 * summary report counts them (UTC), so that an export of a report's days holds the onboardings it counted.
 */
export function filterOf(query: OnboardingQuery): OnboardingFilter {
  const { createdFrom, createdTo, ...rest } = query;
  return {
    ...rest,
    ...(createdFrom ? { createdFrom: `${createdFrom}T00:00:00.000Z` } : {}),
    ...(createdTo ? { createdBefore: `${nextDay(createdTo)}T00:00:00.000Z` } : {}),
  };
}

/**
 * `GET /api/onboardings`: one page in the order asked (newest first by default) and `total`, how many match;
 * the two read at once.
 */
export function createListOnboardings(deps: { store: OnboardingStore }) {
  return async function listOnboardings(
    query: OnboardingQuery,
    limit: number,
    continuationToken?: string,
    order: ListOrder = NEWEST_FIRST,
  ): Promise<OnboardingPage & { total: number }> {
    const filter = filterOf(query);
    const [page, total] = await Promise.all([
      deps.store.query(filter, limit, continuationToken, order),
      deps.store.count(filter),
    ]);
    return { ...page, total };
  };
}
