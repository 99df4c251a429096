import { z } from 'zod';
/**
 * One Microsoft Graph budget for the whole service: every worker of every instance takes what its calls
 * cost from the same shared buckets (a document in Cosmos DB), so that together they stay under the limits
 * Graph enforces per application and tenant ("Microsoft Graph service-specific throttling limits",
 * https://learn.microsoft.com/graph/throttling-limits):
 * - identity and access: 8,000 resource units per 10 s (a tenant above 500 users) and 3,000 writes per
 *   2 min 30 s; each answer says what the call cost (`x-ms-resource-unit`) and, past 80 % of the limit,
 *   how much of it is used (`x-ms-throttle-limit-percentage`);
 * - Intune (Windows Autopilot): 1,000 requests and 100 writes per 20 s.
 *
 * An instance takes tokens from the shared buckets a lease at a time (about a second of the pace: one
 * conditional write, not one per call) and hands them to its callers in priority order: interactive calls
 * (an approver waiting), then business-continuity agents, then the others. When tokens are short and a
 * continuity agent waits, the shared state says so and the other instances lease for continuity only.
 * Graph's own signals steer the pace: a 429 pauses the whole service until `Retry-After` and lowers the
 * pace by a quarter; a limit percentage above 90 % lowers what is left to what Graph says is left, and slows down; a
 * lease without a signal since the last one speeds up a little, up to the documented rate.
 */

export type BudgetBucket = 'identityUnits' | 'identityWrites' | 'intuneRequests' | 'intuneWrites';
export type GraphService = 'identity' | 'intune';
export type CallPriority = 'interactive' | 'continuity' | 'standard';

/** What one call takes from the buckets. */
export type Demand = Partial<Record<BudgetBucket, number>>;

export type BudgetLimits = Record<BudgetBucket, { capacity: number; windowMs: number }>;

export const DOCUMENTED_BUDGET: BudgetLimits = {
  identityUnits: { capacity: 8000, windowMs: 10_000 },
  identityWrites: { capacity: 3000, windowMs: 150_000 },
  intuneRequests: { capacity: 1000, windowMs: 20_000 },
  intuneWrites: { capacity: 100, windowMs: 20_000 },
};

const BUCKETS = Object.keys(DOCUMENTED_BUDGET) as BudgetBucket[];
const serviceOf = (b: BudgetBucket): GraphService => (b.startsWith('identity') ? 'identity' : 'intune');
const RANK: Record<CallPriority, number> = { interactive: 0, continuity: 1, standard: 2 };
/**
 * After a 429 the pace drops by a quarter (after a limit percentage past 90 %, by a tenth), then grows again by
 * 2 % a lease once Graph has said nothing for CALM_MS (or the bucket's window, if shorter). The budget already
 * models Graph's buckets, so a 429 means the model drifted a little, not that the rate was double: halving
 * it cost a crisis run half its speed for a whole write window (2 min 30 s) after a single 429.
 */
const THROTTLED_PACE = 0.75;
const NEAR_LIMIT_PACE = 0.9;
const CALM_MS = 10_000;

/** What the instances share: the buckets as of `at`, the pace of each service, pauses, continuity first. */
export interface SharedBudgetState {
  buckets: Record<BudgetBucket, { tokens: number; at: number }>;
  /** The share of the documented rate the service is paced at (0.1 to `maxPace`). */
  pace: Record<GraphService, number>;
  /** No call before this instant (ms since the epoch): Graph said Retry-After. */
  pausedUntil: Record<GraphService, number>;
  /** Until then, tokens are leased for continuity (and interactive) calls only. */
  continuityUntil: number;
  /** When Graph last said to slow down, by service. */
  signalAt: Record<GraphService, number>;
}

const bucketSchema = z.object({ tokens: z.number(), at: z.number() });
const byServiceSchema = z.object({ identity: z.number(), intune: z.number() });

/** The shared state as stored (read back through it: a bad document is replaced, never trusted). */
export const sharedBudgetStateSchema = z.object({
  buckets: z.object({
    identityUnits: bucketSchema,
    identityWrites: bucketSchema,
    intuneRequests: bucketSchema,
    intuneWrites: bucketSchema,
  }),
  pace: byServiceSchema,
  pausedUntil: byServiceSchema,
  continuityUntil: z.number(),
  signalAt: byServiceSchema,
}) satisfies z.ZodType<SharedBudgetState>;

/** Where the shared state lives (a document read and written with its etag). */
export interface BudgetStore {
  /**
   * The state with its etag; null when there is none yet. `state` null: the document is unreadable (written
   * by hand or another version): the next write replaces it with a fresh state, under its etag.
   */
  read(): Promise<{ state: SharedBudgetState | null; etag: string } | null>;
  /** Writes if still at `etag` (null: creates it); false when another instance wrote first. */
  write(state: SharedBudgetState, etag: string | null): Promise<boolean>;
}

/** What an answer of Graph said about the budget. */
export interface GraphSignals {
  status: number;
  /** x-ms-resource-unit: what the call actually cost. */
  resourceUnits?: number;
  /** x-ms-throttle-limit-percentage: the share of the limit in use (sent past 0.8). */
  limitPercentage?: number;
  /** Retry-After on a 429, seconds. */
  retryAfterSeconds?: number;
}

/** What a call of Graph takes: identity calls resource units (and a write), Intune calls a request (and a write). */
export function demandOf(method: string, url: string): Demand {
  const path = new URL(url).pathname;
  const write = method !== 'GET';
  if (path.includes('/deviceManagement/')) return { intuneRequests: 1, ...(write ? { intuneWrites: 1 } : {}) };
  // The documented costs: subscribedSkus 3 units, any other call 1 ($select takes 1 off, never below 1).
  const units = !write && path.endsWith('/subscribedSkus') ? 3 : 1;
  return { identityUnits: units, ...(write ? { identityWrites: 1 } : {}) };
}

interface Waiter {
  demand: Demand;
  priority: CallPriority;
  seq: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface GraphBudgetOptions {
  limits?: BudgetLimits;
  /** How much of the pace one lease takes (ms of it). Default 1,000. */
  leaseMs?: number;
  /** The highest pace: a margin under the documented rate. Default 0.97. */
  maxPace?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class GraphBudget {
  private readonly limits: BudgetLimits;
  private readonly leaseMs: number;
  private readonly maxPace: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Tokens this instance holds (leased from the shared buckets, not yet spent). */
  private readonly local: Record<BudgetBucket, number> = {
    identityUnits: 0,
    identityWrites: 0,
    intuneRequests: 0,
    intuneWrites: 0,
  };
  /** When this instance last leased for each service: tokens older than a lease are not spent (see serve). */
  private readonly leasedAt: Record<GraphService, number> = { identity: 0, intune: 0 };
  private readonly waiters: Waiter[] = [];
  private seq = 0;
  private readonly leasing = new Set<GraphService>();
  /** What the service did, for the benchmark and the logs. */
  readonly stats = { leases: 0, conflicts: 0, pauses: 0, slowdowns: 0, waits: 0 };

  constructor(
    private readonly store: BudgetStore,
    options: GraphBudgetOptions = {},
  ) {
    this.limits = options.limits ?? DOCUMENTED_BUDGET;
    this.leaseMs = options.leaseMs ?? 1000;
    this.maxPace = options.maxPace ?? 0.97;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleepFor;
  }

  /** Resolves when the call may go: its tokens are taken. */
  acquire(demand: Demand, priority: CallPriority): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ demand, priority, seq: (this.seq += 1), resolve, reject });
      this.serve();
    });
  }

  /** Takes into account what Graph answered: the actual cost, and whether to slow down or pause. */
  async settle(demand: Demand, signals: GraphSignals): Promise<void> {
    const service: GraphService = demand.intuneRequests ? 'intune' : 'identity';
    if (service === 'identity' && signals.resourceUnits !== undefined) {
      this.local.identityUnits -= signals.resourceUnits - (demand.identityUnits ?? 0);
    }
    const throttled = signals.status === 429;
    const nearLimit = (signals.limitPercentage ?? 0) > 0.9;
    if (!throttled && !nearLimit) return;
    if (throttled) this.stats.pauses += 1;
    else this.stats.slowdowns += 1;
    // Whatever this instance holds of that service is no longer good to spend.
    for (const b of BUCKETS) if (serviceOf(b) === service) this.local[b] = Math.min(this.local[b], 0);
    await this.update((state, now) => {
      state.signalAt[service] = now;
      state.pace[service] = Math.max(0.1, state.pace[service] * (throttled ? THROTTLED_PACE : NEAR_LIMIT_PACE));
      if (throttled) {
        state.pausedUntil[service] = Math.max(
          state.pausedUntil[service],
          now + (signals.retryAfterSeconds ?? 1) * 1000,
        );
        for (const b of BUCKETS) if (serviceOf(b) === service) state.buckets[b].tokens = 0;
      } else {
        // Graph's own count of what is left wins over ours.
        const left = (1 - (signals.limitPercentage ?? 0)) * this.limits.identityUnits.capacity;
        state.buckets.identityUnits.tokens = Math.min(state.buckets.identityUnits.tokens, left);
      }
      return true;
    });
  }

  /**
   * Serves the waiters the local tokens cover, in priority order; leases more for the first one left of
   * each service (identity and Intune lease apart: one short does not hold the other up).
   */
  private serve(): void {
    // Tokens leased long ago are dropped, not spent: the others have spent what refilled since, and a late
    // burst of old tokens would go over what Graph has left.
    const now = this.now();
    for (const b of BUCKETS) {
      if (this.local[b] > 0 && now - this.leasedAt[serviceOf(b)] > 2 * this.leaseMs) this.local[b] = 0;
    }
    this.waiters.sort((a, b) => RANK[a.priority] - RANK[b.priority] || a.seq - b.seq);
    const blocked = new Set<BudgetBucket>();
    const firstOf = new Map<GraphService, Waiter>();
    for (const w of [...this.waiters]) {
      const needs = BUCKETS.filter((b) => (w.demand[b] ?? 0) > 0);
      // A later waiter does not take what an earlier one is short of.
      if (needs.some((b) => blocked.has(b))) continue;
      const short = needs.filter((b) => this.local[b] < (w.demand[b] ?? 0));
      if (short.length === 0) {
        for (const b of needs) this.local[b] -= w.demand[b] ?? 0;
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      } else {
        for (const b of short) blocked.add(b);
        const service = serviceOf(short[0] ?? 'identityUnits');
        if (!firstOf.has(service)) firstOf.set(service, w);
      }
    }
    for (const [service, head] of firstOf) {
      if (this.leasing.has(service)) continue;
      this.leasing.add(service);
      this.lease(head)
        .catch((err: unknown) => {
          // The shared state cannot be read or written: those waiting fail (transient), not hang.
          for (const w of this.waiters.splice(0)) w.reject(err);
        })
        .finally(() => {
          this.leasing.delete(service);
          if (this.waiters.length > 0) this.serve();
        });
    }
  }

  /** Leases tokens from the shared buckets for `head` (and about a second more), waiting as long as needed. */
  private async lease(head: Waiter): Promise<void> {
    for (;;) {
      let waitMs = 0;
      const granted = await this.update((state, now, grant) => {
        const needs = BUCKETS.filter((b) => (head.demand[b] ?? 0) > this.local[b]);
        for (const b of BUCKETS) this.refill(state, b, now);
        const paused = Math.max(0, ...needs.map((b) => state.pausedUntil[serviceOf(b)] - now));
        if (paused > 0) {
          waitMs = paused;
          return false;
        }
        if (head.priority === 'standard' && state.continuityUntil > now) {
          waitMs = state.continuityUntil - now;
          return false;
        }
        const short = needs.filter((b) => state.buckets[b].tokens < (head.demand[b] ?? 0) - this.local[b]);
        if (short.length > 0) {
          waitMs = Math.max(
            ...short.map((b) => {
              const missing = (head.demand[b] ?? 0) - this.local[b] - state.buckets[b].tokens;
              return Math.ceil(missing / this.rate(state, b));
            }),
          );
          if (head.priority === 'standard') return false;
          // A continuity agent waits: the others let it go first until it is served.
          state.continuityUntil = Math.max(state.continuityUntil, now + waitMs + this.leaseMs);
          return true;
        }
        for (const b of needs) {
          // Unhurried by a recent signal: a little faster, up to the margin under the documented rate.
          const service = serviceOf(b);
          if (now - state.signalAt[service] > Math.min(this.limits[b].windowMs, CALM_MS)) {
            state.pace[service] = Math.min(this.maxPace, state.pace[service] + 0.02);
          }
          const want = Math.max((head.demand[b] ?? 0) - this.local[b], this.rate(state, b) * this.leaseMs);
          const take = Math.min(state.buckets[b].tokens, want);
          state.buckets[b].tokens -= take;
          grant[b] += take;
        }
        return true;
      });
      if (granted && waitMs === 0) {
        this.stats.leases += 1;
        for (const b of BUCKETS) if ((head.demand[b] ?? 0) > 0) this.leasedAt[serviceOf(b)] = this.now();
        return;
      }
      this.stats.waits += 1;
      await this.sleep(Math.max(10, Math.min(waitMs, 5000)));
    }
  }

  /** Tokens a millisecond, at the service's pace. */
  private rate(state: SharedBudgetState, b: BudgetBucket): number {
    return (this.limits[b].capacity / this.limits[b].windowMs) * state.pace[serviceOf(b)];
  }

  private refill(state: SharedBudgetState, b: BudgetBucket, now: number): void {
    const bucket = state.buckets[b];
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.limits[b].capacity * this.maxPace, bucket.tokens + elapsed * this.rate(state, b));
    bucket.at = now;
  }

  private initial(now: number): SharedBudgetState {
    const buckets = Object.fromEntries(
      BUCKETS.map((b) => [b, { tokens: this.limits[b].capacity * this.maxPace, at: now }]),
    ) as SharedBudgetState['buckets'];
    return {
      buckets,
      pace: { identity: this.maxPace, intune: this.maxPace },
      pausedUntil: { identity: 0, intune: 0 },
      continuityUntil: 0,
      signalAt: { identity: 0, intune: 0 },
    };
  }

  /**
   * Reads, changes and writes the shared state with its etag, again when another instance wrote first. What
   * `change` grants this instance is its to spend only once the write has succeeded: a caller arriving while
   * the write is in flight must not spend tokens that a lost race would take back (its call would go to
   * Graph unaccounted for).
   */
  private async update(
    change: (state: SharedBudgetState, now: number, grant: Record<BudgetBucket, number>) => boolean,
  ): Promise<boolean> {
    for (let i = 0; i < 20; i++) {
      const read = await this.store.read();
      const now = this.now();
      const state = read?.state ? structuredClone(read.state) : this.initial(now);
      const grant: Record<BudgetBucket, number> = {
        identityUnits: 0,
        identityWrites: 0,
        intuneRequests: 0,
        intuneWrites: 0,
      };
      if (!change(state, now, grant) && read?.state) return false;
      if (await this.store.write(state, read?.etag ?? null)) {
        for (const b of BUCKETS) this.local[b] += grant[b];
        return true;
      }
      this.stats.conflicts += 1;
    }
    throw new Error('the Microsoft Graph budget is too contended');
  }
}
