import { dayInParis } from '../../domain/paris-time';
import type { Clock } from '../../ports/clock';
import {
  ATTENTION_REASONS,
  type AttentionCriteria,
  type AttentionReason,
  type OnboardingRow,
  type OnboardingStore,
} from '../../ports/onboarding-store';
import type { OnboardingStatus } from '../../schemas/onboarding';
import { before } from '../../iso-duration';

/** An approval that expires within this many hours is shown as about to expire. */
export const EXPIRY_WARNING_HOURS = 48;

export interface OnboardingCounts {
  byStatus: Record<OnboardingStatus, number>;
  /** How many onboardings need a person (each once, whatever its reasons). */
  toHandle: number;
  /** With `departments`: how many onboardings each department has. */
  byDepartment?: Record<string, number>;
}

export interface ToHandleItem {
  onboarding: OnboardingRow;
  /** Why it needs a person, the most pressing first. */
  reasons: AttentionReason[];
}

/**
 * What needs a person (the console's « À traiter »): departures the guard holds, steps waiting for an account
 * the directory does not have, onboardings needing attention, approvals about to expire, and onboardings not
 * equipped past their start date. `counts` is what the console's tabs show.
 */
export function createToHandle(deps: { store: OnboardingStore; clock: Clock; expiresAfter: string }) {
  const criteria = (): AttentionCriteria => {
    const now = deps.clock.now();
    const expiresIfCreatedBefore = before(now, deps.expiresAfter);
    return {
      today: dayInParis(now),
      expiringIfCreatedBefore: new Date(
        expiresIfCreatedBefore.getTime() + EXPIRY_WARNING_HOURS * 3_600_000,
      ).toISOString(),
    };
  };
  const union = (ids: Record<AttentionReason, string[]>) => new Set(ATTENTION_REASONS.flatMap((r) => ids[r]));

  return {
    async counts(options: { departments?: boolean } = {}): Promise<OnboardingCounts> {
      const [byStatus, ids, byDepartment] = await Promise.all([
        deps.store.countByStatus(),
        deps.store.attentionIds(criteria()),
        options.departments ? deps.store.departments() : Promise.resolve(undefined),
      ]);
      return { byStatus, toHandle: union(ids).size, ...(byDepartment ? { byDepartment } : {}) };
    },

    /** At most `limit` of each reason; `total`: how many need a person in all. */
    async list(limit: number): Promise<{ items: ToHandleItem[]; total: number }> {
      const c = criteria();
      const [rows, ids] = await Promise.all([deps.store.attentionRows(c, limit), deps.store.attentionIds(c)]);
      const byId = new Map<string, ToHandleItem>();
      for (const reason of ATTENTION_REASONS) {
        for (const row of rows[reason]) {
          const item = byId.get(row.id) ?? { onboarding: row, reasons: [] };
          item.reasons.push(reason);
          byId.set(row.id, item);
        }
      }
      // Every reason an onboarding has, even one past another reason's limit.
      for (const item of byId.values()) {
        item.reasons = ATTENTION_REASONS.filter((r) => ids[r].includes(item.onboarding.id));
      }
      const rank = (item: ToHandleItem) => ATTENTION_REASONS.indexOf(item.reasons[0] ?? 'late');
      const items = [...byId.values()].sort(
        (a, b) =>
          rank(a) - rank(b) ||
          Number(b.onboarding.priority === 'continuity') - Number(a.onboarding.priority === 'continuity') ||
          a.onboarding.startDate.localeCompare(b.onboarding.startDate) ||
          a.onboarding.id.localeCompare(b.onboarding.id),
      );
      return { items, total: union(ids).size };
    },
  };
}
export type ToHandle = ReturnType<typeof createToHandle>;
