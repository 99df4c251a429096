import { performance } from 'node:perf_hooks';
import { emptyCosmosStats, type CosmosStats } from '../local/embedded-cosmos';
import type { LocalHost } from '../local/host';
import { acceleratedLimits, DOCUMENTED_LIMITS } from '../local/simulated-tenant';
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
  /** When the last approval was answered (ms): no agent is equipped before it is approved. */
  intakeMs: number;
  continuity: {
    agents: number;
    equipped: number;
    /** When the last continuity agent was equipped: every effect it needed made in the tenant (ms). */
    lastEquippedMs: number;
    /** Standard agents equipped (every effect, a laptop among them) before the last continuity one. */
    standardBefore: number;
    /**
     * Of those, the ones approved after it that needed what it waited for last (they overtook it in the service: the
     * goal is none).
     */
    overtaking: number;
    /** The same for the laptop alone (the measure of the figures before 2 December 2026). */
    lastLaptopMs: number;
    standardBeforeLaptop: number;
    /** When the last continuity agent got each change (ms): the step they waited for longest. */
    lastByChange: Partial<Record<EquippingChange, number>>;
    /** When the last continuity agent was approved (ms). */
    approvedMs: number;
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

const EQUIPPING = ['member-added', 'license-assigned', 'team-member-added', 'device-user-assigned'] as const;
export type EquippingChange = (typeof EQUIPPING)[number];

/**
 * When the tenant first made each change that equips an agent (their VPN membership, licence, team membership,
 * laptop), in ms after `startedAt`. First: an Autopilot assignment made again for the same agent (a retry Intune had
 * not shown yet) equips no one later. What an agent in post already had is no change, and a step not needed makes
 * none.
 */
export function changeTimes(
  host: LocalHost,
  startedAt: number,
  upns: Iterable<string>,
): Map<string, Partial<Record<EquippingChange, number>>> {
  const byId = new Map<string, string>();
  for (const upn of upns) {
    const id = host.tenant.userId(upn);
    if (id) byId.set(id, upn.toLowerCase());
  }
  const times = new Map<string, Partial<Record<EquippingChange, number>>>();
  for (const e of host.tenant.effects) {
    const kind = EQUIPPING.find((k) => k === e.kind);
    if (!kind || Date.parse(e.at) < startedAt) continue;
    const upn = kind === 'device-user-assigned' ? e.detail.toLowerCase() : byId.get(e.target);
    if (upn === undefined || !byId.has(host.tenant.userId(upn) ?? '')) continue;
    const agent = times.get(upn) ?? {};
    agent[kind] ??= Date.parse(e.at) - startedAt;
    times.set(upn, agent);
  }
  return times;
}

/** When each agent who got a laptop was equipped: the last of its changes (ms after `startedAt`). */
export function equippedTimes(host: LocalHost, startedAt: number, upns: Iterable<string>): Map<string, number> {
  const equipped = new Map<string, number>();
  for (const [upn, changes] of changeTimes(host, startedAt, upns)) {
    if (changes['device-user-assigned'] !== undefined) equipped.set(upn, Math.max(...Object.values(changes)));
  }
  return equipped;
}

/** For the continuity agents: when the last of them got each change (ms), to see which step they waited for. */
export function lastChangeOfContinuity(
  host: LocalHost,
  startedAt: number,
  priorityOf: Map<string, string>,
): Partial<Record<EquippingChange, number>> {
  const last: Partial<Record<EquippingChange, number>> = {};
  for (const [upn, changes] of changeTimes(host, startedAt, priorityOf.keys())) {
    if (priorityOf.get(upn) !== 'continuity') continue;
    for (const kind of EQUIPPING) last[kind] = Math.max(last[kind] ?? 0, changes[kind] ?? 0);
  }
  return last;
}

/**
 * The last continuity agent equipped, the standard agents equipped before it, and among those the ones that overtook
 * it in the service: approved after it, and needing what it waited for last (its last change: a standard agent of
 * another department, with no team to join, is not held up by the team it waited for), rather than approved while
 * the continuity agent's hire had not reached the service yet (`approvedAt`: ms, by upn).
 */
export function continuityFirst(
  equipped: Map<string, number>,
  priorityOf: Map<string, string>,
  approvedAt: Map<string, number> = new Map(),
  changes: Map<string, Partial<Record<EquippingChange, number>>> = new Map(),
) {
  const of = (priority: string) => [...equipped].filter(([upn]) => priorityOf.get(upn) === priority);
  const [lastUpn, last] = of('continuity').reduce<[string, number]>((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
  const before = of('standard').filter(([, t]) => t < last);
  const lastApproved = approvedAt.get(lastUpn) ?? Infinity;
  const waitedFor = EQUIPPING.find((kind) => changes.get(lastUpn)?.[kind] === last);
  const needs = (upn: string) => waitedFor === undefined || changes.get(upn)?.[waitedFor] !== undefined;
  return {
    lastMs: last,
    standardBefore: before.length,
    overtaking: before.filter(([upn]) => (approvedAt.get(upn) ?? -Infinity) > lastApproved && needs(upn)).length,
    equipped: of('continuity').length,
  };
}

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
  /** Only the continuity agents of the same hires (what Graph's limits allow for them alone). */
  continuityOnly?: boolean;
  /**
   * How the DSI approves: as its console lists them (continuity first, 200 at a time; the default), or each agent
   * as soon as its onboarding exists, in HR's order.
   */
  approvals?: 'console' | 'each';
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
    const hires = Array.from({ length: options.hires }, (_, i) => hireOf(i, prefix)).filter(
      (h) => !options.continuityOnly || h.employee.priority === 'continuity',
    );
    const priorityOf = new Map(hires.map((h) => [h.employee.userPrincipalName.toLowerCase(), h.employee.priority]));
    const laptopsPossible = Math.min(options.laptops, hires.length);
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

    const approvals = { continuityApprovedAt: 0 };
    if (options.approvals === 'each') {
      // Each agent: the hire from HR, then the DSI's approval as soon as the onboarding exists (the figures of
      // November 2026).
      await pool(hires, CRISIS.concurrency, async (hire) => {
        await call('POST', '/api/hr-events', t.hr, hire);
        await call(
          'POST',
          `/api/onboardings/${hire.employee.employeeId}.1/decision`,
          t.chef,
          { decision: 'approve' },
          { retryOn: [404, 429, 503] },
        );
        if (hire.employee.priority === 'continuity') approvals.continuityApprovedAt = Date.now();
      });
    } else {
      // HR sends its hires as it has them; the DSI approves as its console lists them, continuity first.
      await Promise.all([
        pool(hires, CRISIS.concurrency, async (hire) => {
          await call('POST', '/api/hr-events', t.hr, hire);
        }),
        approveAsTheConsoleLists(call, t.chef, hires.length).then((at) => {
          approvals.continuityApprovedAt = at.continuityApprovedAt;
        }),
      ]);
    }
    const intakeMs = Date.now() - startedAt;
    const deadline = Date.now() + 600_000;
    while (
      count(host, 'member-added') < hires.length ||
      count(host, 'license-assigned') < hires.length ||
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
      .items.query<{ upn: string; priority: string; status: string; laptop: string; approvedAt?: string }>(
        "SELECT c.userPrincipalName AS upn, c.priority, c.status, c.steps.laptop.status AS laptop, c.decision.at AS approvedAt FROM c WHERE c.docType = 'onboarding'",
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
    const approvedAt = new Map(
      resources.map((r) => [r.upn.toLowerCase(), r.approvedAt ? Date.parse(r.approvedAt) - startedAt : Infinity]),
    );
    const first = continuityFirst(
      equippedTimes(host, startedAt, priorityOf.keys()),
      priorityOf,
      approvedAt,
      changeTimes(host, startedAt, priorityOf.keys()),
    );
    const continuityAgents = hires.filter((h) => h.employee.priority === 'continuity').length;
    const holds = (priority: string) => resources.filter((r) => r.priority === priority && r.laptop === 'done').length;

    const budget = { leases: 0, conflicts: 0, pauses: 0, slowdowns: 0, waits: 0 };
    for (const b of host.budgets)
      for (const k of Object.keys(budget) as (keyof typeof budget)[]) budget[k] += b.stats[k];
    const answered = host.tenant.answeredWith;
    const lowerBoundMs = host.tenant.lowerBoundMs();
    return {
      instances: options.instances,
      hires: hires.length,
      laptops: options.laptops,
      elapsedMs,
      lowerBoundMs,
      ratio: lowerBoundMs > 0 ? elapsedMs / lowerBoundMs : 0,
      graph: {
        calls: Object.values(answered).reduce((a, b) => a + b, 0),
        throttled: answered[429] ?? 0,
        unavailable: answered[503] ?? 0,
      },
      intakeMs,
      continuity: {
        agents: continuityAgents,
        equipped: holds('continuity'),
        lastEquippedMs: first.lastMs,
        standardBefore: first.standardBefore,
        overtaking: first.overtaking,
        lastLaptopMs: lastContinuity,
        standardBeforeLaptop: equippedAt('standard').filter((at) => at < lastContinuity).length,
        lastByChange: lastChangeOfContinuity(host, startedAt, priorityOf),
        approvedMs: approvals.continuityApprovedAt - startedAt,
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
