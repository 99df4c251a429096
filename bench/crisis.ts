import { performance } from 'node:perf_hooks';
import { emptyCosmosStats, type CosmosStats } from '../local/embedded-cosmos';
import type { LocalHost } from '../local/host';
import { acceleratedLimits, DOCUMENTED_LIMITS } from '../local/simulated-tenant';
import { apiClient, benchHost, hireOf, pool, progress, progressDone, tokens } from './harness';

// The crisis of the seed: hundreds of agents to equip at once, laptops scarce, Microsoft 365 the
// bottleneck. Hires and their approvals all at once, through the API, as the HR system and the DSI would.

export const CRISIS = {
  hires: 1000,
  laptops: 700,
  failureRate: 0.05,
  /** Graph's documented windows divided by this: the same limits, the crisis in about a minute a run. */
  timeScale: 2,
  /** Callers at once (the HR system's and the approvers' requests in flight). */
  concurrency: 48,
};

export interface BurstResult {
  instances: number;
  hires: number;
  laptops: number;
  /** From the first hire sent to the last change the tenant made (ms). */
  elapsedMs: number;
  /** The shortest time the Graph calls made could take under the throttle (ms). */
  lowerBoundMs: number;
  ratio: number;
  graph: { calls: number; throttled: number; unavailable: number };
  continuity: {
    agents: number;
    equipped: number;
    lastEquippedMs: number;
    /** Standard agents equipped before the last continuity one. */
    standardBefore: number;
    /** Continuity agents without a laptop while standard ones got one: the goal is none. */
    leftWaiting: number;
  };
  budget: { leases: number; conflicts: number; pauses: number; slowdowns: number; waits: number };
  completed: number;
  waitingForLaptop: number;
  /** Provisioned over time: [seconds, vpn, licences, laptops]. */
  timeline: [number, number, number, number][];
  cosmos: CosmosStats;
  bus: LocalHost['bus']['stats'];
}

/** Agents who got it: a laptop is counted by its user (a laptop taken back and given again counts once). */
const count = (host: LocalHost, kind: 'member-added' | 'license-assigned' | 'device-user-assigned') =>
  new Set(host.tenant.effectsOf(kind).map((e) => (kind === 'device-user-assigned' ? e.detail.toLowerCase() : e.target)))
    .size;

/**
 * One burst: `hires` hires and their approvals at once over HTTP, then every step that can be done is done
 * (each agent's VPN and licence, a laptop for as many as the stock holds).
 */
export async function burst(options: {
  label: string;
  instances: number;
  hires: number;
  laptops: number;
  throttled: boolean;
  failureRate: number;
}): Promise<BurstResult> {
  const host = await benchHost({
    persist: true,
    laptopStock: options.laptops,
    instances: options.instances,
    tenant: {
      failureRate: options.failureRate,
      seed: 7,
      limits: options.throttled ? acceleratedLimits(DOCUMENTED_LIMITS, CRISIS.timeScale) : null,
    },
    env: { ...process.env, LOCAL_TIMER_SECONDS: '5' },
  });
  try {
    const call = apiClient(host);
    const t = await tokens(host);
    const prefix = `b${options.instances}${options.throttled ? 't' : 'f'}`;
    const hires = Array.from({ length: options.hires }, (_, i) => hireOf(i, prefix));
    const priorityOf = new Map(hires.map((h) => [h.employee.userPrincipalName.toLowerCase(), h.employee.priority]));
    const laptopsPossible = Math.min(options.laptops, options.hires);
    await host.whenIdle();
    host.cosmos.stats = emptyCosmosStats();
    Object.assign(host.bus.stats, { sent: 0, duplicates: 0, delivered: 0, settled: 0, handlerMs: 0, busyMs: 0 });

    const t0 = performance.now();
    const startedAt = Date.now();
    const timeline: BurstResult['timeline'] = [];
    const run = { finished: false };
    const watch = (async () => {
      while (!run.finished) {
        const s = (performance.now() - t0) / 1000;
        const [vpn, lic, lap] = [
          count(host, 'member-added'),
          count(host, 'license-assigned'),
          count(host, 'device-user-assigned'),
        ];
        timeline.push([Number(s.toFixed(1)), vpn, lic, lap]);
        progress(
          `${options.label}: ${s.toFixed(0)} s, vpn ${vpn}/${options.hires}, licences ${lic}/${options.hires}, ` +
            `laptops ${lap}/${laptopsPossible}, 429s ${host.tenant.answeredWith[429] ?? 0}` +
            (process.env.BENCH_DEBUG
              ? ` ${JSON.stringify(['provisioning', 'laptop-steps', 'laptop-allocation'].map((q) => host.bus.depth(q)))}`
              : ''),
        );
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();

    // Each agent: the hire from HR, then the DSI's approval as soon as the onboarding exists.
    await pool(hires, CRISIS.concurrency, async (hire) => {
      await call('POST', '/api/hr-events', t.hr, hire);
      await call(
        'POST',
        `/api/onboardings/${hire.employee.employeeId}.1/decision`,
        t.chef,
        { decision: 'approve' },
        { retryOn: [404, 429, 503] },
      );
    });
    const deadline = Date.now() + 600_000;
    while (
      count(host, 'member-added') < options.hires ||
      count(host, 'license-assigned') < options.hires ||
      count(host, 'device-user-assigned') < laptopsPossible
    ) {
      if (Date.now() > deadline) throw new Error(`${options.label}: not provisioned after 10 minutes`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const effects = host.tenant.effects.filter((e) => Date.parse(e.at) >= startedAt);
    const lastChange = Math.max(...effects.map((e) => Date.parse(e.at)));
    const elapsedMs = lastChange - startedAt;
    run.finished = true;
    await watch;
    progressDone();

    await host.whenIdle(120_000);
    const { resources } = await host.cosmos.database
      .container('onboardings')
      .items.query<{ upn: string; priority: string; status: string; laptop: string }>(
        "SELECT c.userPrincipalName AS upn, c.priority, c.status, c.steps.laptop.status AS laptop FROM c WHERE c.docType = 'onboarding'",
      )
      .fetchAll();
    // When each agent got their laptop: the first assignment of a device to them (distinct agents).
    const firstDevice = new Map<string, number>();
    for (const e of host.tenant.effectsOf('device-user-assigned')) {
      const upn = e.detail.toLowerCase();
      if (!firstDevice.has(upn)) firstDevice.set(upn, Date.parse(e.at) - startedAt);
    }
    const equippedAt = (priority: string) =>
      [...firstDevice].filter(([upn]) => priorityOf.get(upn) === priority).map(([, at]) => at);
    const lastContinuity = Math.max(0, ...equippedAt('continuity'));
    const continuityAgents = hires.filter((h) => h.employee.priority === 'continuity').length;
    const holds = (priority: string) => resources.filter((r) => r.priority === priority && r.laptop === 'done').length;

    const budget = { leases: 0, conflicts: 0, pauses: 0, slowdowns: 0, waits: 0 };
    for (const b of host.budgets)
      for (const k of Object.keys(budget) as (keyof typeof budget)[]) budget[k] += b.stats[k];
    const answered = host.tenant.answeredWith;
    const lowerBoundMs = host.tenant.lowerBoundMs();
    return {
      instances: options.instances,
      hires: options.hires,
      laptops: options.laptops,
      elapsedMs,
      lowerBoundMs,
      ratio: lowerBoundMs > 0 ? elapsedMs / lowerBoundMs : 0,
      graph: {
        calls: Object.values(answered).reduce((a, b) => a + b, 0),
        throttled: answered[429] ?? 0,
        unavailable: answered[503] ?? 0,
      },
      continuity: {
        agents: continuityAgents,
        equipped: holds('continuity'),
        lastEquippedMs: lastContinuity,
        standardBefore: equippedAt('standard').filter((at) => at < lastContinuity).length,
        leftWaiting: holds('standard') > 0 ? continuityAgents - holds('continuity') : 0,
      },
      budget,
      completed: resources.filter((r) => r.status === 'completed').length,
      waitingForLaptop: resources.filter((r) => r.laptop === 'waiting').length,
      timeline,
      cosmos: host.cosmos.stats,
      bus: { ...host.bus.stats },
    };
  } finally {
    await host.stop();
  }
}

/** The Cosmos DB endpoint's raw write rate, measured in the same conditions: documents of the same size. */
export async function rawWriteRate(documents: number, bytes: number): Promise<number> {
  const host = await benchHost({ persist: true, laptopStock: 0 });
  try {
    const { container } = await host.cosmos.database.containers.createIfNotExists({
      id: 'raw-writes',
      partitionKey: { paths: ['/pk'] },
    });
    const filler = 'x'.repeat(Math.max(0, bytes - 120));
    const ids = Array.from({ length: documents }, (_, i) => i);
    const t0 = performance.now();
    await pool(ids, CRISIS.concurrency, async (i) => {
      await container.items.create({ id: `raw-${i}`, pk: `p${i % 97}`, filler });
    });
    return documents / ((performance.now() - t0) / 1000);
  } finally {
    await host.stop();
  }
}
