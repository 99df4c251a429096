import { z } from 'zod';
/**
 * One Microsoft Graph budget for the whole service: every worker of every instance takes what its calls
 * cost from the same shared buckets (a document in Cosmos DB), so that together they stay under the limits
 * Graph enforces per application and tenant ("Microsoft Graph service-specific throttling limits",
 * https://learn.microsoft.com/graph/throttling-limits):
 * - identity and access: 8,000 resource units per 10 s (a tenant above 500 users) and 3,000 writes per
 *   2 min 30 s; each answer says what the call cost (`x-ms-resource-unit`) and, past 80 % of the limit,
 *   how much of it is used (`x-ms-throttle-limit-percentage`);
 * - Intune (Windows Autopilot): 1,000 requests and 100 writes per 20 s;
 * - Microsoft Teams ("Microsoft Teams service limits"), per app and tenant: GET /teams/{team-id}/members
 *   60 requests a second, other calls 30 a second, and "a maximum of 4 requests per second per app can be
 *   issued on a given team or channel": a bucket per team, beside the two of the app.
 *
 * An instance takes tokens from the shared buckets a lease at a time (what its callers wait for, up to about a
 * second of the pace: one conditional write, not one per call) and hands them to its callers in priority order:
 * interactive calls (an approver waiting), then business-continuity agents, then the others. When a bucket is
 * short and a continuity call waits for it, the shared state says so for that bucket, and no instance leases
 * it for a standard call until the continuity call is served (decision 14).
 * Graph's own signals steer the pace: a 429 pauses the whole service until `Retry-After` and lowers the
 * pace by a quarter; a limit percentage above 90 % lowers what is left to what Graph says is left, and slows down; a
 * lease without a signal since the last one speeds up a little, up to the documented rate.
 */

/** The buckets of the application and tenant. */
export type AppBucket =
  'identityUnits' | 'identityWrites' | 'intuneRequests' | 'intuneWrites' | 'teamsRequests' | 'teamsMemberReads';
/** The bucket of one team (Teams' "4 requests per second per app on a given team"). */
export type TeamBucket = `team:${string}`;
export type BudgetBucket = AppBucket | TeamBucket;
export type GraphService = 'identity' | 'intune' | 'teams';
export type CallPriority = 'interactive' | 'continuity' | 'standard';

/** What one call takes from the buckets. */
export type Demand = Partial<Record<BudgetBucket, number>>;

export interface BucketLimit {
  capacity: number;
  windowMs: number;
}

/** The app's buckets, and the limit of each team's. */
export type BudgetLimits = Record<AppBucket | 'teamsPerTeam', BucketLimit>;

export const DOCUMENTED_BUDGET: BudgetLimits = {
  identityUnits: { capacity: 8000, windowMs: 10_000 },
  identityWrites: { capacity: 3000, windowMs: 150_000 },
  intuneRequests: { capacity: 1000, windowMs: 20_000 },
  intuneWrites: { capacity: 100, windowMs: 20_000 },
  teamsRequests: { capacity: 30, windowMs: 1000 },
  teamsMemberReads: { capacity: 60, windowMs: 1000 },
  teamsPerTeam: { capacity: 4, windowMs: 1000 },
};

const APP_BUCKETS: readonly AppBucket[] = [
  'identityUnits',
  'identityWrites',
  'intuneRequests',
  'intuneWrites',
  'teamsRequests',
  'teamsMemberReads',
];
const SERVICES: readonly GraphService[] = ['identity', 'intune', 'teams'];
const isTeamBucket = (b: BudgetBucket): b is TeamBucket => b.startsWith('team:');
const teamIdOf = (b: TeamBucket) => b.slice('team:'.length);
const serviceOf = (b: BudgetBucket): GraphService =>
  b.startsWith('identity') ? 'identity' : b.startsWith('intune') ? 'intune' : 'teams';
const bucketsOf = (demand: Demand) => (Object.keys(demand) as BudgetBucket[]).filter((b) => (demand[b] ?? 0) > 0);
/** The service a call is of (its buckets are all of one). */
const serviceOfDemand = (demand: Demand): GraphService => serviceOf(bucketsOf(demand)[0] ?? 'identityUnits');
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
/** The highest pace by default: a margin under the documented rate. */
export const DEFAULT_MAX_PACE = 0.97;

interface BucketState {
  tokens: number;
  at: number;
}

/** What the instances share: the buckets as of `at`, the pace of each service, pauses, continuity first. */
export interface SharedBudgetState {
  buckets: Record<AppBucket, BucketState>;
  /** Each team's bucket, by team id: only the teams called within a window (a full bucket is left out). */
  teams: Record<string, BucketState>;
  /** The share of the documented rate the service is paced at (0.1 to `maxPace`). */
  pace: Record<GraphService, number>;
  /** No call before this instant (ms since the epoch): Graph said Retry-After. */
  pausedUntil: Record<GraphService, number>;
  /** By bucket: until then, its tokens are leased for continuity (and interactive) calls only. */
  continuityUntil: Record<string, number>;
  /** When Graph last said to slow down, by service. */
  signalAt: Record<GraphService, number>;
}

const bucketSchema = z.object({ tokens: z.number(), at: z.number() });
/** A bucket a document of an earlier release did not have: empty as of the epoch, so full at its first refill. */
const newBucket = () => bucketSchema.default({ tokens: 0, at: 0 });
const byServiceSchema = (fresh: number) =>
  z.object({ identity: z.number(), intune: z.number(), teams: z.number().default(fresh) });

/**
 * The shared state as stored (read back through it: a bad document is replaced, never trusted). A document of the
 * release before Teams was paced (no Teams buckets, one `continuityUntil` for every bucket) reads as this one.
 */
export const sharedBudgetStateSchema = z.object({
  buckets: z.object({
    identityUnits: bucketSchema,
    identityWrites: bucketSchema,
    intuneRequests: bucketSchema,
    intuneWrites: bucketSchema,
    teamsRequests: newBucket(),
    teamsMemberReads: newBucket(),
  }),
  teams: z.record(z.string(), bucketSchema).default({}),
  pace: byServiceSchema(DEFAULT_MAX_PACE),
  pausedUntil: byServiceSchema(0),
  continuityUntil: z.preprocess((v) => (typeof v === 'number' ? {} : v), z.record(z.string(), z.number())),
  signalAt: byServiceSchema(0),
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

/**
 * What a call of Graph takes: identity calls resource units (and a write), Intune calls a request (and a write),
 * Teams calls a request of the app (member reads have their own rate) and one of the team they are on.
 */
export function demandOf(method: string, url: string): Demand {
  const path = new URL(url).pathname;
  const write = method !== 'GET';
  if (path.includes('/deviceManagement/')) return { intuneRequests: 1, ...(write ? { intuneWrites: 1 } : {}) };
  const team = /\/teams\/([^/]+)(\/[^/]*)?/.exec(path);
  if (team?.[1]) {
    const memberRead = !write && team[2] === '/members';
    return { [memberRead ? 'teamsMemberReads' : 'teamsRequests']: 1, [`team:${decodeURIComponent(team[1])}`]: 1 };
  }
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

/** A standard call never goes before a continuity or interactive one; among equals, first come first served. */
const servingOrder = (a: Waiter, b: Waiter) => RANK[a.priority] - RANK[b.priority] || a.seq - b.seq;

/**
 * Whose turn it is within a service's lease: one head per service, and per team for Teams (a team at its 4 a
 * second does not hold up the calls on another).
 */
const laneOf = (demand: Demand): string => bucketsOf(demand).find(isTeamBucket) ?? serviceOfDemand(demand);

export interface GraphBudgetOptions {
  limits?: BudgetLimits;
  /** How much of the pace one lease takes at most (ms of it). Default 1,000. */
  leaseMs?: number;
  /** The highest pace: a margin under the documented rate. Default 0.97. */
  maxPace?: number;
  /**
   * How late a call may reach Graph after its tokens were taken (the event loop, the connection, a busy machine):
   * that much of the refill is kept in hand, the buckets never fill up to Graph's own capacity. Default 250.
   */
  arrivalSlackMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class GraphBudget {
  private readonly limits: BudgetLimits;
  private readonly leaseMs: number;
  private readonly maxPace: number;
  private readonly arrivalSlackMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Tokens this instance holds (leased from the shared buckets, not yet spent). */
  private readonly local = new Map<BudgetBucket, number>();
  /** When this instance last leased for each service: tokens older than a lease are not spent (see serve). */
  private readonly leasedAt: Record<GraphService, number> = { identity: 0, intune: 0, teams: 0 };
  private readonly waiters: Waiter[] = [];
  private seq = 0;
  private readonly leasing = new Set<GraphService>();
  /** The lease of a service that waits for its buckets to refill, and the lanes it waits for. */
  private readonly sleeping = new Map<GraphService, { lanes: Set<string>; wake: () => void }>();
  /** What the service did, for the benchmark and the logs. */
  readonly stats = { leases: 0, conflicts: 0, pauses: 0, slowdowns: 0, waits: 0 };

  constructor(
    private readonly store: BudgetStore,
    options: GraphBudgetOptions = {},
  ) {
    this.limits = options.limits ?? DOCUMENTED_BUDGET;
    this.leaseMs = options.leaseMs ?? 1000;
    this.maxPace = options.maxPace ?? DEFAULT_MAX_PACE;
    this.arrivalSlackMs = options.arrivalSlackMs ?? 250;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleepFor;
  }

  /** Resolves when the call may go: its tokens are taken. */
  acquire(demand: Demand, priority: CallPriority): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ demand, priority, seq: (this.seq += 1), resolve, reject });
      const sleeping = this.sleeping.get(serviceOfDemand(demand));
      if (sleeping && !sleeping.lanes.has(laneOf(demand))) sleeping.wake();
      this.serve();
    });
  }

  /** Takes into account what Graph answered: the actual cost, and whether to slow down or pause. */
  async settle(demand: Demand, signals: GraphSignals): Promise<void> {
    const service = serviceOfDemand(demand);
    if (service === 'identity' && signals.resourceUnits !== undefined) {
      this.local.set(
        'identityUnits',
        this.held('identityUnits') - (signals.resourceUnits - (demand.identityUnits ?? 0)),
      );
    }
    const throttled = signals.status === 429;
    const nearLimit = (signals.limitPercentage ?? 0) > 0.9;
    if (!throttled && !nearLimit) return;
    if (throttled) this.stats.pauses += 1;
    else this.stats.slowdowns += 1;
    // Whatever this instance holds of that service is no longer good to spend.
    for (const [b, tokens] of this.local) if (serviceOf(b) === service) this.local.set(b, Math.min(tokens, 0));
    await this.update((state, now) => {
      state.signalAt[service] = now;
      state.pace[service] = Math.max(0.1, state.pace[service] * (throttled ? THROTTLED_PACE : NEAR_LIMIT_PACE));
      if (throttled) {
        state.pausedUntil[service] = Math.max(
          state.pausedUntil[service],
          now + (signals.retryAfterSeconds ?? 1) * 1000,
        );
        for (const b of APP_BUCKETS) if (serviceOf(b) === service) state.buckets[b] = { tokens: 0, at: now };
        if (service === 'teams') for (const id of Object.keys(state.teams)) state.teams[id] = { tokens: 0, at: now };
      } else {
        // Graph's own count of what is left wins over ours.
        const left = (1 - (signals.limitPercentage ?? 0)) * this.limits.identityUnits.capacity;
        state.buckets.identityUnits.tokens = Math.min(state.buckets.identityUnits.tokens, left);
      }
      return true;
    });
  }

  private held(b: BudgetBucket): number {
    return this.local.get(b) ?? 0;
  }

  /**
   * Serves the waiters the local tokens cover, in priority order; leases more for the others, one lease at a time
   * per service (identity, Intune and Teams lease apart: one short does not hold the others up).
   */
  private serve(): void {
    // Tokens leased long ago are dropped, not spent: the others have spent what refilled since, and a late
    // burst of old tokens would go over what Graph has left.
    const now = this.now();
    for (const [b, tokens] of this.local) {
      if (tokens > 0 && now - this.leasedAt[serviceOf(b)] > 2 * this.leaseMs) this.local.delete(b);
    }
    this.waiters.sort(servingOrder);
    const blocked = new Set<BudgetBucket>();
    const short = new Set<GraphService>();
    for (const w of [...this.waiters]) {
      const needs = bucketsOf(w.demand);
      // A later waiter does not take what an earlier one is short of.
      if (needs.some((b) => blocked.has(b))) continue;
      const lacking = needs.filter((b) => this.held(b) < (w.demand[b] ?? 0));
      if (lacking.length === 0) {
        for (const b of needs) this.local.set(b, this.held(b) - (w.demand[b] ?? 0));
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      } else {
        for (const b of lacking) blocked.add(b);
        short.add(serviceOfDemand(w.demand));
      }
    }
    for (const service of short) {
      if (this.leasing.has(service)) continue;
      this.leasing.add(service);
      this.lease(service)
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

  /**
   * The waiters of a service that the local tokens do not cover and that lease next: the first of each lane (the
   * service, or for Teams each team), in serving order, leaving out those an earlier waiter blocks.
   */
  private headsOf(service: GraphService): Waiter[] {
    const blocked = new Set<BudgetBucket>();
    const lanes = new Set<string>();
    const heads: Waiter[] = [];
    for (const w of [...this.waiters].sort(servingOrder)) {
      const needs = bucketsOf(w.demand);
      if (needs.some((b) => blocked.has(b))) continue;
      const lacking = needs.filter((b) => this.held(b) < (w.demand[b] ?? 0));
      if (lacking.length === 0) continue;
      for (const b of lacking) blocked.add(b);
      const lane = laneOf(w.demand);
      if (serviceOfDemand(w.demand) === service && !lanes.has(lane)) {
        lanes.add(lane);
        heads.push(w);
      }
    }
    return heads;
  }

  /** What this instance's waiters want of a bucket now, beyond what it holds. */
  private wanted(b: BudgetBucket): number {
    return this.waiters.reduce((sum, w) => sum + (w.demand[b] ?? 0), 0) - this.held(b);
  }

  /**
   * Leases tokens of one service from the shared buckets for the waiters here: in one write, for the head of each
   * lane that can go (and the others waiting, up to about a second of the pace); waits as long as none can.
   */
  private async lease(service: GraphService): Promise<void> {
    for (;;) {
      const heads = this.headsOf(service);
      if (heads.length === 0) return;
      // What the last try of the write found (a write that lost the race tries again).
      const found = { waitMs: Infinity, granted: false };
      const wrote = await this.update((state, now, grant) => {
        found.waitMs = Infinity;
        found.granted = false;
        let changed = false;
        const avail = (b: BudgetBucket) => this.held(b) + (grant.get(b) ?? 0);
        // Buckets an earlier head (in serving order) waits for: a later one does not take them.
        const taken = new Set<BudgetBucket>();
        for (const head of heads) {
          const urgent = RANK[head.priority] <= RANK.continuity;
          const needs = bucketsOf(head.demand).filter((b) => (head.demand[b] ?? 0) > avail(b));
          if (needs.some((b) => taken.has(b))) continue;
          for (const b of needs) this.refill(state, b, now);
          const wait = (ms: number, buckets: BudgetBucket[]) => {
            found.waitMs = Math.min(found.waitMs, ms);
            for (const b of buckets) taken.add(b);
          };
          const paused = Math.max(0, ...needs.map((b) => state.pausedUntil[serviceOf(b)] - now));
          if (paused > 0) {
            wait(paused, needs);
            continue;
          }
          if (!urgent) {
            // A continuity call waits for one of these buckets somewhere: it goes first.
            const reserved = Math.max(0, ...needs.map((b) => (state.continuityUntil[b] ?? 0) - now));
            if (reserved > 0) {
              wait(reserved, needs);
              continue;
            }
          }
          const missing = (b: BudgetBucket) => (head.demand[b] ?? 0) - avail(b) - this.bucket(state, b, now).tokens;
          const short = needs.filter((b) => missing(b) > 0);
          if (short.length > 0) {
            const ms = Math.max(...short.map((b) => Math.ceil(missing(b) / this.rate(state, b))));
            wait(ms, short);
            if (urgent) {
              // A continuity agent waits: the others let it go first on these buckets until it is served.
              for (const b of short) {
                state.continuityUntil[b] = Math.max(state.continuityUntil[b] ?? 0, now + ms + this.leaseMs);
              }
              changed = true;
            }
            continue;
          }
          for (const b of needs) {
            // What the callers here wait for, up to a second of the pace; beyond that, never more than the
            // bucket's margin under Graph's capacity: tokens held while Graph refills are tokens another instance
            // spends too.
            const margin = this.limitOf(b).capacity * (1 - this.maxPace);
            const need = (head.demand[b] ?? 0) - avail(b);
            const want = Math.max(
              need,
              Math.min(this.rate(state, b) * this.leaseMs, this.wanted(b) - (grant.get(b) ?? 0) + margin),
            );
            const bucket = this.bucket(state, b, now);
            const take = Math.min(bucket.tokens, want);
            bucket.tokens -= take;
            grant.set(b, (grant.get(b) ?? 0) + take);
          }
          found.granted = changed = true;
        }
        if (found.granted && now - state.signalAt[service] > Math.min(CALM_MS, this.windowOf(service))) {
          // Unhurried by a recent signal: a little faster, up to the margin under the documented rate.
          state.pace[service] = Math.min(this.maxPace, state.pace[service] + 0.02);
        }
        return changed;
      });
      if (wrote && found.granted) {
        this.stats.leases += 1;
        this.leasedAt[service] = this.now();
        return;
      }
      this.stats.waits += 1;
      // A call of a lane not waiting yet (another team) wakes the lease up: it may go now.
      const lanes = new Set(heads.map((h) => laneOf(h.demand)));
      await new Promise<void>((resolve) => {
        this.sleeping.set(service, { lanes, wake: resolve });
        void this.sleep(Math.max(10, Math.min(found.waitMs, 5000))).then(resolve);
      });
      this.sleeping.delete(service);
    }
  }

  /** The shortest window of a service's buckets. */
  private windowOf(service: GraphService): number {
    const windows = APP_BUCKETS.filter((b) => serviceOf(b) === service).map((b) => this.limits[b].windowMs);
    return Math.min(...windows, ...(service === 'teams' ? [this.limits.teamsPerTeam.windowMs] : []));
  }

  private limitOf(b: BudgetBucket): BucketLimit {
    return isTeamBucket(b) ? this.limits.teamsPerTeam : this.limits[b];
  }

  /** Tokens a millisecond, at the service's pace. */
  private rate(state: SharedBudgetState, b: BudgetBucket): number {
    const limit = this.limitOf(b);
    return (limit.capacity / limit.windowMs) * state.pace[serviceOf(b)];
  }

  /** The most a bucket holds: a margin under Graph's capacity, and the refill of the arrival slack in hand. */
  private ceiling(b: BudgetBucket): number {
    const limit = this.limitOf(b);
    const slack = (limit.capacity / limit.windowMs) * this.maxPace * this.arrivalSlackMs;
    return Math.max(1, limit.capacity * this.maxPace - slack);
  }

  /** The bucket in the state (a team not called within a window has a full one). */
  private bucket(state: SharedBudgetState, b: BudgetBucket, now: number): BucketState {
    if (!isTeamBucket(b)) return state.buckets[b];
    const id = teamIdOf(b);
    return (state.teams[id] ??= { tokens: this.ceiling(b), at: now });
  }

  private refill(state: SharedBudgetState, b: BudgetBucket, now: number): void {
    const bucket = this.bucket(state, b, now);
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.ceiling(b), bucket.tokens + elapsed * this.rate(state, b));
    bucket.at = now;
  }

  /** Leaves out of the shared state what no longer says anything: teams full again, reservations past. */
  private prune(state: SharedBudgetState, now: number): void {
    state.continuityUntil = Object.fromEntries(
      Object.entries(state.continuityUntil).filter(([, until]) => until > now),
    );
    state.teams = Object.fromEntries(
      Object.entries(state.teams).filter(([id, bucket]) => {
        const b: TeamBucket = `team:${id}`;
        const full = bucket.tokens + Math.max(0, now - bucket.at) * this.rate(state, b) >= this.ceiling(b);
        return !full || b in state.continuityUntil;
      }),
    );
  }

  private initial(now: number): SharedBudgetState {
    const buckets = Object.fromEntries(
      APP_BUCKETS.map((b) => [b, { tokens: this.ceiling(b), at: now }]),
    ) as SharedBudgetState['buckets'];
    const each = (value: number) => Object.fromEntries(SERVICES.map((s) => [s, value])) as Record<GraphService, number>;
    return {
      buckets,
      teams: {},
      pace: each(this.maxPace),
      pausedUntil: each(0),
      continuityUntil: {},
      signalAt: each(0),
    };
  }

  /**
   * Reads, changes and writes the shared state with its etag, again when another instance wrote first. What
   * `change` grants this instance is its to spend only once the write has succeeded: a caller arriving while
   * the write is in flight must not spend tokens that a lost race would take back (its call would go to
   * Graph unaccounted for).
   */
  private async update(
    change: (state: SharedBudgetState, now: number, grant: Map<BudgetBucket, number>) => boolean,
  ): Promise<boolean> {
    for (let i = 0; i < 20; i++) {
      const read = await this.store.read();
      const now = this.now();
      const state = read?.state ? structuredClone(read.state) : this.initial(now);
      const grant = new Map<BudgetBucket, number>();
      if (!change(state, now, grant) && read?.state) return false;
      this.prune(state, now);
      if (await this.store.write(state, read?.etag ?? null)) {
        for (const [b, tokens] of grant) this.local.set(b, this.held(b) + tokens);
        return true;
      }
      this.stats.conflicts += 1;
    }
    throw new Error('the Microsoft Graph budget is too contended');
  }
}
