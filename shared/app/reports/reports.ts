import { nextDay } from '../../domain/paris-time';
import type { OnboardingStore, ReportFacts } from '../../ports/onboarding-store';
import type { Priority } from '../../schemas/hr-events';
import { onboardingStatusSchema, STEP_NAMES, type OnboardingStatus } from '../../schemas/onboarding';

// The summary report of the contract (`GET /api/reports/summary`): counts, time to equipped per priority,
// who waits, what needs attention. Read a page at a time from a projection of the store: the report keeps
// counters and one histogram per duration, never the onboardings.

const PRIORITIES: readonly Priority[] = ['continuity', 'standard'];

/**
 * Durations in a histogram with logarithmic buckets (1 % wide from one minute up): a percentile read from it is
 * within 1 % of the exact one, and its memory does not grow with the number of onboardings.
 */
export class DurationHistogram {
  private static readonly GROWTH = 1.01;
  private static readonly FLOOR_HOURS = 1 / 60;
  private readonly counts = new Map<number, number>();
  n = 0;

  add(hours: number): void {
    const bucket =
      hours <= DurationHistogram.FLOOR_HOURS
        ? 0
        : Math.ceil(Math.log(hours / DurationHistogram.FLOOR_HOURS) / Math.log(DurationHistogram.GROWTH));
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
    this.n += 1;
  }

  /** The p-th percentile (nearest rank) in hours, to 0.1 h; null with no duration. */
  percentile(p: number): number | null {
    if (this.n === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (const bucket of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(bucket) ?? 0;
      if (seen >= rank) {
        const hours = bucket === 0 ? 0 : DurationHistogram.FLOOR_HOURS * DurationHistogram.GROWTH ** bucket;
        return Math.round(hours * 10) / 10;
      }
    }
    return null;
  }
}

export interface SummaryReport {
  from: string;
  to: string;
  byStatus: Record<OnboardingStatus, number>;
  byPriority: Record<Priority, number>;
  hireToCompleted: Record<Priority, { p50Hours: number | null; p90Hours: number | null; n: number }>;
  approvalToCompleted: Record<Priority, { p50Hours: number | null; p90Hours: number | null; n: number }>;
  /** From the onboarding's creation to the laptop in the agent's hands (its handover). */
  hireToEquipped: Record<Priority, { p50Hours: number | null; p90Hours: number | null; n: number }>;
  waiting: { laptop: number; officeLicense: number };
  needsAttention: { onboardingId: string; reason: string }[];
  /** Onboardings created each day (as `from` and `to` count days), by status, days in order; days with none left out. */
  byDay: { day: string; byStatus: Partial<Record<OnboardingStatus, number>> }[];
}

const hoursBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 3_600_000;

export function createReports(deps: { store: OnboardingStore }) {
  return {
    /** The summary over the onboardings created from `from` to `to` (dates, inclusive, UTC days). */
    async summary(from: string, to: string): Promise<SummaryReport> {
      const byStatus = Object.fromEntries(onboardingStatusSchema.options.map((s) => [s, 0])) as Record<
        OnboardingStatus,
        number
      >;
      const byPriority: Record<Priority, number> = { continuity: 0, standard: 0 };
      const fromHire = { continuity: new DurationHistogram(), standard: new DurationHistogram() };
      const fromApproval = { continuity: new DurationHistogram(), standard: new DurationHistogram() };
      const toHands = { continuity: new DurationHistogram(), standard: new DurationHistogram() };
      const waiting = { laptop: 0, officeLicense: 0 };
      const needsAttention: SummaryReport['needsAttention'] = [];
      const days = new Map<string, Partial<Record<OnboardingStatus, number>>>();
      const take = (o: ReportFacts) => {
        byStatus[o.status] += 1;
        const day = days.get(o.createdAt.slice(0, 10)) ?? {};
        day[o.status] = (day[o.status] ?? 0) + 1;
        days.set(o.createdAt.slice(0, 10), day);
        byPriority[o.priority] += 1;
        if (o.status === 'completed' && o.completedAt) {
          fromHire[o.priority].add(hoursBetween(o.createdAt, o.completedAt));
          if (o.decidedAt) fromApproval[o.priority].add(hoursBetween(o.decidedAt, o.completedAt));
        }
        if (o.handedOverAt) toHands[o.priority].add(hoursBetween(o.createdAt, o.handedOverAt));
        if (o.status === 'provisioning' || o.status === 'needs-attention') {
          if (o.steps.laptop.status === 'waiting') waiting.laptop += 1;
          if (o.steps.officeLicense.status === 'waiting') waiting.officeLicense += 1;
        }
        if (o.status === 'needs-attention') {
          const reason = STEP_NAMES.filter((s) => o.steps[s].status === 'failed')
            .map((s) => `${s}: ${o.steps[s].detail ?? 'failed'}`)
            .join('; ');
          needsAttention.push({ onboardingId: o.id, reason });
        }
      };
      // `to` is inclusive: up to the start of the day after it (UTC days).
      await deps.store.reportFacts(`${from}T00:00:00.000Z`, `${nextDay(to)}T00:00:00.000Z`, (rows) =>
        rows.forEach(take),
      );
      const percentiles = (h: Record<Priority, DurationHistogram>) =>
        Object.fromEntries(
          PRIORITIES.map((p) => [p, { p50Hours: h[p].percentile(50), p90Hours: h[p].percentile(90), n: h[p].n }]),
        ) as SummaryReport['hireToCompleted'];
      needsAttention.sort((a, b) => a.onboardingId.localeCompare(b.onboardingId));
      return {
        from,
        to,
        byStatus,
        byPriority,
        hireToCompleted: percentiles(fromHire),
        approvalToCompleted: percentiles(fromApproval),
        hireToEquipped: percentiles(toHands),
        waiting,
        needsAttention,
        byDay: [...days.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([day, counts]) => ({ day, byStatus: counts })),
      };
    },
  };
}
export type Reports = ReturnType<typeof createReports>;
