import { performance } from 'node:perf_hooks';
import { emptyCosmosStats } from '../local/embedded-cosmos';
import { decide, startOnboarding } from '../shared/domain/decide';
import type { Actor } from '../shared/domain/actor';
import { employeeHiredSchema } from '../shared/schemas/hr-events';
import type { Onboarding } from '../shared/schemas/onboarding';
import { cosmosRequestUnits } from './cost-model';
import { apiClient, benchHost, hireOf, percentile, pool, progress, progressDone, tokens } from './harness';

// The auditors' questions over a year of onboardings: 10,000 stored (as the service writes them: hired,
// decided, provisioned), then the list and its filters through the API, as the console and auditors call them.

const APPROVER: Actor = { name: 'chef.dsi@example.org', id: '00000000-0000-4000-8000-00000000c4ef' };

/** An onboarding at the end of its life: most completed, some rejected, some still awaiting a decision. */
function storedOnboarding(i: number): Onboarding {
  const hire = employeeHiredSchema.parse(hireOf(i, 'audit'));
  const day = `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`;
  const at = (hour: number) => `${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;
  let { state } = startOnboarding(
    { id: `${hire.employee.employeeId}.1`, sequence: 1 },
    { type: 'hired', eventId: hire.eventId, at: at(8), hire },
  );
  const apply = (event: Parameters<typeof decide>[1]) => {
    state = { ...decide(state, event).state };
  };
  if (i % 10 === 9) return state;
  apply({ type: 'decided', at: at(9), by: APPROVER, decision: i % 10 === 8 ? 'reject' : 'approve' });
  if (i % 10 === 8) return state;
  apply({ type: 'step-succeeded', at: at(10), step: 'vpn' });
  apply({ type: 'step-succeeded', at: at(11), step: 'officeLicense' });
  apply({ type: 'step-succeeded', at: at(12), step: 'laptop', serialNumber: `AUD-${i}` });
  return state;
}

export interface QueryFigure {
  query: string;
  requests: number;
  p50Ms: number;
  p95Ms: number;
  /** Estimated request units of one request in Cosmos DB. */
  ruPerRequest: number;
  itemsPerRequest: number;
}

/** The export of every onboarding, streamed: time, rows, and how much the process grew while it ran. */
async function exportFigure(
  url: string,
  token: string,
  host: { cosmos: { stats: ReturnType<typeof emptyCosmosStats> | undefined } },
  stored: number,
): Promise<QueryFigure & { rows: number; peakRssGrowthMiB: number }> {
  const times: number[] = [];
  let rows = 0;
  let peak = 0;
  const stats = emptyCosmosStats();
  const samples = 3;
  for (let n = 0; n < samples; n++) {
    if (n === 1) host.cosmos.stats = stats;
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const res = await fetch(`${url}/api/onboardings/export`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok || !res.body) throw new Error(`export: ${res.status}`);
    rows = 0;
    for await (const chunk of res.body) {
      rows += Buffer.from(chunk).toString('utf8').split('\r\n').length - 1;
      peak = Math.max(peak, process.memoryUsage().rss - rssBefore);
    }
    times.push(performance.now() - started);
  }
  host.cosmos.stats = undefined;
  if (rows - 1 !== stored) throw new Error(`export: ${rows - 1} rows for ${stored} onboardings`);
  return {
    query: `export, CSV streamed (${stored} rows)`,
    requests: samples,
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    ruPerRequest: cosmosRequestUnits(stats) / (samples - 1),
    itemsPerRequest: rows - 1,
    rows: rows - 1,
    peakRssGrowthMiB: peak / 2 ** 20,
  };
}

export async function auditQueries(stored = 10_000, samples = 40): Promise<{ stored: number; figures: QueryFigure[] }> {
  const host = await benchHost({
    persist: true,
    laptopStock: 0,
    tenant: { limits: null },
    // No sweep while the queries are timed: their reads would be counted with them.
    env: { ...process.env, LOCAL_TIMER_SECONDS: '86400' },
  });
  try {
    const ids = Array.from({ length: stored }, (_, i) => i);
    let written = 0;
    await pool(ids, 32, async (i) => {
      // Through the store, as the service writes them (history sealed, decidedBy key).
      await host.ports.store.create(storedOnboarding(i));
      if (++written % 500 === 0) progress(`audit: ${written}/${stored} onboardings stored`);
    });
    progressDone();
    const call = apiClient(host);
    const t = await tokens(host);
    const queries: [string, string][] = [
      ['list, 50 a page', '/api/onboardings?limit=50'],
      ['list, 200 a page', '/api/onboardings?limit=200'],
      ['status=completed & priority=continuity', '/api/onboardings?status=completed&priority=continuity&limit=50'],
      [
        'department & start dates',
        '/api/onboardings?department=DSI&startDateFrom=2026-12-01&startDateTo=2026-12-10&limit=50',
      ],
      ['decidedBy', `/api/onboardings?decidedBy=${APPROVER.name}&limit=50`],
      ['employeeId', '/api/onboardings?employeeId=AUDIT4242'],
      ['summary report (all 10,000)', '/api/reports/summary?from=2026-01-01&to=2026-12-31'],
    ];
    const figures: QueryFigure[] = [];
    for (const [name, url] of queries) {
      await call('GET', url, t.audit); // warm
      const stats = emptyCosmosStats();
      host.cosmos.stats = stats;
      const times: number[] = [];
      let items = 0;
      for (let n = 0; n < samples; n++) {
        const started = performance.now();
        const res = await call('GET', url, t.audit);
        times.push(performance.now() - started);
        items += (res.body as { items?: unknown[] }).items?.length ?? 1;
      }
      host.cosmos.stats = undefined;
      figures.push({
        query: name,
        requests: samples,
        p50Ms: percentile(times, 50),
        p95Ms: percentile(times, 95),
        ruPerRequest: cosmosRequestUnits(stats) / samples,
        itemsPerRequest: items / samples,
      });
      progress(`audit: ${name}`);
    }
    progressDone();
    figures.push(await exportFigure(host.url, t.audit, host, stored));
    return { stored, figures };
  } finally {
    await host.stop();
  }
}
