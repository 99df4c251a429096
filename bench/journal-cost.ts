import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLocalHost } from '../local/host';
import { Roles } from '../shared/domain/roles';

// `npm run bench -- journal`: end-to-end figures of the local host (the same functions as in Azure), on loopback.
// N hires over HTTP, N approvals, then time until every onboarding is completed through the simulated
// tenant (Graph's throttling off: this measures the engine); plus the memory it took. Run twice: with the
// journal (what `npm start` does: every acknowledged change on disk before its answer) and without, to
// show what durability costs. BENCH_N (default 200) and SIM_LATENCY_MS vary it.

const N = Number(process.env.BENCH_N ?? 200);

interface Run {
  journal: boolean;
  hiresPerSecond: number;
  decisionsPerSecond: number;
  onboardingsPerSecond: number;
  endToEndPerSecond: number;
}

async function run(journal: boolean): Promise<Run> {
  const host = await startLocalHost({
    port: 0,
    stateDir: mkdtempSync(path.join(tmpdir(), 'bench-')),
    persist: journal,
    laptopStock: N,
    logHandler: () => undefined,
    tenant: { limits: null },
  });
  const hr = await host.token('sirh@example.org', [Roles.hrEventsSend]);
  const chef = await host.token('chef.dsi@example.org', [Roles.onboardingApprove]);
  const call = async (method: string, url: string, token: string, body?: unknown) => {
    const res = await fetch(`${host.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const rssBefore = process.memoryUsage().rss;

  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: N }, (_, i) =>
      call('POST', '/api/hr-events', hr, {
        eventId: `bench-${i}`,
        type: 'employee.hired',
        occurredAt: '2026-11-29T08:00:00Z',
        employee: {
          employeeId: `B${i}`,
          givenName: 'Agent',
          surname: String(i),
          userPrincipalName: `agent.${i}@example.org`,
          department: 'DSI',
          startDate: '2027-01-04',
          priority: i % 10 === 0 ? 'continuity' : 'standard',
        },
      }),
    ),
  );
  await host.whenIdle(120_000);
  const t1 = performance.now();
  await Promise.all(
    Array.from({ length: N }, (_, i) =>
      call('POST', `/api/onboardings/B${i}.1/decision`, chef, { decision: 'approve' }),
    ),
  );
  const t2 = performance.now();
  await host.whenIdle(300_000);
  const t3 = performance.now();

  let completed = 0;
  let token: string | null = null;
  do {
    const page: Record<string, unknown> = await call(
      'GET',
      `/api/onboardings?limit=200${token ? `&continuationToken=${token}` : ''}`,
      chef,
    );
    completed += (page.items as { status: string }[]).filter((o) => o.status === 'completed').length;
    token = (page.continuationToken as string | null) ?? null;
  } while (token);
  const t4 = performance.now();

  const mem = process.memoryUsage();
  const s = (ms: number) => (ms / 1000).toFixed(2);
  console.log(`\n-- journal ${journal ? 'on (npm start)' : 'off'} --`);
  console.log(`onboardings: ${N}, completed: ${completed}`);
  console.log(
    `hire (HTTP 202 + queue + Cosmos create): ${s(t1 - t0)} s, ${(N / ((t1 - t0) / 1000)).toFixed(0)} hires/s`,
  );
  console.log(
    `approve (HTTP 200, etag write, outbox): ${s(t2 - t1)} s, ${(N / ((t2 - t1) / 1000)).toFixed(0)} decisions/s`,
  );
  console.log(
    `provisioning to completed (3 steps each, Graph via HTTPS): ${s(t3 - t2)} s, ${(N / ((t3 - t2) / 1000)).toFixed(1)} onboardings/s`,
  );
  console.log(`list every onboarding, 200 a page: ${(t4 - t3).toFixed(0)} ms`);
  console.log(`Graph calls that changed something: ${host.tenant.effects.length}`);
  console.log(
    `memory: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB (+${((mem.rss - rssBefore) / 2 ** 20).toFixed(0)} MiB during the run), heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
  await host.stop();
  if (completed !== N) throw new Error(`only ${completed} of ${N} completed`);
  const rate = (ms: number) => N / (ms / 1000);
  return {
    journal,
    hiresPerSecond: rate(t1 - t0),
    decisionsPerSecond: rate(t2 - t1),
    onboardingsPerSecond: rate(t3 - t2),
    endToEndPerSecond: rate(t3 - t0),
  };
}

/** The median of each figure over the runs. */
function median(runs: Run[], journal: boolean): Run {
  const mine = runs.filter((r) => r.journal === journal);
  const mid = (key: keyof Omit<Run, 'journal'>) => {
    const sorted = mine.map((r) => r[key]).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? 0;
  };
  return {
    journal,
    hiresPerSecond: mid('hiresPerSecond'),
    decisionsPerSecond: mid('decisionsPerSecond'),
    onboardingsPerSecond: mid('onboardingsPerSecond'),
    endToEndPerSecond: mid('endToEndPerSecond'),
  };
}

/** The journal's cost: medians of three alternating runs with and without it (`npm run bench -- journal`). */
export async function journalCost(): Promise<void> {
  // A first run warms the JIT up and is not counted; then the two take turns, three runs each.
  await run(false);
  const runs: Run[] = [];
  for (let i = 0; i < 3; i++) runs.push(await run(false), await run(true));
  const without = median(runs, false);
  const withJournal = median(runs, true);
  const ratio = (key: keyof Omit<Run, 'journal'>) => `${((withJournal[key] / without[key]) * 100).toFixed(0)} %`;
  console.log('\n-- the cost of the journal: medians of 3 runs each, without / with / ratio --');
  console.table({
    'hires/s': [without.hiresPerSecond.toFixed(0), withJournal.hiresPerSecond.toFixed(0), ratio('hiresPerSecond')],
    'decisions/s': [
      without.decisionsPerSecond.toFixed(0),
      withJournal.decisionsPerSecond.toFixed(0),
      ratio('decisionsPerSecond'),
    ],
    'onboardings provisioned/s': [
      without.onboardingsPerSecond.toFixed(1),
      withJournal.onboardingsPerSecond.toFixed(1),
      ratio('onboardingsPerSecond'),
    ],
    'end to end/s': [
      without.endToEndPerSecond.toFixed(1),
      withJournal.endToEndPerSecond.toFixed(1),
      ratio('endToEndPerSecond'),
    ],
  });
}
