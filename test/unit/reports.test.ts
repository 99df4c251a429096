import { createReports, DurationHistogram } from '../../shared/app/reports/reports';
import type { OnboardingStore, ReportFacts } from '../../shared/ports/onboarding-store';
import type { StepStatus } from '../../shared/schemas/onboarding';

// The summary's arithmetic, against facts given in pages (the store's projection is tested on its endpoint).

const steps = (laptop: StepStatus = 'done', vpn: StepStatus = 'done', officeLicense: StepStatus = 'done') => ({
  laptop: { status: laptop },
  vpn: { status: vpn },
  officeLicense: { status: officeLicense },
  teams: { status: 'skipped' as const },
  accessories: { status: 'skipped' as const },
});

const fact = (over: Partial<ReportFacts>): ReportFacts => ({
  id: 'E1.1',
  status: 'completed',
  priority: 'standard',
  createdAt: '2026-03-02T08:00:00.000Z',
  decidedAt: '2026-03-02T10:00:00.000Z',
  completedAt: '2026-03-02T18:00:00.000Z',
  handedOverAt: null,
  steps: steps(),
  ...over,
});

describe('DurationHistogram', () => {
  it('when durations are added, then percentiles by nearest rank within 1 %, to a tenth of an hour; none: null', () => {
    const h = new DurationHistogram();
    expect(h.percentile(50)).toBeNull();
    for (const hours of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) h.add(hours);
    expect(h.n).toBe(10);
    expect(h.percentile(50)).toBeCloseTo(5, 0);
    expect(Math.abs(h.percentile(50)! - 5)).toBeLessThanOrEqual(0.05 + 0.05);
    expect(Math.abs(h.percentile(90)! - 9)).toBeLessThanOrEqual(0.09 + 0.05);
    expect(Math.abs(h.percentile(100)! - 10)).toBeLessThanOrEqual(0.1 + 0.05);
    expect(Math.abs(h.percentile(1)! - 1)).toBeLessThanOrEqual(0.01 + 0.05);
  });

  it('when a duration is under a minute (or zero), then it counts as zero hours', () => {
    const h = new DurationHistogram();
    h.add(0);
    h.add(0.01);
    h.add(100);
    expect(h.percentile(50)).toBe(0);
    expect(h.percentile(66)).toBe(0);
    expect(Math.abs(h.percentile(67)! - 100)).toBeLessThanOrEqual(1.05);
  });
});

describe('the summary', () => {
  function reportOver(pages: ReportFacts[][]) {
    const asked: [string, string][] = [];
    const store = {
      reportFacts: (from: string, to: string, onPage: (rows: ReportFacts[]) => void) => {
        asked.push([from, to]);
        pages.forEach(onPage);
        return Promise.resolve();
      },
    } as unknown as OnboardingStore;
    return { reports: createReports({ store }), asked };
  }

  it('when facts come in pages, then counts by status and priority, durations per priority, waiting steps and what needs attention', async () => {
    const { reports, asked } = reportOver([
      [
        fact({ id: 'E1.1', priority: 'continuity' }),
        fact({
          id: 'E2.1',
          priority: 'continuity',
          completedAt: '2026-03-03T08:00:00.000Z',
          handedOverAt: '2026-03-03T14:00:00.000Z',
        }),
        fact({ id: 'E3.1', decidedAt: null }),
      ],
      [
        fact({ id: 'E4.1', status: 'provisioning', completedAt: null, steps: steps('waiting', 'done', 'waiting') }),
        fact({
          id: 'E6.1',
          status: 'needs-attention',
          completedAt: null,
          steps: {
            laptop: { status: 'waiting' },
            vpn: { status: 'failed', detail: 'Authorization_RequestDenied: no' },
            officeLicense: { status: 'failed' },
            teams: { status: 'skipped' },
            accessories: { status: 'skipped' },
          },
        }),
        fact({ id: 'E5.1', status: 'rejected', completedAt: null, steps: steps('skipped', 'skipped', 'waiting') }),
        fact({ id: 'E7.1', status: 'completed', completedAt: null }),
      ],
    ]);
    const report = await reports.summary('2026-03-01', '2026-03-31');
    expect(asked).toEqual([['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']]);
    expect(report.from).toBe('2026-03-01');
    expect(report.to).toBe('2026-03-31');
    expect(report.byStatus).toEqual({
      'awaiting-approval': 0,
      provisioning: 1,
      completed: 4,
      rejected: 1,
      cancelled: 0,
      'needs-attention': 1,
      leaving: 0,
      left: 0,
    });
    expect(report.byPriority).toEqual({ continuity: 2, standard: 5 });
    expect(report.hireToCompleted.continuity.n).toBe(2);
    expect(Math.abs(report.hireToCompleted.continuity.p50Hours! - 10)).toBeLessThanOrEqual(0.15);
    expect(Math.abs(report.hireToCompleted.continuity.p90Hours! - 24)).toBeLessThanOrEqual(0.3);
    expect(report.hireToCompleted.standard).toMatchObject({ n: 1 });
    expect(report.approvalToCompleted.continuity.n).toBe(2);
    expect(Math.abs(report.approvalToCompleted.continuity.p50Hours! - 8)).toBeLessThanOrEqual(0.1);
    expect(report.approvalToCompleted.standard).toEqual({ p50Hours: null, p90Hours: null, n: 0 });
    // Only the laptops handed over count, from the creation to the handover.
    expect(report.hireToEquipped.standard).toEqual({ p50Hours: null, p90Hours: null, n: 0 });
    expect(report.hireToEquipped.continuity.n).toBe(1);
    expect(Math.abs(report.hireToEquipped.continuity.p50Hours! - 30)).toBeLessThanOrEqual(0.3);
    expect(report.waiting).toEqual({ laptop: 2, officeLicense: 1 });
    expect(report.needsAttention).toEqual([
      { onboardingId: 'E6.1', reason: 'vpn: Authorization_RequestDenied: no; officeLicense: failed' },
    ]);
  });

  it('when several need attention, then they come in id order', async () => {
    const broken = (id: string) =>
      fact({ id, status: 'needs-attention', completedAt: null, steps: steps('failed', 'done', 'done') });
    const { reports } = reportOver([[broken('E9.1'), broken('E10.1')], [broken('E2.1')]]);
    expect((await reports.summary('2026-03-01', '2026-03-01')).needsAttention.map((n) => n.onboardingId)).toEqual([
      'E10.1',
      'E2.1',
      'E9.1',
    ]);
  });
});
