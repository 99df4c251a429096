import { GraphHttpError } from './graph-errors';
import type { GraphOperation } from './permissions';

/**
 * Microsoft Graph's throttling, as documented in "Microsoft Graph service-specific throttling limits"
 * (https://learn.microsoft.com/graph/throttling-limits):
 * - identity and access (users, groups, subscribedSkus, licences): a token bucket of resource units per
 *   application and tenant (a tenant above 500 users: 8,000 per 10 seconds), and a write quota of 3,000
 *   requests per 2 min 30 s; every answer says what it cost in `x-ms-resource-unit`, a successful one
 *   says `x-ms-throttle-limit-percentage` once past 0.8 of the limit, a 429 says `x-ms-throttle-scope`
 *   and `x-ms-throttle-information` and when to come back in `Retry-After`;
 * - Intune (Windows Autopilot): its own limits per application and tenant, 1,000 requests and 100 writes
 *   per 20 seconds.
 */
export interface GraphLimits {
  identity: { resourceUnits: number; writes: number; windowMs: number; writeWindowMs: number };
  intune: { requests: number; writes: number; windowMs: number };
}

export const DOCUMENTED_LIMITS: GraphLimits = {
  identity: { resourceUnits: 8000, writes: 3000, windowMs: 10_000, writeWindowMs: 150_000 },
  intune: { requests: 1000, writes: 100, windowMs: 20_000 },
};

/** The documented limits with budgets divided by `factor`: the same shape, reached with fewer calls (tests, bench). */
export function scaledLimits(factor: number): GraphLimits {
  const d = DOCUMENTED_LIMITS;
  const scale = (n: number) => Math.max(1, Math.round(n / factor));
  return {
    identity: { ...d.identity, resourceUnits: scale(d.identity.resourceUnits), writes: scale(d.identity.writes) },
    intune: { ...d.intune, requests: scale(d.intune.requests), writes: scale(d.intune.writes) },
  };
}

/** The limits with their windows divided by `factor`: the same budgets, refilled `factor` times as fast. */
export function acceleratedLimits(limits: GraphLimits, factor: number): GraphLimits {
  const fast = (ms: number) => Math.max(1, Math.round(ms / factor));
  return {
    identity: {
      ...limits.identity,
      windowMs: fast(limits.identity.windowMs),
      writeWindowMs: fast(limits.identity.writeWindowMs),
    },
    intune: { ...limits.intune, windowMs: fast(limits.intune.windowMs) },
  };
}

type Service = 'identity' | 'intune';

/**
 * What each operation costs. Identity: a GET not listed in the cost table costs 1 resource unit, a write
 * 1 unit and 1 write; `subscribedSkus` costs 3; `$select` takes 1 off; never below 1.
 */
export const OPERATION_COSTS: Record<GraphOperation, { service: Service; resourceUnits: number; write: boolean }> = {
  getUser: { service: 'identity', resourceUnits: 1, write: false },
  updateUser: { service: 'identity', resourceUnits: 1, write: true },
  addMember: { service: 'identity', resourceUnits: 1, write: true },
  removeMember: { service: 'identity', resourceUnits: 1, write: true },
  listSubscribedSkus: { service: 'identity', resourceUnits: 3, write: false },
  assignLicense: { service: 'identity', resourceUnits: 1, write: true },
  listAutopilotDevices: { service: 'intune', resourceUnits: 1, write: false },
  assignUserToDevice: { service: 'intune', resourceUnits: 1, write: true },
  unassignUserFromDevice: { service: 'intune', resourceUnits: 1, write: true },
};

/** A bucket that refills continuously to `capacity` over `windowMs`. */
class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly windowMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.capacity) / this.windowMs);
    this.last = now;
  }

  /** How long until `cost` fits (0: it fits now). */
  waitMs(cost: number, now: number): number {
    this.refill(now);
    return this.tokens >= cost ? 0 : Math.ceil(((cost - this.tokens) * this.windowMs) / this.capacity);
  }

  take(cost: number): void {
    this.tokens -= cost;
  }

  /** The share of the limit in use, as x-ms-throttle-limit-percentage reports it. */
  usage(): number {
    return (this.capacity - this.tokens) / this.capacity;
  }
}

export class GraphThrottle {
  /** What the calls admitted so far took from each budget (the benchmark's lower bound comes from it). */
  readonly consumed = { resourceUnits: 0, writes: 0, intune: 0, intuneWrites: 0 };
  private buckets: { resourceUnits: TokenBucket; writes: TokenBucket; intune: TokenBucket; intuneWrites: TokenBucket };

  constructor(
    readonly limits: GraphLimits,
    private readonly scope: { tenantId: string; appId: string },
    now: number,
  ) {
    const { identity, intune } = limits;
    this.buckets = {
      resourceUnits: new TokenBucket(identity.resourceUnits, identity.windowMs, now),
      writes: new TokenBucket(identity.writes, identity.writeWindowMs, now),
      intune: new TokenBucket(intune.requests, intune.windowMs, now),
      intuneWrites: new TokenBucket(intune.writes, intune.windowMs, now),
    };
  }

  /** The cost of one call, with `$select` taken into account. */
  static cost(operation: GraphOperation, selected: boolean): number {
    const c = OPERATION_COSTS[operation];
    return c.service === 'identity' ? Math.max(1, c.resourceUnits - (selected ? 1 : 0)) : 1;
  }

  /** Admits one call or throws 429; answers the headers a successful answer carries. */
  admit(operation: GraphOperation, selected: boolean, now: number): Record<string, string> {
    const { service, write } = OPERATION_COSTS[operation];
    const cost = GraphThrottle.cost(operation, selected);
    if (service === 'intune') {
      const wait = Math.max(this.buckets.intune.waitMs(1, now), write ? this.buckets.intuneWrites.waitMs(1, now) : 0);
      if (wait > 0) throw this.tooMany(wait, {});
      this.buckets.intune.take(1);
      this.consumed.intune += 1;
      if (write) {
        this.buckets.intuneWrites.take(1);
        this.consumed.intuneWrites += 1;
      }
      return {};
    }
    const unit = { 'x-ms-resource-unit': String(cost) };
    const ruWait = this.buckets.resourceUnits.waitMs(cost, now);
    const writeWait = write ? this.buckets.writes.waitMs(1, now) : 0;
    if (ruWait > 0 || writeWait > 0) {
      const limit = write ? 'ReadWrite' : 'Read';
      throw this.tooMany(Math.max(ruWait, writeWait), {
        ...unit,
        'x-ms-throttle-scope': `Tenant_Application/${limit}/${this.scope.appId}/${this.scope.tenantId}`,
        'x-ms-throttle-information': writeWait > ruWait ? 'WriteLimitExceeded' : 'ResourceUnitLimitExceeded',
      });
    }
    this.buckets.resourceUnits.take(cost);
    this.consumed.resourceUnits += cost;
    if (write) {
      this.buckets.writes.take(1);
      this.consumed.writes += 1;
    }
    const usage = Math.max(this.buckets.resourceUnits.usage(), write ? this.buckets.writes.usage() : 0);
    return usage > 0.8 ? { ...unit, 'x-ms-throttle-limit-percentage': Math.min(usage, 1.8).toFixed(2) } : unit;
  }

  private tooMany(waitMs: number, headers: Record<string, string>): GraphHttpError {
    return new GraphHttpError(429, 'TooManyRequests', 'Please retry again later.', {
      ...headers,
      'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))),
    });
  }
}
