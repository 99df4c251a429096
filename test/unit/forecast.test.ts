import { forecast, type ForecastInput, type WaitingOnboarding } from '../../shared/domain/forecast';
import { dayInParis, endOfDayInParis, startOfDayInParis } from '../../shared/domain/paris-time';

// Who gets equipped when (contract: "Forecast"): the line in service order (continuity, earliest start date,
// earliest approval), each unit of stock to the next in line on the day it comes.

const TODAY = '2027-01-10';

function waiting(id: string, o: Partial<WaitingOnboarding> = {}): WaitingOnboarding {
  return {
    onboardingId: id,
    priority: 'standard',
    startDate: '2027-02-01',
    approvedAt: '2027-01-05T09:00:00Z',
    waitingFor: ['laptop'],
    ...o,
  };
}

const input = (o: Partial<ForecastInput>): ForecastInput => ({
  asOf: TODAY,
  laptopsAvailable: 0,
  laptopsExpected: [],
  seatsFree: 0,
  seatsExpected: [],
  waiting: [],
  ...o,
});

/** [id, position, expectedBy] of each entry. */
const lineOf = (i: ForecastInput) => forecast(i).waiting.map((w) => [w.onboardingId, w.position, w.expectedBy]);

describe('the forecast', () => {
  it.each([
    {
      name: 'stock now serves the first in line today, the rest wait for nothing',
      given: { laptopsAvailable: 1, waiting: [waiting('a'), waiting('b')] },
      line: [
        ['a', 1, TODAY],
        ['b', 2, null],
      ],
    },
    {
      name: 'deliveries serve the line in order, on their day; more waiting than expected: null',
      given: {
        laptopsExpected: [
          { on: '2027-01-20', count: 1 },
          { on: '2027-01-12', count: 2 },
        ],
        waiting: [waiting('a'), waiting('b'), waiting('c'), waiting('d')],
      },
      line: [
        ['a', 1, '2027-01-12'],
        ['b', 2, '2027-01-12'],
        ['c', 3, '2027-01-20'],
        ['d', 4, null],
      ],
    },
    {
      name: 'continuity first, whatever its start date; then the earliest start date',
      given: {
        laptopsAvailable: 1,
        laptopsExpected: [{ on: '2027-01-15', count: 2 }],
        waiting: [
          waiting('late-standard', { startDate: '2027-03-01' }),
          waiting('early-standard', { startDate: '2027-01-15' }),
          waiting('pca', { priority: 'continuity', startDate: '2027-06-01' }),
        ],
      },
      line: [
        ['pca', 1, TODAY],
        ['early-standard', 2, '2027-01-15'],
        ['late-standard', 3, '2027-01-15'],
      ],
    },
    {
      name: 'ties of start date go to the earliest approval, then the id',
      given: {
        laptopsAvailable: 2,
        waiting: [
          waiting('z', { approvedAt: '2027-01-06T09:00:00Z' }),
          waiting('y', { approvedAt: '2027-01-07T09:00:00Z' }),
          waiting('x', { approvedAt: '2027-01-06T09:00:00Z' }),
        ],
      },
      line: [
        ['x', 1, TODAY],
        ['z', 2, TODAY],
        ['y', 3, null],
      ],
    },
    {
      name: 'a delivery already late counts as today; one who holds a reserved laptop takes none of the line',
      given: {
        laptopsExpected: [{ on: '2027-01-02', count: 1 }],
        waiting: [waiting('holder', { priority: 'continuity', holdsLaptop: true }), waiting('next')],
      },
      line: [
        ['holder', 1, TODAY],
        ['next', 2, TODAY],
      ],
    },
    {
      name: 'seats: free now, then those leavers free; someone waiting for both gets the later day',
      given: {
        laptopsAvailable: 2,
        seatsFree: 1,
        seatsExpected: [{ on: '2027-01-31', count: 1 }],
        waiting: [
          waiting('both', { waitingFor: ['laptop', 'officeLicense'] }),
          waiting('seat', { waitingFor: ['officeLicense'], startDate: '2027-02-02' }),
          waiting('laptop-only', { startDate: '2027-02-03' }),
          waiting('no-seat-left', { waitingFor: ['officeLicense'], startDate: '2027-02-04' }),
        ],
      },
      line: [
        ['both', 1, TODAY],
        ['seat', 2, '2027-01-31'],
        ['laptop-only', 3, TODAY],
        ['no-seat-left', 4, null],
      ],
    },
    {
      name: 'a laptop there but no seat: not equipped before the seat comes',
      given: {
        laptopsAvailable: 1,
        seatsExpected: [{ on: '2027-02-01', count: 1 }],
        waiting: [waiting('a', { waitingFor: ['laptop', 'officeLicense'] })],
      },
      line: [['a', 1, '2027-02-01']],
    },
  ])('when $name', ({ given, line }) => {
    expect(lineOf(input(given))).toEqual(line);
  });

  it('when the same days come from several sources, then the stock says them once per day, earliest first', () => {
    const f = forecast(
      input({
        laptopsAvailable: 3,
        laptopsExpected: [
          { on: '2027-01-20', count: 2 },
          { on: '2027-01-12', count: 1 },
          { on: '2027-01-20', count: 1 },
          { on: '2027-01-01', count: 4 },
        ],
        seatsFree: 7,
      }),
    );
    expect(f).toEqual({
      asOf: TODAY,
      laptops: {
        available: 3,
        expected: [
          { on: TODAY, count: 4 },
          { on: '2027-01-12', count: 1 },
          { on: '2027-01-20', count: 3 },
        ],
      },
      seats: { free: 7 },
      waiting: [],
      shortfall: { laptops: 0, bySite: [] },
    });
  });

  it('when more wait for a laptop than is there and expected, then the shortfall says how many, and by site against what each has', () => {
    const w = (id: string, site: string | null) => ({
      onboardingId: id,
      priority: 'standard' as const,
      startDate: '2027-01-15',
      approvedAt: '2027-01-01T08:00:00.000Z',
      waitingFor: ['laptop' as const],
      site,
    });
    const f = forecast(
      input({
        laptopsAvailable: 1,
        laptopsExpected: [{ on: '2027-01-20', count: 1 }],
        waiting: [w('a', 'Chartres'), w('b', 'Chartres'), w('c', 'Orléans'), w('d', 'Orléans')],
        availableBySite: [['Orléans', 1]],
      }),
    );
    expect(f.shortfall).toEqual({
      laptops: 2,
      bySite: [
        { site: 'Chartres', waiting: 2, available: 0, missing: 2 },
        { site: 'Orléans', waiting: 2, available: 1, missing: 1 },
      ],
    });
    // The last two have nothing expected for them: late; the first by its day is not.
    expect(f.waiting.map((e) => [e.onboardingId, e.expectedBy, e.late])).toEqual([
      ['a', TODAY, false],
      ['b', '2027-01-20', true],
      ['c', null, true],
      ['d', null, true],
    ]);
  });
});

describe('the line as people read it (issue 19, 21)', () => {
  it('when entries carry who and where, then each says its name, site, kind and missing accessories, and only those it has', () => {
    const f = forecast(
      input({
        laptopsAvailable: 1,
        accessoriesAvailable: { headset: 1 },
        waiting: [
          waiting('a', { displayName: 'Hélène Lefèvre', site: 'Tours', kind: 'equipment' }),
          waiting('b', { waitingFor: ['accessories'], accessoryKinds: ['headset', 'webcam'], site: null }),
          waiting('c', { waitingFor: ['accessories'], accessoryKinds: [] }),
        ],
      }),
    );
    expect(f.waiting.map(({ position: _p, ...e }) => e)).toEqual([
      {
        onboardingId: 'a',
        priority: 'standard',
        startDate: '2027-02-01',
        waitingFor: ['laptop'],
        expectedBy: TODAY,
        late: false,
        displayName: 'Hélène Lefèvre',
        site: 'Tours',
        kind: 'equipment',
      },
      // The headset today, the webcam not before some come in: nothing expected, late.
      {
        onboardingId: 'b',
        priority: 'standard',
        startDate: '2027-02-01',
        waitingFor: ['accessories'],
        expectedBy: null,
        late: true,
        site: null,
        accessoryKinds: ['headset', 'webcam'],
      },
      // No kind left to wait for: equipped today, and no empty list said.
      {
        onboardingId: 'c',
        priority: 'standard',
        startDate: '2027-02-01',
        waitingFor: ['accessories'],
        expectedBy: TODAY,
        late: false,
      },
    ]);
  });

  it('when a kind of accessory is in stock, then one goes to each in line until none is left, the next waits', () => {
    const f = forecast(
      input({
        accessoriesAvailable: { headset: 2, webcam: -1 },
        waiting: ['a', 'b', 'c'].map((id) => waiting(id, { waitingFor: ['accessories'], accessoryKinds: ['headset'] })),
      }),
    );
    expect(f.waiting.map((e) => [e.onboardingId, e.expectedBy])).toEqual([
      ['a', TODAY],
      ['b', TODAY],
      ['c', null],
    ]);
    // A negative count is none: the webcam's line waits.
    const cams = forecast(
      input({
        accessoriesAvailable: { webcam: -1 },
        waiting: [waiting('d', { waitingFor: ['accessories'], accessoryKinds: ['webcam'] })],
      }),
    );
    expect(cams.waiting[0]?.expectedBy).toBeNull();
  });

  it('when an agent needs two things, then it is equipped by the later of their days; on its start date it is not late, a day after it is', () => {
    const f = forecast(
      input({
        laptopsExpected: [{ on: '2027-01-20', count: 1 }],
        seatsFree: 2,
        waiting: [
          waiting('a', { waitingFor: ['officeLicense', 'laptop'], startDate: '2027-01-20' }),
          waiting('b', { waitingFor: ['officeLicense'], startDate: TODAY }),
        ],
      }),
    );
    // b first (the earlier start date): its seat today, on its day; a's seat today and its laptop on the 20th.
    expect(f.waiting.map((e) => [e.onboardingId, e.expectedBy, e.late])).toEqual([
      ['b', TODAY, false],
      ['a', '2027-01-20', false],
    ]);
    const dayLate = forecast(
      input({
        laptopsExpected: [{ on: '2027-01-21', count: 1 }],
        waiting: [waiting('a', { startDate: '2027-01-20' })],
      }),
    );
    expect(dayLate.waiting[0]).toMatchObject({ expectedBy: '2027-01-21', late: true });
  });

  it('when deliveries are announced for a past day, for today or with no laptop, then past days count as today, an empty one not at all, and the last day of the list still serves', () => {
    const f = forecast(
      input({
        laptopsExpected: [
          { on: '2027-01-02', count: 1 },
          { on: TODAY, count: 1 },
          { on: '2027-01-12', count: 0 },
          { on: '2027-01-15', count: 1 },
        ],
        waiting: ['a', 'b', 'c', 'd'].map((id) => waiting(id)),
      }),
    );
    expect(f.laptops.expected).toEqual([
      { on: TODAY, count: 2 },
      { on: '2027-01-15', count: 1 },
    ]);
    expect(f.waiting.map((e) => e.expectedBy)).toEqual([TODAY, TODAY, '2027-01-15', null]);
  });

  it('when sites wait for laptops, then the shortfall is said by site, the most short first (then by name), without sites where no one waits, and those holding a laptop or needing none are not counted', () => {
    const f = forecast(
      input({
        laptopsAvailable: 2,
        availableBySite: [
          ['Tours', 1],
          ['Blois', 1],
          ['Chartres', 4],
        ],
        waiting: [
          waiting('t1', { site: 'Tours' }),
          waiting('t2', { site: 'Tours' }),
          waiting('t3', { site: 'Tours' }),
          waiting('b1', { site: 'Blois' }),
          waiting('b2', { site: 'Blois' }),
          waiting('o1', { site: 'Orléans' }),
          waiting('o2', { site: 'Orléans', holdsLaptop: true }),
          waiting('o3', { site: 'Orléans', waitingFor: ['officeLicense'] }),
          waiting('n1', {}),
        ],
      }),
    );
    expect(f.shortfall.bySite).toEqual([
      { site: 'Tours', waiting: 3, available: 1, missing: 2 },
      { site: null, waiting: 1, available: 0, missing: 1 },
      { site: 'Blois', waiting: 2, available: 1, missing: 1 },
      { site: 'Orléans', waiting: 1, available: 0, missing: 1 },
    ]);
    // Seven need a laptop (o2 holds one, o3 needs none), two are in stock, none expected.
    expect(f.shortfall.laptops).toBe(5);
  });
});

describe('days in Europe/Paris', () => {
  it.each([
    ['winter (UTC+1)', '2027-01-15', '2027-01-15T23:00:00.000Z'],
    ['summer (UTC+2)', '2027-06-30', '2027-06-30T22:00:00.000Z'],
    ['the day before the clocks go forward', '2027-03-27', '2027-03-27T23:00:00.000Z'],
    ['the day the clocks go forward (23 hours)', '2027-03-28', '2027-03-28T22:00:00.000Z'],
    ['the day the clocks go back (25 hours)', '2027-10-31', '2027-10-31T23:00:00.000Z'],
    ['the last day of the year', '2026-12-31', '2026-12-31T23:00:00.000Z'],
  ])('when a last day is in %s, then it ends at midnight in Paris', (_, day, end) => {
    expect(endOfDayInParis(day).toISOString()).toBe(end);
  });

  it('when it is 23:30 UTC in winter, then it is already the next day in Paris', () => {
    expect(dayInParis(new Date('2026-11-29T23:30:00Z'))).toBe('2026-11-30');
    expect(dayInParis(new Date('2026-11-29T22:59:59Z'))).toBe('2026-11-29');
    expect(startOfDayInParis('2026-11-30').toISOString()).toBe('2026-11-29T23:00:00.000Z');
  });
});
