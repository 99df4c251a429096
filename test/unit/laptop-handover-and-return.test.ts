import { createHandOverLaptop } from '../../shared/app/laptops/hand-over';
import { createReturnLaptop } from '../../shared/app/laptops/return-laptop';
import { decide, type OnboardingEvent } from '../../shared/domain/decide';
import { DomainError, ErrorCodes } from '../../shared/domain/errors';
import type { LaptopPool } from '../../shared/ports/laptop-pool';
import { REPLACED_DEVICE_MODEL, type Laptop } from '../../shared/schemas/laptops';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { approvedOnboarding, buildOnboarding, person } from '../support/factories';
import { memoryOnboardings } from '../support/memory-onboardings';

// Handing over a laptop and recording a return (contract: "Handing over the laptop", and the return of a
// leaver's laptop or of the device an equipment request replaces), over a stock and onboardings in memory.

const NOW = new Date('2026-12-04T09:00:00.000Z');
const clock = { now: () => NOW };
const STOCK = person('logistique@example.org');
const T0 = '2026-12-02T09:00:00.000Z';

const apply = (o: Onboarding, ...events: OnboardingEvent[]) => events.reduce((state, e) => decide(state, e).state, o);

function laptopRecord(serialNumber: string, over: Partial<Laptop> = {}): Laptop {
  return {
    id: serialNumber.toUpperCase(),
    docType: 'laptop',
    pool: 'default',
    serialNumber,
    model: 'Latitude 5440',
    site: 'Orléans',
    status: 'available',
    onboardingId: null,
    userPrincipalName: null,
    addedAt: '2026-11-01T08:00:00.000Z',
    updatedAt: '2026-11-01T08:00:00.000Z',
    ...over,
  };
}

/** The stock as the use cases see it: what they read, and each change they ask for (which it makes). */
function stockOf(...laptops: Laptop[]) {
  const records = new Map(laptops.map((l) => [l.serialNumber, l]));
  const calls: string[] = [];
  const refuse = new Set<string>();
  const pool = {
    find: (serial: string) => Promise.resolve(records.get(serial) ?? null),
    handOver: (serial: string, onboardingId: string, at: string) => {
      calls.push(`handOver ${serial} ${onboardingId} ${at}`);
      const l = records.get(serial);
      if (refuse.has('handOver') || !l) return Promise.resolve(false);
      records.set(serial, { ...l, handedOverAt: at });
      return Promise.resolve(true);
    },
    expectBack: (serial: string, holder: { onboardingId: string; userPrincipalName: string; site: string | null }) => {
      calls.push(`expectBack ${serial} ${holder.onboardingId} ${holder.userPrincipalName} ${holder.site ?? '-'}`);
      return Promise.resolve(true);
    },
    recordReturn: (serial: string, condition: 'ok' | 'repair') => {
      calls.push(`recordReturn ${serial} ${condition}`);
      const l = records.get(serial);
      if (refuse.has('recordReturn') || !l) return Promise.resolve(false);
      records.set(serial, {
        ...l,
        status: condition === 'ok' ? 'available' : 'repair',
        onboardingId: null,
        updatedAt: NOW.toISOString(),
      });
      return Promise.resolve(true);
    },
    retire: (serial: string) => {
      calls.push(`retire ${serial}`);
      records.delete(serial);
      return Promise.resolve(true);
    },
  } as unknown as LaptopPool;
  return { pool, calls, records, refuse };
}

/** Approved, its laptop PC-1 given (assigned in the stock), as the laptop step leaves it; optionally a device to hand back. */
function equipped(replaces: string | null = null): Onboarding {
  const o = approvedOnboarding(buildOnboarding({ employee: { site: 'Blois' } }));
  o.replaces = replaces === null ? null : { serialNumber: replaces };
  return apply(o, { type: 'step-succeeded', at: T0, step: 'laptop', serialNumber: 'PC-1' });
}
const assigned = (o: Onboarding, over: Partial<Laptop> = {}) =>
  laptopRecord('PC-1', { status: 'assigned', onboardingId: o.id, userPrincipalName: o.userPrincipalName, ...over });

function handOverHarness(o: Onboarding, laptop: Laptop = assigned(o)) {
  const onboardings = memoryOnboardings(clock, o);
  const stock = stockOf(laptop);
  const handOver = createHandOverLaptop({
    laptops: stock.pool,
    store: onboardings.store,
    writer: onboardings.writer,
    clock,
  });
  return { handOver, onboardings, stock };
}

const refusal = async (p: Promise<unknown>) => {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return { code: err.code, message: err.message };
};

describe('handing over a laptop', () => {
  it('when the laptop assigned to an onboarding is handed over, then its step records how, when and by whom, the stock records the handover, and the laptop is answered as it is now', async () => {
    const o = equipped();
    const h = handOverHarness(o);
    const laptop = await h.handOver(
      'PC-1',
      { method: 'delivery', trackingNumber: 'TRK-1', comment: 'au domicile' },
      STOCK,
    );
    const after = h.onboardings.stored(o.id);
    expect(after.steps.laptop.handover).toEqual({
      method: 'delivery',
      at: NOW.toISOString(),
      by: STOCK.name,
      trackingNumber: 'TRK-1',
    });
    expect(after.history.at(-1)).toMatchObject({
      type: 'laptop.handed-over',
      actor: STOCK.name,
      actorId: STOCK.id,
      details: { serialNumber: 'PC-1', method: 'delivery', trackingNumber: 'TRK-1', comment: 'au domicile' },
    });
    expect(h.stock.calls).toEqual([`handOver PC-1 ${o.id} ${NOW.toISOString()}`]);
    expect(laptop).toMatchObject({ serialNumber: 'PC-1', handedOverAt: NOW.toISOString() });
  });

  it('when handed over without tracking number or comment, then none is recorded', async () => {
    const o = equipped();
    const h = handOverHarness(o);
    await h.handOver('PC-1', { method: 'pickup' }, STOCK);
    const after = h.onboardings.stored(o.id);
    expect(after.steps.laptop.handover).toEqual({ method: 'pickup', at: NOW.toISOString(), by: STOCK.name });
    expect(after.history.at(-1)?.details).toEqual({ serialNumber: 'PC-1', method: 'pickup' });
  });

  it('when the onboarding replaces a device, then that device is expected back from the agent, at their site, before the laptop is marked handed over', async () => {
    const o = equipped('DESKTOP-0713');
    const h = handOverHarness(o);
    await h.handOver('PC-1', { method: 'pickup' }, STOCK);
    expect(h.stock.calls).toEqual([
      `expectBack DESKTOP-0713 ${o.id} ${o.userPrincipalName} Blois`,
      `handOver PC-1 ${o.id} ${NOW.toISOString()}`,
    ]);
    expect(h.onboardings.stored(o.id).replaces).toEqual({
      serialNumber: 'DESKTOP-0713',
      expectedBackSince: NOW.toISOString(),
    });
  });

  it('when a first call stopped after recording the handover on the onboarding, then the same call again finishes it without a second record', async () => {
    const o = equipped('DESKTOP-0713');
    const recorded = decide(o, {
      type: 'laptop-handed-over',
      at: T0,
      by: STOCK,
      serialNumber: 'PC-1',
      method: 'pickup',
    }).state;
    const h = handOverHarness(recorded);
    const laptop = await h.handOver('PC-1', { method: 'pickup' }, STOCK);
    expect(h.onboardings.stored(o.id).history.filter((e) => e.type === 'laptop.handed-over')).toHaveLength(1);
    // The stock gets the instant the onboarding recorded, not the retry's.
    expect(h.stock.calls).toEqual([
      `expectBack DESKTOP-0713 ${o.id} ${o.userPrincipalName} Blois`,
      `handOver PC-1 ${o.id} ${T0}`,
    ]);
    expect(laptop.handedOverAt).toBe(T0);
  });

  it('when the laptop is unknown, then 404; handed over already, assigned to no onboarding or not assigned, then it is refused and nothing is recorded', async () => {
    const o = equipped();
    expect(await refusal(handOverHarness(o).handOver('PC-404', { method: 'pickup' }, STOCK))).toEqual({
      code: ErrorCodes.laptopNotFound,
      message: 'no laptop PC-404',
    });
    const cases: [Laptop, string][] = [
      [assigned(o, { handedOverAt: T0 }), `laptop PC-1 was handed over already (${T0})`],
      [
        assigned(o, { onboardingId: null }),
        'laptop PC-1 is assigned, for no onboarding: only a laptop assigned to an onboarding is handed over',
      ],
      [
        assigned(o, { status: 'reserved' }),
        'laptop PC-1 is reserved: only a laptop assigned to an onboarding is handed over',
      ],
      [
        laptopRecord('PC-1', { status: 'to-return', onboardingId: null }),
        'laptop PC-1 is to-return, for no onboarding: only a laptop assigned to an onboarding is handed over',
      ],
    ];
    for (const [laptop, message] of cases) {
      const h = handOverHarness(o, laptop);
      expect(await refusal(h.handOver('PC-1', { method: 'pickup' }, STOCK))).toEqual({
        code: ErrorCodes.laptopNotHandable,
        message,
      });
      expect(h.onboardings.stored(o.id)).toEqual(o);
      expect(h.stock.calls).toEqual([]);
    }
  });

  it('when the onboarding the laptop is assigned to is not found, then 404 and the stock is left as it is', async () => {
    const o = equipped();
    const h = handOverHarness(o, assigned(o, { onboardingId: 'GONE.1' }));
    expect(await refusal(h.handOver('PC-1', { method: 'pickup' }, STOCK))).toEqual({
      code: ErrorCodes.notFound,
      message: 'no onboarding GONE.1',
    });
    expect(h.stock.calls).toEqual([]);
  });

  it('when the laptop changed in the stock while the handover was recorded, then it is refused (read it again)', async () => {
    const o = equipped();
    const h = handOverHarness(o);
    h.stock.refuse.add('handOver');
    expect(await refusal(h.handOver('PC-1', { method: 'pickup' }, STOCK))).toEqual({
      code: ErrorCodes.laptopNotHandable,
      message: 'laptop PC-1 changed while its handover was recorded; read it again',
    });
  });
});

/** A leaver whose access was removed: the laptop step returning with PC-1, the laptop to return. */
function leaverOf(o: Onboarding): Onboarding {
  return apply(
    o,
    { type: 'step-succeeded', at: T0, step: 'vpn' },
    { type: 'step-succeeded', at: T0, step: 'officeLicense' },
    { type: 'left', eventId: 'left', at: T0, lastDay: '2026-12-03', dueAt: '2026-12-03T23:00:00.000Z' },
    { type: 'departure-due', at: '2026-12-04T00:00:00.000Z', lastDay: '2026-12-03' },
    { type: 'step-reverted', at: T0, step: 'vpn' },
    { type: 'step-reverted', at: T0, step: 'officeLicense' },
  );
}

function returnHarness(onboardings: Onboarding[], laptop: Laptop, options: { putBack?: number } = {}) {
  const store = memoryOnboardings(clock, ...onboardings);
  const stock = stockOf(laptop);
  const allocations: string[] = [];
  const returnLaptop = createReturnLaptop({
    laptops: stock.pool,
    accessories: {
      putBack: (id) => {
        stock.calls.push(`putBack ${id}`);
        return Promise.resolve(options.putBack ?? 0);
      },
    },
    writer: store.writer,
    autopilot: {
      find: () => Promise.resolve(null),
      assign: () => Promise.resolve('assigned'),
      unassign: (serial, priority) => {
        stock.calls.push(`unassign ${serial} ${priority}`);
        return Promise.resolve();
      },
    },
    clock,
    requestAllocation: (reason) => {
      allocations.push(reason);
      return Promise.resolve();
    },
  });
  return { returnLaptop, store, stock, allocations };
}

describe("recording a laptop's return", () => {
  it("when a leaver's laptop comes back in good condition, then the onboarding is left, its Autopilot user removed (at a person's priority), the laptop back in stock and the line served", async () => {
    const o = leaverOf(equipped());
    const h = returnHarness([o], assigned(o, { status: 'to-return' }));
    const laptop = await h.returnLaptop('PC-1', { condition: 'ok', comment: 'RAS' }, STOCK);
    const after = h.store.stored(o.id);
    expect(after.status).toBe('left');
    expect(after.history.find((e) => e.type === 'laptop.returned')).toMatchObject({
      actor: STOCK.name,
      details: { serialNumber: 'PC-1', condition: 'ok', comment: 'RAS' },
    });
    expect(h.stock.calls).toEqual([`putBack ${o.id}`, 'unassign PC-1 interactive', 'recordReturn PC-1 ok']);
    expect(h.allocations).toHaveLength(1);
    expect(laptop).toMatchObject({ serialNumber: 'PC-1', status: 'available' });
  });

  it('when it comes back for repair, then it stays out of stock, keeps its Autopilot user, and no pass is asked for', async () => {
    const o = leaverOf(equipped());
    const h = returnHarness([o], assigned(o, { status: 'to-return' }));
    const laptop = await h.returnLaptop('PC-1', { condition: 'repair' }, STOCK);
    expect(h.stock.calls).toEqual([`putBack ${o.id}`, 'recordReturn PC-1 repair']);
    expect(h.allocations).toEqual([]);
    expect(laptop.status).toBe('repair');
    expect(h.store.stored(o.id).history.find((e) => e.type === 'laptop.returned')?.details).toEqual({
      serialNumber: 'PC-1',
      condition: 'repair',
    });
  });

  it("when the leaver's accessories come back with it, then they go back in their stock and the line is served for them too", async () => {
    const o = leaverOf(equipped());
    const h = returnHarness([o], assigned(o, { status: 'to-return' }), { putBack: 1 });
    await h.returnLaptop('PC-1', { condition: 'repair' }, STOCK);
    expect(h.allocations).toHaveLength(1);
  });

  it('when a laptop in repair, held by no onboarding, comes back, then only the stock changes', async () => {
    const h = returnHarness([], laptopRecord('PC-7', { status: 'repair' }));
    const laptop = await h.returnLaptop('PC-7', { condition: 'ok' }, STOCK);
    expect(h.stock.calls).toEqual(['unassign PC-7 interactive', 'recordReturn PC-7 ok']);
    expect(laptop.status).toBe('available');
  });

  it('when the device an equipment request replaced comes back, then its return is on that onboarding, nothing of the agent is taken back, and a desktop leaves the stock', async () => {
    const o = apply(equipped('DESKTOP-0713'), {
      type: 'laptop-handed-over',
      at: T0,
      by: STOCK,
      serialNumber: 'PC-1',
      method: 'pickup',
    });
    const desktop = laptopRecord('DESKTOP-0713', {
      model: REPLACED_DEVICE_MODEL,
      status: 'to-return',
      onboardingId: o.id,
    });
    const h = returnHarness([o], desktop, { putBack: 1 });
    const answered = await h.returnLaptop('DESKTOP-0713', { condition: 'ok' }, STOCK);
    expect(h.store.stored(o.id).replaces?.returned).toEqual({ at: NOW.toISOString(), condition: 'ok' });
    expect(h.stock.calls).toEqual(['unassign DESKTOP-0713 interactive', 'retire DESKTOP-0713']);
    expect(h.allocations).toEqual([]);
    expect(answered).toEqual(desktop);
  });

  it('when a laptop a request replaced comes back, then it goes back in stock like any other', async () => {
    const o = apply(equipped('PC-OLD'), {
      type: 'laptop-handed-over',
      at: T0,
      by: STOCK,
      serialNumber: 'PC-1',
      method: 'pickup',
    });
    const h = returnHarness([o], laptopRecord('PC-OLD', { status: 'to-return', onboardingId: o.id }));
    await h.returnLaptop('PC-OLD', { condition: 'ok' }, STOCK);
    expect(h.stock.calls).toEqual(['unassign PC-OLD interactive', 'recordReturn PC-OLD ok']);
    expect(h.allocations).toHaveLength(1);
  });

  it('when the laptop is unknown, or neither to return nor in repair, then it is refused and nothing changes', async () => {
    const missing = returnHarness([], laptopRecord('PC-1'));
    expect(await refusal(missing.returnLaptop('PC-404', { condition: 'ok' }, STOCK))).toEqual({
      code: ErrorCodes.laptopNotFound,
      message: 'no laptop PC-404',
    });
    for (const status of ['available', 'reserved', 'assigned'] as const) {
      const h = returnHarness([], laptopRecord('PC-1', { status }));
      expect(await refusal(h.returnLaptop('PC-1', { condition: 'ok' }, STOCK))).toEqual({
        code: ErrorCodes.laptopNotReturnable,
        message: `laptop PC-1 is ${status}; only a laptop to return or in repair can be returned`,
      });
      expect(h.stock.calls).toEqual([]);
    }
  });

  it('when the laptop changed in the stock while its return was recorded, then it is refused (read it again) and no pass is asked for', async () => {
    const o = leaverOf(equipped());
    const h = returnHarness([o], assigned(o, { status: 'to-return' }));
    h.stock.refuse.add('recordReturn');
    expect(await refusal(h.returnLaptop('PC-1', { condition: 'ok' }, STOCK))).toEqual({
      code: ErrorCodes.laptopNotReturnable,
      message: 'laptop PC-1 changed while its return was recorded; read it again',
    });
    expect(h.allocations).toEqual([]);
  });
});
