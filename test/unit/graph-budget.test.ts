import {
  demandOf,
  GraphBudget,
  sharedBudgetStateSchema,
  type BudgetLimits,
  type BudgetStore,
  type CallPriority,
  type SharedBudgetState,
} from '../../shared/adapters/graph/graph-budget';
import { DOCUMENTED_LIMITS, GraphThrottle } from '../../local/simulated-tenant/throttling';
import type { GraphOperation } from '../../local/simulated-tenant/permissions';

// The Graph budget every instance shares, with the limits Graph documents for identity calls and for
// Intune ("Microsoft Graph service-specific throttling limits", https://learn.microsoft.com/graph/throttling-limits),
// scaled down, and for Teams as documented ("Microsoft Teams service limits" on the same page: per app and tenant,
// GET /teams/{team-id}/members 60 rps, other calls 30 rps, and "a maximum of 4 requests per second per app can be
// issued on a given team or channel"): a shared document (written with its etag, as in Cosmos DB), simulated time.

/** The shared document, refusing a write at a stale etag as Cosmos DB does (412). */
class MemoryStore implements BudgetStore {
  private doc: { state: SharedBudgetState; etag: string } | null = null;
  private version = 0;
  writes = 0;
  conflicts = 0;

  read() {
    return Promise.resolve(this.doc && structuredClone(this.doc));
  }

  write(state: SharedBudgetState, etag: string | null) {
    if ((this.doc?.etag ?? null) !== etag) {
      this.conflicts += 1;
      return Promise.resolve(false);
    }
    this.version += 1;
    this.writes += 1;
    this.doc = { state: structuredClone(state), etag: `v${this.version}` };
    return Promise.resolve(true);
  }
}

/** Simulated time: sleepers wake in the order of their deadlines as the test advances the clock. */
class FakeTime {
  now = 0;
  private timers: { at: number; wake: () => void }[] = [];

  sleep = (ms: number) =>
    new Promise<void>((wake) => {
      this.timers.push({ at: this.now + ms, wake });
    });

  private static settle() {
    return new Promise((r) => setImmediate(r));
  }

  /** Runs until `untilMs`, waking sleepers in turn. */
  async runUntil(untilMs: number): Promise<void> {
    for (;;) {
      for (let i = 0; i < 5; i++) await FakeTime.settle();
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > untilMs) break;
      this.timers.shift();
      this.now = Math.max(this.now, next.at);
      next.wake();
    }
    this.now = untilMs;
  }
}

const LIMITS: BudgetLimits = {
  identityUnits: { capacity: 80, windowMs: 10_000 },
  identityWrites: { capacity: 30, windowMs: 15_000 },
  intuneRequests: { capacity: 40, windowMs: 2_000 },
  intuneWrites: { capacity: 20, windowMs: 2_000 },
  // Teams as documented (per second), per app and per team.
  teamsRequests: { capacity: 30, windowMs: 1000 },
  teamsMemberReads: { capacity: 60, windowMs: 1000 },
  teamsPerTeam: { capacity: 4, windowMs: 1000 },
};

function instances(n: number, store: BudgetStore, time: FakeTime) {
  return Array.from(
    { length: n },
    () => new GraphBudget(store, { limits: LIMITS, now: () => time.now, sleep: time.sleep, leaseMs: 500 }),
  );
}

const autopilotAssign = demandOf(
  'POST',
  'https://graph.microsoft.com/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/x/assignUserToDevice',
);

describe('one Microsoft Graph budget for every instance', () => {
  it('what a call takes: identity calls resource units (subscribedSkus 3) and a write; Intune calls a request and a write', () => {
    expect(demandOf('GET', 'https://graph.microsoft.com/v1.0/users/a%40b.org?$select=id')).toEqual({
      identityUnits: 1,
    });
    expect(demandOf('GET', 'https://graph.microsoft.com/v1.0/subscribedSkus?$select=skuId')).toEqual({
      identityUnits: 3,
    });
    expect(demandOf('POST', 'https://graph.microsoft.com/v1.0/users/x/assignLicense')).toEqual({
      identityUnits: 1,
      identityWrites: 1,
    });
    expect(autopilotAssign).toEqual({ intuneRequests: 1, intuneWrites: 1 });
  });

  it('when four instances call Intune as fast as they can for a minute, then together they stay under the limit and near it', async () => {
    const time = new FakeTime();
    const store = new MemoryStore();
    const budgets = instances(4, store, time);
    const granted: number[] = [];
    let stop = false;
    const worker = async (b: GraphBudget) => {
      while (!stop) {
        await b.acquire(autopilotAssign, 'standard');
        granted.push(time.now);
      }
    };
    const workers = budgets.flatMap((b) => [worker(b), worker(b)]);
    await time.runUntil(60_000);
    stop = true;
    // What Graph allows: a full bucket, then 5 writes every 2 s; a sliding 2 s window never sees more
    // than the bucket plus what refills in it.
    const allowed =
      LIMITS.intuneWrites.capacity + (60_000 / LIMITS.intuneWrites.windowMs) * LIMITS.intuneWrites.capacity;
    expect(granted.length).toBeLessThanOrEqual(allowed);
    expect(granted.length).toBeGreaterThanOrEqual(0.85 * allowed);
    for (const t of granted) {
      const inWindow = granted.filter((u) => u > t - LIMITS.intuneWrites.windowMs && u <= t).length;
      expect(inWindow).toBeLessThanOrEqual(2 * LIMITS.intuneWrites.capacity);
    }
    // A lease a write of the shared document, not a write a call.
    expect(store.writes).toBeLessThan(granted.length);
    expect(workers).toHaveLength(8); // eight callers, each always waiting for its next call
  });

  it('when Graph answers 429 with Retry-After, then no instance calls that service before then, and the pace drops by a quarter', async () => {
    const time = new FakeTime();
    const store = new MemoryStore();
    const [a, b] = instances(2, store, time);
    await Promise.all([a!.acquire(autopilotAssign, 'standard'), time.runUntil(1)]);
    await a!.settle(autopilotAssign, { status: 429, retryAfterSeconds: 3 });
    expect((await store.read())?.state.pace.intune).toBeCloseTo(0.97 * 0.75);
    const at: number[] = [];
    const calls = [a!, b!, b!].map(async (x) => {
      await x.acquire(autopilotAssign, 'standard');
      at.push(time.now);
    });
    await time.runUntil(10_000);
    await Promise.all(calls);
    expect(at).toHaveLength(3);
    expect(Math.min(...at)).toBeGreaterThanOrEqual(3000);
    // Identity calls are not paused by Intune's 429.
    await Promise.all([a!.acquire({ identityUnits: 1 }, 'standard'), time.runUntil(10_001)]);
  });

  it('when the budget is short, then continuity calls go before standard ones, whichever instance holds them', async () => {
    const time = new FakeTime();
    const store = new MemoryStore();
    const [a, b] = instances(2, store, time);
    const order: CallPriority[] = [];
    const call = (x: GraphBudget, p: CallPriority) => x.acquire(autopilotAssign, p).then(() => order.push(p));
    // Instance a is busy with standard agents; then continuity agents come to instance b.
    const standard = Array.from({ length: 40 }, () => call(a!, 'standard'));
    await time.runUntil(100);
    const servedBefore = order.length;
    expect(servedBefore).toBeGreaterThan(0);
    expect(servedBefore).toBeLessThan(40);
    const continuity = Array.from({ length: 4 }, () => call(b!, 'continuity'));
    await time.runUntil(30_000);
    await Promise.all([...standard, ...continuity]);
    // What the bucket held went at once (standard agents); from then on the four continuity calls go first.
    expect(order.slice(servedBefore, servedBefore + 4)).toEqual([
      'continuity',
      'continuity',
      'continuity',
      'continuity',
    ]);
    expect(order.filter((p) => p === 'standard')).toHaveLength(40);
  });

  it("when Graph says 95 % of the limit is used, then what is left is Graph's count, and the pace slows", async () => {
    const time = new FakeTime();
    const store = new MemoryStore();
    const [a] = instances(1, store, time);
    await Promise.all([a!.acquire({ identityUnits: 1 }, 'standard'), time.runUntil(1)]);
    await a!.settle({ identityUnits: 1 }, { status: 200, resourceUnits: 1, limitPercentage: 0.95 });
    const state = (await store.read())!.state;
    expect(state.buckets.identityUnits.tokens).toBeLessThanOrEqual(0.05 * LIMITS.identityUnits.capacity + 1e-9);
    expect(state.pace.identity).toBeCloseTo(0.97 * 0.9);
  });

  it('when a lease is still being written, then no caller spends what it would grant; a lost race grants nothing', async () => {
    const time = new FakeTime();
    const store = new MemoryStore();
    // The first write of the shared document hangs, then loses to another instance (412), as a Cosmos DB
    // write can while the instance goes on taking calls.
    let lose: (() => void) | null = null;
    const write = store.write.bind(store);
    store.write = (state, etag) => {
      if (store.writes > 0 || lose) return write(state, etag);
      return new Promise<boolean>((resolve) => {
        lose = () => resolve(false);
      });
    };
    const [a] = instances(1, store, time);
    const served: number[] = [];
    const first = a!.acquire(autopilotAssign, 'standard').then(() => served.push(1));
    await time.runUntil(1);
    // A caller arrives while the lease is in flight: the tokens it would take are not granted yet.
    const second = a!.acquire(autopilotAssign, 'standard').then(() => served.push(2));
    await time.runUntil(2);
    expect(lose).not.toBeNull();
    expect(served).toEqual([]);
    lose!();
    await time.runUntil(1000);
    await Promise.all([first, second]);
    expect(served).toEqual([1, 2]);
    // Both calls were paid for by the write that succeeded: the shared bucket lost at least their two tokens.
    const state = (await store.read())!.state;
    expect(state.buckets.intuneWrites.tokens).toBeLessThanOrEqual(LIMITS.intuneWrites.capacity * 0.97 - 2);
  });

  it('when a call cost more resource units than estimated, then the difference is taken from what the instance holds', async () => {
    const time = new FakeTime();
    const store = new MemoryStore();
    const [a] = instances(1, store, time);
    await Promise.all([a!.acquire({ identityUnits: 1 }, 'standard'), time.runUntil(1)]);
    const before = (await store.read())!.state.buckets.identityUnits.tokens;
    // The lease holds about half a second of the pace (3.8 units); a call that cost 40 leaves a debt that
    // the next call must lease for first.
    await a!.settle({ identityUnits: 1 }, { status: 200, resourceUnits: 40 });
    await Promise.all([a!.acquire({ identityUnits: 1 }, 'standard'), time.runUntil(2)]);
    const after = (await store.read())!.state.buckets.identityUnits.tokens;
    expect(before - after).toBeGreaterThanOrEqual(35);
  });
});

const GRAPH = 'https://graph.microsoft.com/v1.0';
const teamsCall = (team: string, operation: 'listTeamMembers' | 'addTeamMember') =>
  operation === 'listTeamMembers'
    ? demandOf('GET', `${GRAPH}/teams/${team}/members?$filter=x`)
    : demandOf('POST', `${GRAPH}/teams/${team}/members`);

describe('Teams in the shared budget (per app, and per team)', () => {
  it('what a Teams call takes: a member read or a request of the app, and a request on its team', () => {
    expect(teamsCall('t1', 'listTeamMembers')).toEqual({ teamsMemberReads: 1, 'team:t1': 1 });
    expect(teamsCall('t1', 'addTeamMember')).toEqual({ teamsRequests: 1, 'team:t1': 1 });
    expect(demandOf('DELETE', `${GRAPH}/teams/t2/members/m%3D1`)).toEqual({ teamsRequests: 1, 'team:t2': 1 });
  });

  it("when four instances add members to twenty teams as fast as they can for 30 s, then the simulated tenant's Teams limits answer no 429, and the app's rate is nearly all used", async () => {
    const time = new FakeTime();
    const store = new MemoryStore();
    const budgets = instances(4, store, time);
    // The tenant's own throttle at Graph's documented Teams limits, fed each call at the instant it goes.
    const tenant = new GraphThrottle(DOCUMENTED_LIMITS, { tenantId: 'tenant', appId: 'app' }, 0);
    const teams = Array.from({ length: 20 }, (_, i) => `team-${i}`);
    const admitted: { team: string; operation: GraphOperation; at: number }[] = [];
    let throttled = 0;
    let stop = false;
    const worker = async (b: GraphBudget, team: string) => {
      // The connector's two calls: is the agent a member already, then the addition.
      for (let i = 0; !stop; i++) {
        const operation = i % 2 === 0 ? 'listTeamMembers' : 'addTeamMember';
        await b.acquire(teamsCall(team, operation), 'standard');
        try {
          tenant.admit(operation, { selected: false, team }, time.now);
          admitted.push({ team, operation, at: time.now });
        } catch {
          throttled += 1;
        }
      }
    };
    const workers = budgets.flatMap((b) => teams.map((team) => worker(b, team)));
    await time.runUntil(30_000);
    stop = true;
    expect(throttled).toBe(0);
    // Twenty teams at 4 a second would be 40 additions a second: the app's 30 a second is what bounds them.
    const additions = admitted.filter((a) => a.operation === 'addTeamMember').length;
    expect(additions).toBeLessThanOrEqual(30 + 30 * 30);
    expect(additions).toBeGreaterThanOrEqual(0.85 * 30 * 30);
    // And no team ever saw more than its 4 a second (plus what its bucket held).
    for (const team of teams) {
      const on = admitted.filter((a) => a.team === team).map((a) => a.at);
      for (const t of on) expect(on.filter((u) => u > t - 1000 && u <= t).length).toBeLessThanOrEqual(8);
    }
    expect(workers).toHaveLength(80);
  });

  it("when two instances call one team as fast as they can for 30 s, then the tenant answers no 429 and the team's 4 a second is nearly all used", async () => {
    const time = new FakeTime();
    const store = new MemoryStore();
    const budgets = instances(2, store, time);
    const tenant = new GraphThrottle(DOCUMENTED_LIMITS, { tenantId: 'tenant', appId: 'app' }, 0);
    let admitted = 0;
    let throttled = 0;
    let stop = false;
    const worker = async (b: GraphBudget) => {
      while (!stop) {
        await b.acquire(teamsCall('lycees', 'addTeamMember'), 'standard');
        try {
          tenant.admit('addTeamMember', { selected: false, team: 'lycees' }, time.now);
          admitted += 1;
        } catch {
          throttled += 1;
        }
      }
    };
    const workers = budgets.flatMap((b) => [worker(b), worker(b), worker(b)]);
    await time.runUntil(30_000);
    stop = true;
    expect(throttled).toBe(0);
    expect(admitted).toBeLessThanOrEqual(4 + 30 * 4);
    expect(admitted).toBeGreaterThanOrEqual(0.85 * 30 * 4);
    expect(workers).toHaveLength(6);
  });

  it('when one team is at its limit, then calls on another team are not held up behind it', async () => {
    const time = new FakeTime();
    const store = new MemoryStore();
    const [a] = instances(1, store, time);
    const order: string[] = [];
    const busy = Array.from({ length: 12 }, () =>
      a!.acquire(teamsCall('busy', 'addTeamMember'), 'standard').then(() => order.push('busy')),
    );
    await time.runUntil(10);
    const other = a!.acquire(teamsCall('other', 'addTeamMember'), 'standard').then(() => order.push('other'));
    await time.runUntil(20);
    // The other team's call went at once, while the busy team still has calls waiting for their turn.
    expect(order).toContain('other');
    expect(order.filter((o) => o === 'busy').length).toBeLessThan(12);
    await time.runUntil(10_000);
    await Promise.all([...busy, other]);
  });
});

describe('continuity first, bucket by bucket', () => {
  it('when a standard and a continuity call wait on one instance and a token comes for one, then the continuity call takes it, whichever came first', async () => {
    const time = new FakeTime();
    const store = new MemoryStore();
    const [a] = instances(1, store, time);
    const order: string[] = [];
    // The team's bucket is spent by standard calls; then a standard call, then a continuity one, wait.
    const first = Array.from({ length: 3 }, (_, i) =>
      a!.acquire(teamsCall('t', 'addTeamMember'), 'standard').then(() => order.push(`s${i}`)),
    );
    await time.runUntil(1);
    const waiting = [
      a!.acquire(teamsCall('t', 'addTeamMember'), 'standard').then(() => order.push('standard')),
      a!.acquire(teamsCall('t', 'addTeamMember'), 'continuity').then(() => order.push('continuity')),
    ];
    await time.runUntil(10_000);
    await Promise.all([...first, ...waiting]);
    expect(order.indexOf('continuity')).toBeLessThan(order.indexOf('standard'));
  });

  it('when a continuity call waits for a team on one instance, then no other instance leases that team for a standard call until it is served', async () => {
    const time = new FakeTime();
    const store = new MemoryStore();
    const [a, b] = instances(2, store, time);
    const order: string[] = [];
    // Instance b keeps the team busy with standard agents; a continuity agent comes to instance a.
    const standard = Array.from({ length: 20 }, () =>
      b!.acquire(teamsCall('t', 'addTeamMember'), 'standard').then(() => order.push('standard')),
    );
    await time.runUntil(5);
    const servedBefore = order.length;
    expect(servedBefore).toBeLessThan(20);
    const continuity = Array.from({ length: 3 }, () =>
      a!.acquire(teamsCall('t', 'addTeamMember'), 'continuity').then(() => order.push('continuity')),
    );
    await time.runUntil(60_000);
    await Promise.all([...standard, ...continuity]);
    // What b held when the continuity calls came may still go (at most one lease); after that, the three go first.
    const firstContinuity = order.indexOf('continuity');
    expect(firstContinuity - servedBefore).toBeLessThanOrEqual(3);
    expect(order.slice(firstContinuity, firstContinuity + 3)).toEqual(['continuity', 'continuity', 'continuity']);
  });

  it('when a continuity call waits for Intune, then standard calls of the directory (another bucket) are not held up', async () => {
    const time = new FakeTime();
    const store = new MemoryStore();
    const [a, b] = instances(2, store, time);
    // Intune's writes spent by standard calls, then a continuity call waits for the next one.
    const spent = Array.from({ length: LIMITS.intuneWrites.capacity }, () => a!.acquire(autopilotAssign, 'standard'));
    await time.runUntil(1);
    const order: string[] = [];
    const continuity = a!.acquire(autopilotAssign, 'continuity').then(() => order.push('continuity'));
    await time.runUntil(2);
    const directory = b!
      .acquire(demandOf('POST', `${GRAPH}/groups/vpn/members/$ref`), 'standard')
      .then(() => order.push('directory'));
    await time.runUntil(10_000);
    await Promise.all([...spent, continuity, directory]);
    expect(order).toEqual(['directory', 'continuity']);
  });

  it('when the shared document was written by the release before Teams were paced, then it reads with full Teams buckets and no reservation', () => {
    const earlier = {
      buckets: {
        identityUnits: { tokens: 10, at: 5 },
        identityWrites: { tokens: 10, at: 5 },
        intuneRequests: { tokens: 10, at: 5 },
        intuneWrites: { tokens: 10, at: 5 },
      },
      pace: { identity: 0.9, intune: 0.8 },
      pausedUntil: { identity: 0, intune: 0 },
      continuityUntil: 1234,
      signalAt: { identity: 0, intune: 0 },
    };
    const state = sharedBudgetStateSchema.parse(earlier);
    expect(state.buckets.teamsRequests).toEqual({ tokens: 0, at: 0 });
    expect(state.teams).toEqual({});
    expect(state.continuityUntil).toEqual({});
    expect(state.pace).toEqual({ identity: 0.9, intune: 0.8, teams: 0.97 });
  });
});
