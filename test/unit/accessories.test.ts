import { planAccessories, type AccessoryShelf } from '../../shared/domain/accessory-allocation';
import { decide, type OnboardingEvent } from '../../shared/domain/decide';
import { forecast } from '../../shared/domain/forecast';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { accessoryRequest, approvedOnboarding, buildOnboarding } from '../support/factories';

// Accessories (contract: "Accessories"): the pass's plan in the order of the line, the step's life with the
// onboarding's (a cancellation puts back, a leaver's come back with the laptop or, with none, at the end of
// the last day), and the forecast's line.

const T0 = '2027-03-01T09:00:00.000Z';
const AFTER = '2027-03-13T00:00:01.000Z';

const request = accessoryRequest;
const shelf = (kind: string, site: string | null, available: number, holders: string[] = []): AccessoryShelf => ({
  id: `accessory:${kind}:${site ?? ''}`,
  kind,
  site,
  available,
  holders,
});

describe('the accessory pass, planned', () => {
  it('when fewer are in stock than are waiting, then continuity goes first, then the earlier start date, then the earlier approval', () => {
    const line = [
      request('S1.1', { startDate: '2027-01-04', approvedAt: '2026-12-01T08:00:00.000Z' }),
      request('S2.1', { startDate: '2027-01-04', approvedAt: '2026-12-01T07:00:00.000Z' }),
      request('C1.1', { priority: 'continuity', startDate: '2027-02-01' }),
      request('S3.1', { startDate: '2027-01-03' }),
    ];
    expect([...planAccessories(line, [shelf('headset', null, 3)])]).toEqual([
      ['accessory:headset:', ['C1.1', 'S3.1', 'S2.1']],
    ]);
  });

  it("when an agent's site has the kind, then it comes from there; else from the DSI's own, else from the site with the most", () => {
    const shelves = [shelf('webcam', 'Blois', 1), shelf('webcam', 'Tours', 5), shelf('webcam', null, 1)];
    const plan = planAccessories(
      [
        request('A.1', { site: 'Blois', kinds: ['webcam'] }),
        request('B.1', { site: 'Blois', kinds: ['webcam'] }),
        request('C.1', { site: 'Chartres', kinds: ['webcam'] }),
      ],
      shelves,
    );
    expect(Object.fromEntries(plan)).toEqual({
      'accessory:webcam:Blois': ['A.1'],
      'accessory:webcam:': ['B.1'],
      'accessory:webcam:Tours': ['C.1'],
    });
  });

  it("when the agent's site has none, then the DSI's own comes before a site with more; among other sites the one with most, then by name", () => {
    const dsiFirst = planAccessories(
      [request('A.1', { site: 'Chartres', kinds: ['webcam'] })],
      [shelf('webcam', 'Tours', 5), shelf('webcam', null, 1)],
    );
    expect(Object.fromEntries(dsiFirst)).toEqual({ 'accessory:webcam:': ['A.1'] });
    const most = planAccessories(
      [request('A.1', { site: 'Chartres', kinds: ['webcam'] })],
      [shelf('webcam', 'Blois', 2), shelf('webcam', 'Tours', 3)],
    );
    expect(Object.fromEntries(most)).toEqual({ 'accessory:webcam:Tours': ['A.1'] });
    const byName = planAccessories(
      [request('A.1', { site: null, kinds: ['webcam'] }), request('B.1', { site: null, kinds: ['webcam'] })],
      [shelf('webcam', 'Tours', 1), shelf('webcam', 'Blois', 1)],
    );
    expect(Object.fromEntries(byName)).toEqual({
      'accessory:webcam:Blois': ['A.1'],
      'accessory:webcam:Tours': ['B.1'],
    });
  });

  it('when a kind is out, then the others are still set aside; a kind already held is not taken twice', () => {
    const plan = planAccessories(
      [request('A.1', { kinds: ['headset', 'webcam', 'dock'] })],
      [shelf('headset', null, 2, ['A.1']), shelf('webcam', null, 0), shelf('dock', 'Tours', 1)],
    );
    expect(Object.fromEntries(plan)).toEqual({ 'accessory:dock:Tours': ['A.1'] });
  });
});

const apply = (o: Onboarding, ...events: OnboardingEvent[]) => events.reduce((state, e) => decide(state, e).state, o);
const withHeadset = (needs: { laptop: boolean }) =>
  approvedOnboarding(
    buildOnboarding({ needs: { laptop: needs.laptop, vpn: false, officeLicense: false, accessories: ['headset'] } }),
  );
const given: OnboardingEvent = {
  type: 'step-succeeded',
  at: T0,
  step: 'accessories',
  items: [{ kind: 'headset', status: 'given' }],
};

describe('the accessories step', () => {
  it('when approved, then it runs (it takes no place in line by itself: its run asks the pass), and its items are kept as it waits and when done', () => {
    const o = withHeadset({ laptop: false });
    expect(o.steps.accessories.status).toBe('pending');
    const waiting = decide(o, {
      type: 'step-waiting',
      at: T0,
      step: 'accessories',
      detail: 'in line for: headset',
      items: [{ kind: 'headset', status: 'waiting' }],
    }).state;
    expect(waiting.steps.accessories).toMatchObject({
      status: 'waiting',
      items: [{ kind: 'headset', status: 'waiting' }],
    });
    const done = decide(waiting, given).state;
    expect(done.status).toBe('completed');
    expect(done.steps.accessories).toMatchObject({ status: 'done', items: [{ kind: 'headset', status: 'given' }] });
  });

  it('when cancelled while waiting or done, then its undo is commanded (what it holds goes back)', () => {
    const waiting = apply(withHeadset({ laptop: false }), {
      type: 'step-waiting',
      at: T0,
      step: 'accessories',
      detail: 'in line for: headset',
    });
    const cancelled = decide(waiting, { type: 'hire-cancelled', eventId: 'c1', at: T0 });
    expect(cancelled.commands.map((c) => [c.type, c.step])).toEqual([['revert-step', 'accessories']]);
    const withLaptop = apply(withHeadset({ laptop: true }), given);
    const undo = decide(withLaptop, { type: 'hire-cancelled', eventId: 'c2', at: T0 });
    expect(undo.commands.map((c) => [c.type, c.step])).toContainEqual(['revert-step', 'accessories']);
  });

  it("when a leaver's last day ends, then the headset comes back with the laptop; with no laptop, it is taken back then", () => {
    const leave = (o: Onboarding) =>
      apply(o, { type: 'left', eventId: 'l', at: T0, lastDay: '2027-03-12', dueAt: '2027-03-12T23:00:00.000Z' });
    const due: OnboardingEvent = { type: 'departure-due', at: AFTER, lastDay: '2027-03-12' };
    const laptopToo = leave(
      apply(withHeadset({ laptop: true }), given, {
        type: 'step-succeeded',
        at: T0,
        step: 'laptop',
        serialNumber: 'PC-1',
      }),
    );
    const withIt = decide(laptopToo, due);
    expect(withIt.commands).toEqual([]);
    expect(withIt.state.steps.accessories.status).toBe('returning');
    const back = decide(withIt.state, {
      type: 'laptop-returned',
      at: AFTER,
      by: { name: 'stock@example.org' },
      serialNumber: 'PC-1',
      condition: 'ok',
    }).state;
    expect([back.steps.accessories.status, back.status]).toEqual(['reverted', 'left']);

    const alone = decide(leave(apply(withHeadset({ laptop: false }), given)), due);
    expect(alone.commands.map((c) => [c.type, c.step])).toEqual([['revert-step', 'accessories']]);
    const gone = decide(alone.state, { type: 'step-reverted', at: AFTER, step: 'accessories' }).state;
    expect(gone.status).toBe('left');
  });
});

describe('the forecast of accessories', () => {
  it('when some wait for a kind, then those the stock covers in the line are expected today, the others not before more come', () => {
    const f = forecast({
      asOf: '2026-12-01',
      laptopsAvailable: 0,
      laptopsExpected: [],
      seatsFree: 0,
      seatsExpected: [],
      accessoriesAvailable: { headset: 1 },
      waiting: [
        {
          onboardingId: 'S.1',
          priority: 'standard',
          startDate: '2026-12-07',
          approvedAt: 'a',
          waitingFor: ['accessories'],
          accessoryKinds: ['headset'],
        },
        {
          onboardingId: 'C.1',
          priority: 'continuity',
          startDate: '2026-12-14',
          approvedAt: 'b',
          waitingFor: ['accessories'],
          accessoryKinds: ['headset', 'webcam'],
        },
        {
          onboardingId: 'T.1',
          priority: 'standard',
          startDate: '2026-12-09',
          approvedAt: 'c',
          waitingFor: ['accessories'],
          accessoryKinds: [],
        },
      ],
    });
    expect(f.waiting.map((w) => [w.onboardingId, w.expectedBy])).toEqual([
      ['C.1', null],
      ['S.1', null],
      ['T.1', '2026-12-01'],
    ]);
  });
});
