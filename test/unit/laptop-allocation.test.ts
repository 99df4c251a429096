import { addLaptops, allocate, compareRequests, release, requestLaptop } from '../../shared/domain/laptop-allocation';
import type { LaptopPoolDocument, LaptopRequest } from '../../shared/schemas/laptops';

const at = '2026-11-30T09:00:00.000Z';
const empty = (): LaptopPoolDocument => ({
  id: 'pool-default',
  docType: 'laptop-pool',
  pool: 'default',
  laptops: [],
  waiting: [],
});

function req(id: string, overrides: Partial<LaptopRequest> = {}): LaptopRequest {
  return {
    onboardingId: `${id}.1`,
    employeeId: id,
    priority: 'standard',
    startDate: '2027-01-10',
    site: null,
    userPrincipalName: `${id.toLowerCase()}@example.org`,
    asOf: '2026-11-30T08:00:00.000Z',
    approvedAt: '2026-11-30T08:00:00.000Z',
    requestedAt: '2026-11-30T08:00:00.000Z',
    ...overrides,
  };
}

describe('compareRequests: who is served first', () => {
  it.each([
    [
      'continuity before standard, whatever the dates',
      req('A', { priority: 'continuity', startDate: '2027-06-01' }),
      req('B', { startDate: '2027-01-01' }),
    ],
    ['then the earliest start date', req('A', { startDate: '2027-01-01' }), req('B', { startDate: '2027-01-02' })],
    [
      'then the earliest approval',
      req('A', { approvedAt: '2026-11-30T08:00:00Z' }),
      req('B', { approvedAt: '2026-11-30T09:00:00Z' }),
    ],
  ])('%s', (_name, first, second) => {
    expect(compareRequests(first, second)).toBeLessThan(0);
    expect(compareRequests(second, first)).toBeGreaterThan(0);
  });
});

describe('allocation', () => {
  it('when laptops arrive for a line of requests, then they go in priority order and the rest keep waiting', () => {
    let pool = empty();
    for (const r of [
      req('S2', { startDate: '2027-01-02' }),
      req('C', { priority: 'continuity', startDate: '2027-03-01' }),
      req('S1', { startDate: '2027-01-01' }),
    ]) {
      pool = requestLaptop(pool, r, at).pool;
    }
    expect(pool.waiting).toHaveLength(3);
    const result = addLaptops(
      pool,
      [
        { serialNumber: 'L1', model: 'm' },
        { serialNumber: 'L2', model: 'm' },
      ],
      at,
    );
    expect(result.reservations.map((r) => [r.employeeId, r.serialNumber])).toEqual([
      ['C', 'L1'],
      ['S1', 'L2'],
    ]);
    expect(result.pool.waiting.map((w) => w.employeeId)).toEqual(['S2']);
  });

  it('when a serial is already known (any case), then it is skipped', () => {
    const first = addLaptops(empty(), [{ serialNumber: 'pf-1', model: 'm' }], at).pool;
    const second = addLaptops(
      first,
      [
        { serialNumber: 'PF-1', model: 'm' },
        { serialNumber: 'PF-2', model: 'm' },
      ],
      at,
    );
    expect(second.added).toBe(1);
    expect(second.skipped).toEqual(['PF-1']);
  });

  it("when a laptop is at the agent's site, then that one is chosen", () => {
    const pool = addLaptops(
      empty(),
      [
        { serialNumber: 'ORL', model: 'm', site: 'Orléans' },
        { serialNumber: 'TRS', model: 'm', site: 'Tours' },
      ],
      at,
    ).pool;
    const r = requestLaptop(pool, req('A', { site: 'Tours' }), at);
    expect(r.reservations).toEqual([{ onboardingId: 'A.1', employeeId: 'A', serialNumber: 'TRS' }]);
  });

  it('when the same onboarding asks twice, then it keeps its one laptop', () => {
    const pool = addLaptops(
      empty(),
      [
        { serialNumber: 'L1', model: 'm' },
        { serialNumber: 'L2', model: 'm' },
      ],
      at,
    ).pool;
    const once = requestLaptop(pool, req('A'), at).pool;
    const twice = requestLaptop(once, req('A'), at);
    expect(twice.reservations).toEqual([]);
    expect(twice.pool.laptops.filter((l) => l.onboardingId === 'A.1')).toHaveLength(1);
  });

  it('when a laptop comes back to stock, then the first in line gets it', () => {
    let pool = addLaptops(empty(), [{ serialNumber: 'L1', model: 'm' }], at).pool;
    pool = requestLaptop(pool, req('A'), at).pool;
    pool = requestLaptop(pool, req('B', { startDate: '2027-02-01' }), at).pool;
    pool = requestLaptop(pool, req('C', { startDate: '2027-01-15' }), at).pool;
    const released = release(pool, 'A.1', at);
    expect(released.released.map((l) => l.serialNumber)).toEqual(['L1']);
    expect(released.reservations).toEqual([{ onboardingId: 'C.1', employeeId: 'C', serialNumber: 'L1' }]);
  });

  it('when a waiting request is released, then it leaves the line without taking anything', () => {
    const pool = requestLaptop(empty(), req('A'), at).pool;
    const released = release(pool, 'A.1', at);
    expect(released.pool.waiting).toEqual([]);
    expect(released.released).toEqual([]);
  });

  it('when a start date moves earlier, then the request moves up the line', () => {
    let pool = requestLaptop(empty(), req('A', { startDate: '2027-01-05' }), at).pool;
    pool = requestLaptop(pool, req('B', { startDate: '2027-01-10' }), at).pool;
    pool = requestLaptop(pool, req('B', { startDate: '2027-01-01', asOf: '2026-11-30T10:00:00.000Z' }), at).pool;
    const result = addLaptops(pool, [{ serialNumber: 'L1', model: 'm' }], at);
    expect(result.reservations.map((r) => r.employeeId)).toEqual(['B']);
  });

  it('when a request read before the change arrives after it, then it does not undo the new start date', () => {
    let pool = requestLaptop(empty(), req('A', { startDate: '2027-01-05' }), at).pool;
    pool = requestLaptop(pool, req('B', { startDate: '2027-01-01', asOf: '2026-11-30T10:00:00.000Z' }), at).pool;
    pool = requestLaptop(pool, req('B', { startDate: '2027-01-10', asOf: '2026-11-30T09:00:00.000Z' }), at).pool;
    expect(pool.waiting.find((w) => w.employeeId === 'B')?.startDate).toBe('2027-01-01');
  });

  it('when nothing is available, then allocate changes nothing', () => {
    const pool = requestLaptop(empty(), req('A'), at).pool;
    expect(allocate(pool, at)).toEqual({ pool, reservations: [] });
  });
});
