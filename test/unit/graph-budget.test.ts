import {
  demandOf,
  GraphBudget,
  type BudgetLimits,
  type BudgetStore,
  type CallPriority,
  type SharedBudgetState,
} from '../../shared/adapters/graph/graph-budget';

// The Graph budget every instance shares, with the limits Graph documents for identity calls and for
// Intune ("Microsoft Graph service-specific throttling limits", https://learn.microsoft.com/graph/throttling-limits),
// scaled down: a shared document (written with its etag, as in Cosmos DB), simulated time.

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
