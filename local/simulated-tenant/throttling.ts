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
 *   per 20 seconds;
 * - Microsoft Teams ("Microsoft Teams service limits"): per application and tenant, GET /teams/{team-id}/members
 *   60 requests per second and other calls 30 per second; "a maximum of 4 requests per second per app can be
 *   issued on a given team or channel". A 429 says when to come back in `Retry-After` (no resource units there).
 * The identity cost table: GET /users costs 2, `$select` takes 1 off, `$expand` adds 1.
 */
export interface GraphLimits {
  identity: { resourceUnits: number; writes: number; windowMs: number; writeWindowMs: number };
  intune: { requests: number; writes: number; windowMs: number };
  /** Per application and tenant: member reads, other calls, and calls on any one team, per window. Absent: as documented. */
  teams?: { memberReads: number; requests: number; perTeam: number; windowMs: number };
}

export const DOCUMENTED_TEAMS_LIMITS = { memberReads: 60, requests: 30, perTeam: 4, windowMs: 1000 };

export const DOCUMENTED_LIMITS: GraphLimits = {
  identity: { resourceUnits: 8000, writes: 3000, windowMs: 10_000, writeWindowMs: 150_000 },
  intune: { requests: 1000, writes: 100, windowMs: 20_000 },
  teams: DOCUMENTED_TEAMS_LIMITS,
};

/** The documented limits with budgets divided by `factor`: the same shape, reached with fewer calls (tests, bench). */
export function scaledLimits(factor: number): GraphLimits {
  const d = DOCUMENTED_LIMITS;
  const scale = (n: number) => Math.max(1, Math.round(n / factor));
  const teams = DOCUMENTED_TEAMS_LIMITS;
  return {
    identity: { ...d.identity, resourceUnits: scale(d.identity.resourceUnits), writes: scale(d.identity.writes) },
    intune: { ...d.intune, requests: scale(d.intune.requests), writes: scale(d.intune.writes) },
    teams: {
      ...teams,
      memberReads: scale(teams.memberReads),
      requests: scale(teams.requests),
      perTeam: scale(teams.perTeam),
    },
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
    teams: {
      ...(limits.teams ?? DOCUMENTED_TEAMS_LIMITS),
      windowMs: fast((limits.teams ?? DOCUMENTED_TEAMS_LIMITS).windowMs),
    },
  };
}

type Service = 'identity' | 'intune' | 'teams';

/**
 * What each operation costs. Identity: a GET not listed in the cost table costs 1 resource unit, a write
 * 1 unit and 1 write; `subscribedSkus` costs 3, GET /users 2; `$select` takes 1 off, `$expand` adds 1; never below
 * 1. Authentication methods and their policy are directory paths under /users and /policies: counted as identity
 * ("any identity path not listed in the table"). Teams: one request.
 */
export const OPERATION_COSTS: Record<GraphOperation, { service: Service; resourceUnits: number; write: boolean }> = {
  getUser: { service: 'identity', resourceUnits: 1, write: false },
  listUsers: { service: 'identity', resourceUnits: 2, write: false },
  getManager: { service: 'identity', resourceUnits: 1, write: false },
  updateUser: { service: 'identity', resourceUnits: 1, write: true },
  getGroup: { service: 'identity', resourceUnits: 1, write: false },
  addMember: { service: 'identity', resourceUnits: 1, write: true },
  removeMember: { service: 'identity', resourceUnits: 1, write: true },
  listSubscribedSkus: { service: 'identity', resourceUnits: 3, write: false },
  assignLicense: { service: 'identity', resourceUnits: 1, write: true },
  listAutopilotDevices: { service: 'intune', resourceUnits: 1, write: false },
  assignUserToDevice: { service: 'intune', resourceUnits: 1, write: true },
  unassignUserFromDevice: { service: 'intune', resourceUnits: 1, write: true },
  addTeamMember: { service: 'teams', resourceUnits: 1, write: true },
  listTeamMembers: { service: 'teams', resourceUnits: 1, write: false },
  getTeamMember: { service: 'teams', resourceUnits: 1, write: false },
  removeTeamMember: { service: 'teams', resourceUnits: 1, write: true },
  createAccessPass: { service: 'identity', resourceUnits: 1, write: true },
  listAccessPasses: { service: 'identity', resourceUnits: 1, write: false },
  getAccessPass: { service: 'identity', resourceUnits: 1, write: false },
  deleteAccessPass: { service: 'identity', resourceUnits: 1, write: true },
  getAccessPassPolicy: { service: 'identity', resourceUnits: 1, write: false },
};

/** What a call asks for, as far as its cost goes: `$select`, `$expand`, and the team it is on (Teams). */
export interface CallShape {
  selected: boolean;
  expanded?: boolean;
  /** The team a Teams call is on (its per-team limit). */
  team?: string;
}

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
  readonly consumed = { resourceUnits: 0, writes: 0, intune: 0, intuneWrites: 0, teams: 0 };
  /** Teams calls admitted on each team (its own limit bounds them too). */
  readonly consumedPerTeam = new Map<string, number>();
  private buckets: {
    resourceUnits: TokenBucket;
    writes: TokenBucket;
    intune: TokenBucket;
    intuneWrites: TokenBucket;
    teamsRequests: TokenBucket;
    teamsMemberReads: TokenBucket;
  };
  /** The per-team buckets, by team id. */
  private readonly perTeam = new Map<string, TokenBucket>();
  readonly teamsLimits: NonNullable<GraphLimits['teams']>;

  constructor(
    readonly limits: GraphLimits,
    private readonly scope: { tenantId: string; appId: string },
    now: number,
  ) {
    const { identity, intune } = limits;
    const teams = (this.teamsLimits = limits.teams ?? DOCUMENTED_TEAMS_LIMITS);
    this.buckets = {
      resourceUnits: new TokenBucket(identity.resourceUnits, identity.windowMs, now),
      writes: new TokenBucket(identity.writes, identity.writeWindowMs, now),
      intune: new TokenBucket(intune.requests, intune.windowMs, now),
      intuneWrites: new TokenBucket(intune.writes, intune.windowMs, now),
      teamsRequests: new TokenBucket(teams.requests, teams.windowMs, now),
      teamsMemberReads: new TokenBucket(teams.memberReads, teams.windowMs, now),
    };
  }

  /** The cost of one call, with `$select` and `$expand` taken into account. */
  static cost(operation: GraphOperation, selected: boolean, expanded = false): number {
    const c = OPERATION_COSTS[operation];
    return c.service === 'identity' ? Math.max(1, c.resourceUnits - (selected ? 1 : 0) + (expanded ? 1 : 0)) : 1;
  }

  /** Admits one call or throws 429; answers the headers a successful answer carries. */
  admit(operation: GraphOperation, shape: CallShape, now: number): Record<string, string> {
    const { service, write } = OPERATION_COSTS[operation];
    const cost = GraphThrottle.cost(operation, shape.selected, shape.expanded);
    if (service === 'teams') {
      const overall = operation === 'listTeamMembers' ? this.buckets.teamsMemberReads : this.buckets.teamsRequests;
      let team = shape.team === undefined ? undefined : this.perTeam.get(shape.team);
      if (shape.team !== undefined && !team) {
        team = new TokenBucket(this.teamsLimits.perTeam, this.teamsLimits.windowMs, now);
        this.perTeam.set(shape.team, team);
      }
      const wait = Math.max(overall.waitMs(1, now), team?.waitMs(1, now) ?? 0);
      if (wait > 0) throw this.tooMany(wait, {});
      overall.take(1);
      team?.take(1);
      this.consumed.teams += 1;
      if (shape.team !== undefined)
        this.consumedPerTeam.set(shape.team, (this.consumedPerTeam.get(shape.team) ?? 0) + 1);
      return {};
    }
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
