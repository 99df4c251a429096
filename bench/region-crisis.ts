import { performance } from 'node:perf_hooks';
import type { LocalHost } from '../local/host';
import { movableClock } from '../local/movable-clock';
import { acceleratedLimits, DOCUMENTED_LIMITS, type ThrottleMark } from '../local/simulated-tenant';
import { Roles } from '../shared/domain/roles';
import { changeTimes, continuityFirst, CRISIS, equippedTimes } from './crisis';
import {
  apiClient,
  approveAsTheConsoleLists,
  benchHost,
  hireOf,
  pool,
  progress,
  progressDone,
  tokens,
} from './harness';

// The crisis of the seed as it was (issue 20): not a wave of hires, but the agents already in post. The Région's
// 950 agents (decision 13: the first 712 hold a laptop, the others a desktop); the CODIR names 200 of those on a
// desktop under the business-continuity plan (PCA); 120 laptops in stock, deliveries of 100 on each of the two
// days after; 100 hires on top (one in five under the plan too). Graph at its documented limits (windows ÷ 2),
// 5 % of calls answering 503. The days are moved on the service's clock (the bus re-arms what it scheduled).

export const REGION_CRISIS = {
  agents: 950,
  /** The CODIR's list: agents 713… (desktop holders), every one PCA. */
  pcaAgents: 200,
  firstDesktop: 713,
  stock: 120,
  deliveries: [100, 100],
  hires: 100,
  day1: Date.parse('2026-12-01T07:00:00Z'),
};

export interface RegionDay {
  day: number;
  laptopsIn: number;
  /** From the start of the day's work (the list and hires sent, or the delivery recorded) to its last change (ms). */
  elapsedMs: number;
  /** Continuity agents equipped that day, the last one when (ms after the day's start). */
  continuityEquipped: number;
  lastContinuityMs: number;
  /** Standard agents equipped that day before the last continuity agent of the day. */
  standardBefore: number;
  /** Of those, the ones approved after it that needed what it waited for last (the goal is none). */
  overtaking: number;
  /** What Graph's limits allow for that day's calls (its buckets full again at the start of a day). */
  lowerBoundMs: number;
}

export interface RegionResult {
  instances: number;
  continuityOnly: boolean;
  continuityAgents: number;
  days: RegionDay[];
  /** Working time until every continuity agent was equipped: the days' times to their last continuity agent. */
  continuityMs: number;
  /** Graph's lower bound for the same days. */
  lowerBoundMs: number;
  graph: { calls: number; throttled: number; unavailable: number };
  continuityLeftWaiting: number;
  completed: number;
}

const agentUpn = (n: number) => `agent${String(n).padStart(4, '0')}@example.org`;

/** The CODIR's file as the management board's assistant saves it from Excel (French headers, `;`). */
function codirCsv(): string {
  const rows = Array.from(
    { length: REGION_CRISIS.pcaAgents },
    (_, i) => `${agentUpn(REGION_CRISIS.firstDesktop + i)};PCA`,
  );
  return ['upn;priorité', ...rows].join('\r\n');
}

async function waitIdle(host: LocalHost, label: string, deadlineMs = 600_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      await host.whenIdle(5_000);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${label}: still busy after ${deadlineMs / 1000} s`);
    }
  }
}

export async function regionCrisis(options: {
  label: string;
  instances: number;
  continuityOnly?: boolean;
}): Promise<RegionResult> {
  const time = movableClock(REGION_CRISIS.day1);
  const host = await benchHost({
    persist: true,
    laptopStock: REGION_CRISIS.stock,
    instances: options.instances,
    clock: time.clock,
    tenant: {
      failureRate: CRISIS.failureRate,
      seed: 7,
      limits: acceleratedLimits(DOCUMENTED_LIMITS, CRISIS.timeScale),
    },
    env: { ...process.env, LOCAL_TIMER_SECONDS: '5', LOCAL_AGENTS: String(REGION_CRISIS.agents) },
  });
  time.onMove(() => host.bus.clockChanged());
  try {
    const call = apiClient(host);
    const t = await tokens(host);
    const stock = await host.token('stock@example.org', [Roles.inventoryManage]);
    const hires = Array.from({ length: REGION_CRISIS.hires }, (_, i) => hireOf(i, 'reg')).filter(
      (h) => !options.continuityOnly || h.employee.priority === 'continuity',
    );
    const priorityOf = new Map<string, string>();
    for (let i = 0; i < REGION_CRISIS.pcaAgents; i++)
      priorityOf.set(agentUpn(REGION_CRISIS.firstDesktop + i), 'continuity');
    for (const h of hires) priorityOf.set(h.employee.userPrincipalName.toLowerCase(), h.employee.priority);
    const continuityAgents = [...priorityOf.values()].filter((p) => p === 'continuity').length;
    await host.whenIdle();
    // The deliveries the DSI expects (the forecast counts them until they arrive).
    const expected: string[] = [];
    for (const [i, count] of REGION_CRISIS.deliveries.entries()) {
      const on = new Date(REGION_CRISIS.day1 + (i + 1) * 86_400_000).toISOString().slice(0, 10);
      const { body } = await call('POST', '/api/laptops/deliveries', stock, { expectedOn: on, count });
      expected.push((body as { id: string }).id);
    }

    const days: RegionDay[] = [];
    const seen = new Set<string>();
    const runDay = async (day: number, laptopsIn: number, work: () => Promise<void>) => {
      const mark: ThrottleMark = host.tenant.throttleMark();
      const startedAt = Date.now();
      const t0 = performance.now();
      const run = { finished: false };
      const watch = (async () => {
        while (!run.finished) {
          progress(
            `${options.label}, day ${day}: ${((performance.now() - t0) / 1000).toFixed(0)} s, laptops ` +
              `${host.tenant.effectsOf('device-user-assigned').length}, 429s ${host.tenant.answeredWith[429] ?? 0}`,
          );
          await new Promise((r) => setTimeout(r, 1000));
        }
      })();
      await work();
      await waitIdle(host, `${options.label}, day ${day}`);
      run.finished = true;
      await watch;
      progressDone();
      const effects = host.tenant.effects.filter((e) => Date.parse(e.at) >= startedAt);
      const equipped = new Map(
        [...equippedTimes(host, startedAt, priorityOf.keys())].filter(([upn]) => !seen.has(upn)),
      );
      for (const upn of equipped.keys()) seen.add(upn);
      // Approvals as the service's clock stamped them, on the bench's own time line.
      const offset = time.clock.now().getTime() - Date.now();
      const { resources: decided } = await host.cosmos.database
        .container('onboardings')
        .items.query<{ upn: string; at?: string }>(
          "SELECT c.userPrincipalName AS upn, c.decision.at AS at FROM c WHERE c.docType = 'onboarding'",
        )
        .fetchAll();
      const approvedAt = new Map(
        decided.map((d) => [d.upn.toLowerCase(), d.at ? Date.parse(d.at) - offset - startedAt : Infinity]),
      );
      const first = continuityFirst(equipped, priorityOf, approvedAt, changeTimes(host, startedAt, priorityOf.keys()));
      days.push({
        day,
        laptopsIn,
        elapsedMs: effects.length > 0 ? Math.max(...effects.map((e) => Date.parse(e.at))) - startedAt : 0,
        continuityEquipped: first.equipped,
        lastContinuityMs: first.lastMs,
        standardBefore: first.standardBefore,
        overtaking: first.overtaking,
        lowerBoundMs: host.tenant.lowerBoundMs(mark),
      });
    };

    // Day 1: the CODIR's list and HR's hires come in; the DSI approves them all, continuity first (as the
    // console's approvals screen lists them), two hundred at a time.
    await runDay(1, REGION_CRISIS.stock, async () => {
      const res = await fetch(`${host.url}/api/equipment-requests/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.chef}`, 'content-type': 'text/csv; charset=utf-8' },
        body: codirCsv(),
      });
      if (res.status !== 202) throw new Error(`the CODIR's list: ${res.status} ${(await res.text()).slice(0, 300)}`);
      await pool(hires, CRISIS.concurrency, async (hire) => {
        await call('POST', '/api/hr-events', t.hr, hire);
      });
      await approveAsTheConsoleLists(call, t.chef, REGION_CRISIS.pcaAgents + hires.length);
    });
    // Days 2 and 3: the service's clock moves to the next morning, the delivery is recorded in the stock.
    for (const [i, count] of REGION_CRISIS.deliveries.entries()) {
      time.moveTo(REGION_CRISIS.day1 + (i + 1) * 86_400_000);
      await runDay(i + 2, count, async () => {
        await call('DELETE', `/api/laptops/deliveries/${expected[i] ?? ''}`, stock);
        await call('POST', '/api/laptops', stock, {
          laptops: Array.from({ length: count }, (_, n) => ({
            serialNumber: `DELIV${i + 2}-${String(n + 1).padStart(4, '0')}`,
            model: 'Latitude 5450',
          })),
        });
      });
    }

    const { resources } = await host.cosmos.database
      .container('onboardings')
      .items.query<{ priority: string; status: string; laptop: string }>(
        "SELECT c.priority, c.status, c.steps.laptop.status AS laptop FROM c WHERE c.docType = 'onboarding'",
      )
      .fetchAll();
    const answered = host.tenant.answeredWith;
    // Every continuity agent is equipped on the first days that have laptops for them: the days up to the last
    // one that equipped a continuity agent.
    const lastDay = Math.max(0, ...days.filter((d) => d.continuityEquipped > 0).map((d) => d.day));
    const upTo = days.filter((d) => d.day <= lastDay);
    return {
      instances: options.instances,
      continuityOnly: options.continuityOnly ?? false,
      continuityAgents,
      days,
      continuityMs: upTo.reduce((sum, d) => sum + d.lastContinuityMs, 0),
      lowerBoundMs: upTo.reduce((sum, d) => sum + d.lowerBoundMs, 0),
      graph: {
        calls: Object.values(answered).reduce((a, b) => a + b, 0),
        throttled: answered[429] ?? 0,
        unavailable: answered[503] ?? 0,
      },
      continuityLeftWaiting: resources.filter((r) => r.priority === 'continuity' && r.laptop === 'waiting').length,
      completed: resources.filter((r) => r.status === 'completed').length,
    };
  } finally {
    await host.stop();
  }
}
