import { createServices } from '../../shared/app/services';
import { DurationHistogram } from '../../shared/app/reports/reports';
import { verifyChain } from '../../shared/audit/history-chain';
import { before, isIsoDuration } from '../../shared/iso-duration';
import { decide, type OnboardingEvent } from '../../shared/domain/decide';
import { Roles } from '../../shared/domain/roles';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { buildOnboarding, person } from '../support/factories';
import { callHttp, functionsOver } from '../support/functions';
import { startTestServices, type TestServices } from '../support/test-services';

// The summary report (contract: `GET /api/reports/summary?from=&to=`) on a known data set, stored as the
// service writes it, in March 2025 (no other test stores onboardings then).

let t: TestServices;
beforeAll(async () => {
  t = await startTestServices();
});
afterAll(() => t.stop());

const approver = person('chef.dsi@example.org');
const hour = (base: string, hours: number) => new Date(Date.parse(base) + hours * 3_600_000).toISOString();

/** An onboarding created at `createdAt`, approved an hour later, then taken through `events`. */
function onboarding(
  priority: 'continuity' | 'standard',
  createdAt: string,
  events: OnboardingEvent[] = [],
): Onboarding {
  let o = buildOnboarding({ employee: { priority } }, createdAt);
  for (const e of events) o = decide(o, e).state;
  return o;
}
const approve = (createdAt: string): OnboardingEvent => ({
  type: 'decided',
  at: hour(createdAt, 1),
  by: approver,
  decision: 'approve',
});
/** Approved after an hour, every step done `hours` after the hire. */
const completedAfter = (priority: 'continuity' | 'standard', createdAt: string, hours: number) =>
  onboarding(priority, createdAt, [
    approve(createdAt),
    { type: 'step-succeeded', at: hour(createdAt, hours), step: 'vpn' },
    { type: 'step-succeeded', at: hour(createdAt, hours), step: 'officeLicense' },
    { type: 'step-succeeded', at: hour(createdAt, hours), step: 'laptop', serialNumber: 'PF-1' },
  ]);

describe('the summary report', () => {
  let failing: Onboarding;
  beforeAll(async () => {
    const day = (d: number) => `2025-03-${String(d).padStart(2, '0')}T08:00:00.000Z`;
    failing = onboarding('standard', day(9), [
      approve(day(9)),
      { type: 'step-failed', at: hour(day(9), 2), step: 'vpn', code: 'Forbidden', message: 'no access' },
    ]);
    const all = [
      completedAfter('continuity', day(1), 2),
      completedAfter('continuity', day(2), 4),
      completedAfter('continuity', day(3), 10),
      completedAfter('standard', day(4), 24),
      completedAfter('standard', day(5), 48),
      onboarding('standard', day(6), [approve(day(6))]), // laptop in line
      onboarding('standard', day(7), [
        approve(day(7)),
        { type: 'step-waiting', at: hour(day(7), 2), step: 'officeLicense', detail: 'no seat free' },
      ]),
      onboarding('continuity', day(8)), // awaiting approval
      failing,
      onboarding('standard', day(10), [{ type: 'decided', at: day(10), by: approver, decision: 'reject' }]),
      // Outside the days asked for.
      completedAfter('continuity', '2025-04-01T08:00:00.000Z', 1),
    ];
    for (const o of all) await t.ports.store.create(o);
  });

  it('when the summary of March 2025 is asked for, then it counts, times and lists what happened then', async () => {
    const auditor = await t.token('audit@example.org', [Roles.onboardingRead]);
    const res = await callHttp(functionsOver(t.services).http('reports-summary'), {
      token: auditor,
      query: 'from=2025-03-01&to=2025-03-31',
    });
    expect(res.status).toBe(200);
    const report = res.json as {
      byStatus: Record<string, number>;
      hireToCompleted: Record<string, { p50Hours: number; p90Hours: number; n: number }>;
      approvalToCompleted: Record<string, { p50Hours: number; p90Hours: number; n: number }>;
    };
    expect(report).toMatchObject({
      from: '2025-03-01',
      to: '2025-03-31',
      byStatus: {
        'awaiting-approval': 1,
        provisioning: 2,
        completed: 5,
        rejected: 1,
        cancelled: 0,
        'needs-attention': 1,
      },
      byPriority: { continuity: 4, standard: 6 },
      // In line for a laptop: both provisioning and the one that needs attention (its laptop still waits).
      waiting: { laptop: 3, officeLicense: 1 },
      needsAttention: [{ onboardingId: failing.id, reason: 'vpn: Forbidden: no access' }],
    });
    // Nearest-rank percentiles, within the histogram's 1 %.
    const near = (actual: number, expected: number) =>
      expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.011);
    near(report.hireToCompleted.continuity!.p50Hours, 4);
    near(report.hireToCompleted.continuity!.p90Hours, 10);
    near(report.approvalToCompleted.continuity!.p50Hours, 3);
    near(report.hireToCompleted.standard!.p50Hours, 24);
    near(report.hireToCompleted.standard!.p90Hours, 48);
    expect(report.hireToCompleted.continuity!.n).toBe(3);
    expect(report.approvalToCompleted.standard!.n).toBe(2);
  });

  it('when the days are the wrong way round or not dates, then 400', async () => {
    const auditor = await t.token('audit@example.org', [Roles.onboardingRead]);
    const fn = functionsOver(t.services).http('reports-summary');
    expect((await callHttp(fn, { token: auditor, query: 'from=2025-03-31&to=2025-03-01' })).status).toBe(400);
    expect((await callHttp(fn, { token: auditor, query: 'from=31/03/2025' })).status).toBe(400);
    expect((await callHttp(fn, { token: auditor, query: 'since=2025-03-01' })).status).toBe(400);
  });

  it('a duration histogram answers nearest-rank percentiles within 1 %, with memory bounded by its buckets', () => {
    const h = new DurationHistogram();
    expect(h.percentile(50)).toBeNull();
    for (let i = 1; i <= 10_000; i++) h.add(i / 10);
    expect(Math.abs(h.percentile(50)! - 500)).toBeLessThanOrEqual(5);
    expect(Math.abs(h.percentile(90)! - 900)).toBeLessThanOrEqual(9);
    h.add(0);
    expect(h.n).toBe(10_001);
  });
});

describe('the export', () => {
  /** Parses RFC 4180 text: quoted fields may hold commas, quotes (doubled) and line breaks. */
  function parseCsv(text: string): string[][] {
    const rows: string[][] = [];
    let row: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else field += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        row.push(field);
        field = '';
      } else if (ch === '\r' && text[i + 1] === '\n') {
        row.push(field);
        rows.push(row);
        row = [];
        field = '';
        i++;
      } else field += ch;
    }
    return rows;
  }

  it('when the DSI exports a department, then one row per onboarding with its decision and steps, in UTF-8 with a BOM, safe in Excel', async () => {
    const department = 'Lycées, "Export" & Cie';
    const at = '2025-05-02T08:00:00.000Z';
    const done = completedAfter('continuity', at, 5);
    const odd = onboarding('standard', '2025-05-03T08:00:00.000Z', [
      {
        type: 'decided',
        at: '2025-05-03T09:00:00.000Z',
        by: approver,
        decision: 'reject',
        comment: '=HYPERLINK("x")\nsecond line',
      },
    ]);
    for (const o of [done, odd]) {
      o.department = department;
      if (o === odd) o.displayName = 'Élodie Gâteau';
      await t.ports.store.create(o);
    }
    const auditor = await t.token('audit@example.org', [Roles.onboardingRead]);
    const res = await callHttp(functionsOver(t.services).http('onboardings-export'), {
      token: auditor,
      query: `department=${encodeURIComponent(department)}`,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = Buffer.from(res.body, 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(res.body.slice(1));
    const [header, ...data] = rows;
    expect(header).toEqual([
      'id',
      'kind',
      'employeeId',
      'displayName',
      'userPrincipalName',
      'department',
      'site',
      'priority',
      'startDate',
      'status',
      'createdAt',
      'decision',
      'decidedBy',
      'decidedById',
      'decidedAt',
      'decisionComment',
      'laptop',
      'laptopSerialNumber',
      'laptopDetail',
      'vpn',
      'vpnDetail',
      'officeLicense',
      'officeLicenseDetail',
      'completedAt',
    ]);
    const byId = new Map(data.map((r) => [r[0], Object.fromEntries(header!.map((h, i) => [h, r[i]]))]));
    // Newest first, every match once.
    expect(data.map((r) => r[0])).toEqual([odd.id, done.id]);
    expect(byId.get(done.id)).toMatchObject({
      department,
      status: 'completed',
      decision: 'approve',
      decidedBy: approver.name,
      decidedById: approver.id,
      laptop: 'done',
      laptopSerialNumber: 'PF-1',
      completedAt: '2025-05-02T13:00:00.000Z',
    });
    expect(byId.get(odd.id)).toMatchObject({
      displayName: 'Élodie Gâteau',
      status: 'rejected',
      decisionComment: `'=HYPERLINK("x")\nsecond line`,
      laptop: 'skipped',
    });
  });

  it('when 1,000 onboardings are exported, then the store is read a page at a time, only as the reader takes the rows', async () => {
    const department = 'Export en flux';
    const created: Onboarding[] = [];
    for (let i = 0; i < 1000; i += 100) {
      const batch = Array.from({ length: 100 }, (_, j) => {
        const o = buildOnboarding(
          { employee: { department } },
          new Date(Date.parse('2025-06-01T00:00:00Z') + (i + j) * 60_000).toISOString(),
        );
        created.push(o);
        return t.ports.store.create(o);
      });
      await Promise.all(batch);
    }
    // The store behind the route counts the pages it is asked for.
    const pagesRead: number[] = [];
    const store = t.ports.store;
    const counting = Object.create(store) as typeof store;
    counting.rowsPage = (filter, limit, token) => {
      pagesRead.push(limit);
      return store.rowsPage(filter, limit, token);
    };
    const auditor = await t.token('audit@example.org', [Roles.onboardingRead]);
    const fn = functionsOver(createServices({ ...t.ports, store: counting })).http('onboardings-export');
    const response = await fn.handler(
      new (await import('@azure/functions')).HttpRequest({
        method: 'GET',
        url: `http://127.0.0.1/api/onboardings/export?department=${encodeURIComponent(department)}`,
        headers: { authorization: `Bearer ${auditor}` },
      }),
      new (await import('@azure/functions')).InvocationContext(),
    );
    const body = (response as { body: ReadableStream<Uint8Array> }).body;
    const reader = body.getReader();
    const first = await reader.read(); // the header
    expect(new TextDecoder().decode(first.value)).toContain('id,kind,employeeId');
    // Nothing read from the store past what the reader took (the next page is fetched on the next read).
    expect(pagesRead.length).toBeLessThanOrEqual(1);
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(1000);
    expect(pagesRead).toEqual(Array.from({ length: 5 }, () => 200));
  });
});

describe('retention of personal data', () => {
  it('when a finished onboarding is past retention, then names and upns become pseudonyms, the audit facts stay, and the chain verifies', async () => {
    const long = '2019-01-07T08:00:00.000Z';
    const old = completedAfter('continuity', long, 3);
    old.displayName = 'Élodie Gâteau';
    old.userPrincipalName = 'elodie.gateau@example.org';
    // The upn also sits in a step's detail, as a failure message would put it.
    old.steps.vpn.detail = 'member added: elodie.gateau@example.org';
    const recent = completedAfter('standard', new Date(Date.now() - 86_400_000).toISOString(), 2);
    const running = onboarding('standard', long, [approve(long)]);
    for (const o of [old, recent, running]) await t.ports.store.create(o);
    const before = (await t.ports.store.get(old.id))!.value;

    expect(await t.services.operations.retention.run()).toBeGreaterThanOrEqual(1);
    const after = (await t.ports.store.get(old.id))!.value;
    const text = JSON.stringify(after);
    for (const secret of ['Élodie', 'Gâteau', 'elodie.gateau', approver.name]) expect(text).not.toContain(secret);
    expect(after.displayName).toMatch(/^agent-[0-9a-f]{12}$/);
    expect(after.userPrincipalName).toBe(`${after.displayName}@pseudonymised.invalid`);
    // The audit facts: ids, dates, the decision by object id, each step's outcome, the serial number.
    expect(after).toMatchObject({
      id: old.id,
      employeeId: old.employeeId,
      createdAt: old.createdAt,
      completedAt: old.completedAt,
      status: 'completed',
      decision: { decision: 'approve', byId: approver.id, at: old.decision!.at },
      steps: {
        laptop: { status: 'done', serialNumber: 'PF-1' },
        vpn: { status: 'done', detail: `member added: ${after.userPrincipalName}` },
      },
    });
    expect(after.decision!.by).toMatch(/^person-[0-9a-f]{12}@pseudonymised\.invalid$/);
    expect(after.history.map((h) => [h.type, h.at])).toEqual([
      ...before.history.map((h) => [h.type, h.at]),
      ['onboarding.pseudonymised', after.pseudonymisedAt],
    ]);
    expect(after.history.at(-1)!.details).toEqual({ retention: 'P5Y', previousHead: before.history.at(-1)!.hash });
    expect(verifyChain(after.history)).toEqual({ intact: true, brokenAt: null });
    // The same approver has the same pseudonym in every onboarding (from the object id), without the name.
    expect(after.history.find((h) => h.type === 'onboarding.approved')!.actor).toBe(after.decision!.by);

    // Recent, or not finished: untouched. A second run changes nothing.
    expect((await t.ports.store.get(recent.id))!.value.displayName).toBe(recent.displayName);
    expect((await t.ports.store.get(running.id))!.value.pseudonymisedAt).toBeUndefined();
    await t.services.operations.retention.run();
    expect((await t.ports.store.get(old.id))!.value).toEqual(after);
  });

  it('ISO 8601 durations: years, months, weeks, days and times move the calendar back', () => {
    const from = new Date('2026-03-31T12:00:00.000Z');
    expect(before(from, 'P5Y').toISOString()).toBe('2021-03-31T12:00:00.000Z');
    expect(before(from, 'P1M').toISOString()).toBe('2026-03-03T12:00:00.000Z');
    expect(before(from, 'P2W').toISOString()).toBe('2026-03-17T12:00:00.000Z');
    expect(before(from, 'P1DT2H30M15S').toISOString()).toBe('2026-03-30T09:29:45.000Z');
    expect(before(from, 'PT30S').toISOString()).toBe('2026-03-31T11:59:30.000Z');
    for (const bad of ['P', 'PT', '5Y', 'P5', 'P1.5Y', 'P1YT']) expect(isIsoDuration(bad)).toBe(false);
  });
});
