import { compareRequests, planAllocation, type AvailableLaptop } from '../../shared/domain/laptop-allocation';
import type { LaptopRequest } from '../../shared/schemas/laptops';

function req(id: string, overrides: Partial<LaptopRequest> = {}): LaptopRequest {
  return {
    onboardingId: `${id}.1`,
    employeeId: id,
    priority: 'standard',
    startDate: '2027-01-10',
    site: null,
    userPrincipalName: `${id.toLowerCase()}@example.org`,
    approvedAt: '2026-11-30T08:00:00.000Z',
    attempt: 1,
    ...overrides,
  };
}

function laptop(
  serialNumber: string,
  addedAt = '2026-11-01T00:00:00.000Z',
  site: string | null = null,
): AvailableLaptop {
  return { serialNumber, site, addedAt };
}

const served = (plan: ReturnType<typeof planAllocation>) =>
  plan.map((p) => `${p.request.employeeId}=${p.serialNumber}`);

describe('compareRequests: who is served first', () => {
  it.each([
    [
      'continuity before standard, whatever the dates',
      req('A', { priority: 'continuity', startDate: '2027-06-01' }),
      req('B', { startDate: '2027-01-01' }),
    ],
    ['then the earliest start date', req('A', { startDate: '2027-01-01' }), req('B', { startDate: '2027-01-02' })],
    [
      'then the earliest approval (whatever the ids)',
      req('B', { approvedAt: '2026-11-30T08:00:00Z' }),
      req('A', { approvedAt: '2026-11-30T09:00:00Z' }),
    ],
    ['then the onboarding id, so that the order is total', req('A'), req('B')],
  ])('%s', (_name, first, second) => {
    expect(compareRequests(first, second)).toBeLessThan(0);
    expect(compareRequests(second, first)).toBeGreaterThan(0);
  });

  it('when two requests are the same, then neither goes first', () => {
    expect(compareRequests(req('A'), req('A'))).toBe(0);
  });
});

describe('planAllocation: one pass of the pool', () => {
  it.each<[string, LaptopRequest[], AvailableLaptop[], string[]]>([
    [
      'the line is served continuity first, then by start date, then by approval; the rest wait',
      [
        req('S2', { startDate: '2027-01-02' }),
        req('C', { priority: 'continuity', startDate: '2027-03-01' }),
        req('S1', { startDate: '2027-01-01' }),
        req('S1b', { startDate: '2027-01-01', approvedAt: '2026-11-30T09:00:00.000Z' }),
      ],
      [laptop('L1'), laptop('L2'), laptop('L3')],
      ['C=L1', 'S1=L2', 'S1b=L3'],
    ],
    [
      'the longest in stock goes first',
      [req('A'), req('B')],
      [laptop('NEW', '2026-11-20T00:00:00.000Z'), laptop('OLD', '2026-10-01T00:00:00.000Z')],
      ['A=OLD', 'B=NEW'],
    ],
    [
      'an agent gets a laptop at their site when there is one, otherwise the longest in stock',
      [req('ORL', { site: 'Orléans' }), req('TOURS', { site: 'Tours' }), req('ANY')],
      [
        laptop('T1', '2026-10-01T00:00:00.000Z', 'Tours'),
        laptop('O1', '2026-10-05T00:00:00.000Z', 'Orléans'),
        laptop('X1', '2026-10-09T00:00:00.000Z'),
      ],
      ['ANY=T1', 'ORL=O1', 'TOURS=X1'],
    ],
    [
      "a laptop at the agent's site goes to them even when an older one waits elsewhere",
      [req('ORL', { site: 'Orléans' })],
      [laptop('X1', '2026-10-01T00:00:00.000Z'), laptop('O1', '2026-10-05T00:00:00.000Z', 'Orléans')],
      ['ORL=O1'],
    ],
    [
      'an agent without a site takes the longest in stock, wherever it is',
      [req('ANY')],
      [laptop('T1', '2026-10-01T00:00:00.000Z', 'Tours'), laptop('X1', '2026-10-05T00:00:00.000Z')],
      ['ANY=T1'],
    ],
    ['no laptop: nobody is served', [req('A')], [], []],
    ['nobody in line: no laptop is taken', [], [laptop('L1')], []],
    [
      'equal laptops are ordered by serial, so a pass is repeatable',
      [req('A'), req('B')],
      [laptop('Z9'), laptop('A1')],
      ['A=A1', 'B=Z9'],
    ],
  ])('%s', (_name, requests, available, expected) => {
    expect(served(planAllocation(requests, available))).toEqual(expected);
  });

  it('when a pass is planned, then no laptop is given twice and no request served twice', () => {
    const requests = Array.from({ length: 50 }, (_, i) => req(`R${i}`, { site: i % 3 === 0 ? 'Orléans' : null }));
    const available = Array.from({ length: 30 }, (_, i) =>
      laptop(`L${i}`, `2026-10-${String((i % 28) + 1).padStart(2, '0')}T00:00:00.000Z`, i % 2 ? 'Orléans' : null),
    );
    const plan = planAllocation(requests, available);
    expect(plan).toHaveLength(30);
    expect(new Set(plan.map((p) => p.serialNumber)).size).toBe(30);
    expect(new Set(plan.map((p) => p.request.onboardingId)).size).toBe(30);
  });
});
