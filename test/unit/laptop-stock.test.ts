import { createLaptopStock, createResumeLaptopSteps, PASS_SIZE } from '../../shared/app/laptops/laptop-stock';
import { QUEUES } from '../../shared/app/queues';
import type { Reservation } from '../../shared/domain/laptop-allocation';
import type { Holding, LaptopPool } from '../../shared/ports/laptop-pool';
import type { OutgoingMessage } from '../../shared/ports/message-bus';
import type { OnboardingStore } from '../../shared/ports/onboarding-store';
import type { Laptop, LaptopRequest } from '../../shared/schemas/laptops';
import { approvedOnboarding } from '../support/factories';

// The allocation pass and the sweeper's view of the line, against a pool and a line in memory (the Cosmos
// pool and the racing cases are tested on the embedded endpoint).

const NOW = new Date('2026-12-01T10:00:00.000Z');

const request = (id: string, over: Partial<LaptopRequest> = {}): LaptopRequest => ({
  onboardingId: id,
  employeeId: id.split('.')[0]!,
  priority: 'standard',
  startDate: '2026-12-07',
  site: null,
  userPrincipalName: `${id}@example.org`,
  approvedAt: '2026-11-30T09:00:00.000Z',
  attempt: 1,
  ...over,
});

interface FakeLaptop {
  serialNumber: string;
  site: string | null;
  addedAt: string;
  status: 'available' | 'reserved' | 'assigned';
  onboardingId: string | null;
  priority?: 'continuity' | 'standard';
  since?: string;
}

function harness(line: LaptopRequest[], laptops: FakeLaptop[], options: { refuse?: string[] } = {}) {
  const calls: string[] = [];
  const passes: string[] = [];
  const resumed: { reservations: Reservation[]; resend: boolean }[] = [];
  const pool = {
    add: (ls: { serialNumber: string }[]) => {
      calls.push(`add ${ls.map((l) => l.serialNumber).join(',')}`);
      return Promise.resolve({ added: ls.length - 1, skipped: [] });
    },
    count: (status: string) => Promise.resolve(laptops.filter((l) => l.status === status).length),
    holders: (ids: string[]) =>
      Promise.resolve(
        new Map<string, Holding>(
          laptops
            .filter((l) => l.onboardingId !== null && ids.includes(l.onboardingId))
            .map((l) => [
              l.onboardingId!,
              { serialNumber: l.serialNumber, status: l.status as Holding['status'], since: l.since ?? l.addedAt },
            ]),
        ),
      ),
    available: (sites: string[] | null, limit: number) => {
      calls.push(`available ${sites ? sites.join(',') : 'anywhere'} ${limit}`);
      return Promise.resolve(
        laptops
          .filter((l) => l.status === 'available' && (sites === null || (l.site !== null && sites.includes(l.site))))
          .slice(0, limit)
          .map((l) => ({ serialNumber: l.serialNumber, site: l.site, addedAt: l.addedAt, etag: 'e' })),
      );
    },
    preemptible: (limit: number) =>
      Promise.resolve(
        laptops
          .filter((l) => l.status === 'reserved' && l.priority === 'standard')
          .slice(0, limit)
          .map((l) => ({ ...l, etag: 'e' }) as unknown as Laptop & { etag: string }),
      ),
    reserve: (laptop: { serialNumber: string }, r: LaptopRequest) => {
      calls.push(`reserve ${laptop.serialNumber} ${r.onboardingId}`);
      if (options.refuse?.includes(laptop.serialNumber)) return Promise.resolve(false);
      const l = laptops.find((x) => x.serialNumber === laptop.serialNumber)!;
      Object.assign(l, { status: 'reserved', onboardingId: r.onboardingId, priority: r.priority });
      return Promise.resolve(true);
    },
    release: (id: string) => Promise.resolve(laptops.filter((l) => l.onboardingId === id)),
    releaseReservation: (serial: string, id: string) => {
      calls.push(`releaseReservation ${serial} ${id}`);
      return Promise.resolve(true);
    },
    staleReservations: () =>
      Promise.resolve(
        laptops
          .filter((l) => l.status === 'reserved')
          .map((l) => ({ onboardingId: l.onboardingId!, employeeId: 'E', serialNumber: l.serialNumber })),
      ),
  } as unknown as LaptopPool;
  const onboardings = new Map<string, ReturnType<typeof approvedOnboarding>>();
  const store = {
    waitingForLaptop: (limit: number) => {
      calls.push(`line ${limit}`);
      return Promise.resolve(line.slice(0, limit));
    },
    get: (id: string) => Promise.resolve(onboardings.has(id) ? { value: onboardings.get(id)!, etag: 'e' } : null),
  } as unknown as OnboardingStore;
  const stock = createLaptopStock({
    laptops: pool,
    store,
    resume: (reservations: Reservation[], resend?: boolean) => {
      resumed.push({ reservations, resend: resend ?? false });
      return Promise.resolve();
    },
    requestAllocation: (reason) => {
      passes.push(reason);
      return Promise.resolve();
    },
    clock: { now: () => NOW },
    nudgePeriodSeconds: 60,
  });
  return { stock, calls, passes, resumed, laptops, onboardings };
}

const laptop = (serialNumber: string, over: Partial<FakeLaptop> = {}): FakeLaptop => ({
  serialNumber,
  site: null,
  addedAt: '2026-11-01T00:00:00.000Z',
  status: 'available',
  onboardingId: null,
  ...over,
});

describe('the allocation pass', () => {
  it("when laptops are free, then the line is served in order, preferring a laptop at the agent's site, and each served agent resumed", async () => {
    const h = harness(
      [request('A.1', { site: 'Tours' }), request('B.1', { priority: 'continuity' }), request('C.1')],
      [laptop('L1'), laptop('L2', { site: 'Tours' })],
    );
    expect(await h.stock.pass()).toEqual({ waiting: 3, reserved: 2 });
    expect(h.calls).toEqual([
      `line ${PASS_SIZE}`,
      'available Tours 6',
      'available anywhere 6',
      'reserve L1 B.1',
      'reserve L2 A.1',
    ]);
    expect(h.resumed).toEqual([
      {
        reservations: [
          { onboardingId: 'B.1', employeeId: 'B', serialNumber: 'L1', attempt: 1, priority: 'continuity' },
          { onboardingId: 'A.1', employeeId: 'A', serialNumber: 'L2', attempt: 1 },
        ],
        resend: false,
      },
    ]);
    expect(h.passes).toEqual([]);
  });

  it('when the line is longer than reserved laptops, then those already holding one are read past and not served twice', async () => {
    const h = harness(
      [request('A.1'), request('B.1')],
      [laptop('L1', { status: 'reserved', onboardingId: 'A.1' }), laptop('L2')],
    );
    expect(await h.stock.pass()).toEqual({ waiting: 1, reserved: 1 });
    expect(h.calls[0]).toBe(`line ${PASS_SIZE + 1}`);
    expect(h.calls).toContain('reserve L2 B.1');
    expect(h.calls).not.toContain('reserve L2 A.1');
  });

  it('when a pass stopped after its reservations and before their resumes (a crash), then the next pass resumes the holders it finds in line, under the same message ids, and assigned ones not', async () => {
    const h = harness(
      [request('A.1'), request('B.1', { attempt: 2 }), request('C.1')],
      [
        laptop('L1', { status: 'reserved', onboardingId: 'A.1' }),
        laptop('L2', { status: 'reserved', onboardingId: 'B.1' }),
        laptop('L3', { status: 'assigned', onboardingId: 'C.1' }),
      ],
    );
    expect(await h.stock.pass()).toEqual({ waiting: 0, reserved: 0 });
    expect(h.resumed).toEqual([
      {
        reservations: [
          { onboardingId: 'A.1', employeeId: 'A', serialNumber: 'L1', attempt: 1 },
          { onboardingId: 'B.1', employeeId: 'B', serialNumber: 'L2', attempt: 2 },
        ],
        // Not a re-send: the key of the first resume, which duplicate detection drops when it was sent.
        resend: false,
      },
    ]);
  });

  it('when nobody waits without a laptop, then nothing is read of the stock', async () => {
    const h = harness([request('A.1')], [laptop('L1', { status: 'assigned', onboardingId: 'A.1' })]);
    expect(await h.stock.pass()).toEqual({ waiting: 0, reserved: 0 });
    expect(h.calls).toEqual([`line ${PASS_SIZE}`]);
  });

  it('when a reservation is refused (the laptop changed since it was read), then that agent is not resumed', async () => {
    const h = harness([request('A.1'), request('B.1')], [laptop('L1'), laptop('L2')], { refuse: ['L1'] });
    expect(await h.stock.pass()).toEqual({ waiting: 2, reserved: 1 });
    expect(h.resumed.flatMap((r) => r.reservations.map((x) => x.onboardingId))).toEqual(['B.1']);
  });

  it('when no laptop is free, then continuity agents take those only reserved for standard agents; standard agents take none', async () => {
    const h = harness(
      [request('C.1', { priority: 'continuity' }), request('S.2')],
      [laptop('L1', { status: 'reserved', onboardingId: 'S.1', priority: 'standard' })],
    );
    expect(await h.stock.pass()).toEqual({ waiting: 2, reserved: 1 });
    expect(h.calls).toContain('reserve L1 C.1');
    expect(h.resumed.at(-1)?.reservations).toEqual([
      { onboardingId: 'C.1', employeeId: 'C', serialNumber: 'L1', attempt: 1, priority: 'continuity' },
    ]);
  });

  it('when as many laptops as the pass asked for were found, then another pass is asked for', async () => {
    const h = harness([request('A.1')], [laptop('L1'), laptop('L2'), laptop('L3')]);
    expect(await h.stock.pass()).toEqual({ waiting: 1, reserved: 1 });
    expect(h.passes).toEqual([`more/${NOW.getTime()}`]);
  });
});

describe('adding and releasing', () => {
  it('when laptops are added, or all known already (the retry of an add a crash cut before its pass was asked for), then a pass is asked for, named after the serials', async () => {
    const h = harness([], []);
    await h.stock.add({
      laptops: [
        { serialNumber: 'pf1', model: 'M' },
        { serialNumber: 'PF2', model: 'M' },
      ],
    });
    await h.stock.add({
      laptops: [
        { serialNumber: 'PF1', model: 'M' },
        { serialNumber: 'pf2', model: 'M' },
      ],
    });
    expect(h.passes).toHaveLength(2);
    expect(h.passes[0]).toBe(h.passes[1]);
    expect(h.passes[0]).toMatch(/^add\/[\w-]{43}$/);
    // The fake pool knows the only laptop already: nothing added, a pass all the same.
    const known = harness([], []);
    await known.stock.add({ laptops: [{ serialNumber: 'X', model: 'M' }] });
    expect(known.passes).toEqual([expect.stringMatching(/^add\//)]);
  });

  it('when an onboarding gives its laptop back, then the next in line is served; nothing held, no pass', async () => {
    const h = harness([], [laptop('L1', { status: 'reserved', onboardingId: 'A.1' })]);
    expect(await h.stock.release('A.1', 'cancelled')).toBe(1);
    expect(await h.stock.release('B.1', 'cancelled')).toBe(0);
    expect(h.passes).toEqual(['release/A.1/cancelled']);
  });
});

describe("the sweeper's view", () => {
  it('when the head of the line holds a laptop since before the grace, then its resume is sent again; someone unserved and a free laptop ask for a pass', async () => {
    const h = harness(
      [request('A.1'), request('B.1'), request('C.1')],
      [
        laptop('L1', { status: 'reserved', onboardingId: 'A.1', since: '2026-12-01T09:00:00.000Z' }),
        laptop('L2', { status: 'reserved', onboardingId: 'B.1', since: '2026-12-01T09:59:00.000Z' }),
        laptop('L3'),
      ],
    );
    expect(await h.stock.nudge('2026-12-01T09:58:00.000Z')).toEqual({ resumed: 1, pass: true });
    expect(h.resumed).toEqual([
      { reservations: [{ onboardingId: 'A.1', employeeId: 'A', serialNumber: 'L1', attempt: 1 }], resend: true },
    ]);
    expect(h.passes).toEqual([`sweep/${Math.floor(NOW.getTime() / 60_000)}`]);
  });

  it('when everyone in line holds a laptop, or none is free, then no pass', async () => {
    const served = harness([request('A.1')], [laptop('L1', { status: 'reserved', onboardingId: 'A.1' }), laptop('L2')]);
    expect(await served.stock.nudge('2026-01-01T00:00:00.000Z')).toEqual({ resumed: 0, pass: false });
    const empty = harness([request('A.1')], []);
    expect(await empty.stock.nudge('2026-01-01T00:00:00.000Z')).toEqual({ resumed: 0, pass: false });
    expect([...served.passes, ...empty.passes]).toEqual([]);
  });

  it('when a reservation is stale, then its resume is sent again if its onboarding still waits (or was cancelled); otherwise the laptop goes back to stock', async () => {
    const h = harness(
      [],
      [
        laptop('W', { status: 'reserved', onboardingId: 'E1.1' }),
        laptop('X', { status: 'reserved', onboardingId: 'E2.1' }),
        laptop('G', { status: 'reserved', onboardingId: 'E3.1' }),
      ],
    );
    const waiting = approvedOnboarding();
    h.onboardings.set('E1.1', waiting);
    const cancelled = { ...approvedOnboarding(), status: 'cancelled' as const };
    h.onboardings.set('E2.1', cancelled);
    const done = approvedOnboarding();
    done.steps.laptop.status = 'done';
    h.onboardings.set('E3.1', done);
    expect(await h.stock.resendStale('2026-12-01T09:58:00.000Z')).toEqual({ resent: 2, released: 1 });
    expect(h.resumed.map((r) => [r.reservations[0]?.serialNumber, r.resend])).toEqual([
      ['W', true],
      ['X', true],
    ]);
    expect(h.calls).toContain('releaseReservation G E3.1');
    expect(h.passes).toEqual([`stale/G/${NOW.getTime()}`]);
  });
});

describe('resuming laptop steps', () => {
  it("when reservations are resumed, then one message each on the laptop steps' queue, keyed by serial and run; a re-send gets a key per period", async () => {
    const sent: { queue: string; messages: OutgoingMessage[] }[] = [];
    const resume = createResumeLaptopSteps(
      {
        send: (queue, messages) => {
          sent.push({ queue, messages });
          return Promise.resolve();
        },
      },
      { now: () => NOW },
      60,
    );
    await resume([]);
    await resume([{ onboardingId: 'E1.1', employeeId: 'E1', serialNumber: 'L1', attempt: 2, traceparent: 't' }]);
    await resume([{ onboardingId: 'E1.1', employeeId: 'E1', serialNumber: 'L1' }], true);
    expect(sent.map((s) => [s.queue, s.messages.map((m) => m.messageId)])).toEqual([
      [QUEUES.laptopSteps, ['E1.1/laptop/resume-step/0/L1/a2']],
      [QUEUES.laptopSteps, [`E1.1/laptop/resume-step/0/L1/${Math.floor(NOW.getTime() / 60_000)}`]],
    ]);
    expect(sent[0]?.messages[0]?.applicationProperties).toEqual({ traceparent: 't' });
  });

  it("when a continuity agent's reservation is resumed, then its message goes to the continuity agents' laptop queue, before the others'", async () => {
    const sent: { queue: string; messages: OutgoingMessage[] }[] = [];
    const resume = createResumeLaptopSteps(
      {
        send: (queue, messages) => {
          sent.push({ queue, messages });
          return Promise.resolve();
        },
      },
      { now: () => NOW },
      60,
    );
    await resume([
      { onboardingId: 'S.1', employeeId: 'S', serialNumber: 'L1', attempt: 1 },
      { onboardingId: 'C.1', employeeId: 'C', serialNumber: 'L2', attempt: 1, priority: 'continuity' },
    ]);
    expect(sent.map((s) => [s.queue, s.messages.map((m) => m.messageId)])).toEqual([
      [QUEUES.laptopStepsContinuity, ['C.1/laptop/resume-step/0/L2/a1']],
      [QUEUES.laptopSteps, ['S.1/laptop/resume-step/0/L1/a1']],
    ]);
  });
});
