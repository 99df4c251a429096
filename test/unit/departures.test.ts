import {
  createHandleDeparture,
  createScheduleDeparture,
  DEPARTURE_HOP_MS,
  departureDueAt,
} from '../../shared/app/departures/departures';
import { decide } from '../../shared/domain/decide';
import type { LaptopPool } from '../../shared/ports/laptop-pool';
import type { OutgoingMessage } from '../../shared/ports/message-bus';
import type { OnboardingStore } from '../../shared/ports/onboarding-store';
import type { Onboarding } from '../../shared/schemas/onboarding';
import type { OnboardingWriter } from '../../shared/app/onboarding/onboarding-writer';
import { approvedOnboarding } from '../support/factories';

// The end of a leaver's last day, as a scheduled message (hops of at most 30 days), and what it does.

const LAST_DAY = '2027-06-30';
const DUE = departureDueAt(LAST_DAY);

function leaving(): Onboarding {
  let o = approvedOnboarding();
  for (const step of ['laptop', 'vpn', 'officeLicense'] as const) {
    o = decide(o, {
      type: 'step-succeeded',
      at: '2027-01-01T00:00:00Z',
      step,
      ...(step === 'laptop' ? { serialNumber: 'PC-9' } : {}),
    }).state;
  }
  return decide(o, { type: 'left', eventId: 'l1', at: '2027-01-02T00:00:00Z', lastDay: LAST_DAY, dueAt: DUE }).state;
}

function scheduler(now: string) {
  const sent: OutgoingMessage[] = [];
  const schedule = createScheduleDeparture(
    {
      send: (_queue, messages) => {
        sent.push(...messages);
        return Promise.resolve();
      },
    },
    { now: () => new Date(now) },
  );
  return { schedule, sent };
}

describe('scheduling a departure', () => {
  it('when the last day ends within 30 days, then one message at the end of it (midnight in Paris), named by onboarding, day and instant', async () => {
    const { schedule, sent } = scheduler('2027-06-10T12:00:00Z');
    const o = leaving();
    await schedule(o);
    expect(DUE).toBe('2027-06-30T22:00:00.000Z');
    expect(sent).toEqual([
      expect.objectContaining({
        messageId: `departure/${o.id}/${LAST_DAY}/${DUE}`,
        body: { onboardingId: o.id, lastDay: LAST_DAY },
        scheduledEnqueueTime: new Date(DUE),
      }),
    ]);
  });

  it('when it ends further away, then the first hop is within 30 days and lands on a whole number of hops before it; the same instant for every re-send of that hop', async () => {
    const o = leaving();
    const a = scheduler('2027-01-02T00:00:00Z');
    const b = scheduler('2027-01-02T06:00:00Z');
    await a.schedule(o);
    await b.schedule(o);
    const at = a.sent[0]?.scheduledEnqueueTime?.getTime() ?? 0;
    expect(at).toBeGreaterThan(Date.parse('2027-01-02T00:00:00Z'));
    expect(at).toBeLessThanOrEqual(Date.parse('2027-01-02T00:00:00Z') + DEPARTURE_HOP_MS);
    expect((Date.parse(DUE) - at) % DEPARTURE_HOP_MS).toBe(0);
    expect(b.sent[0]?.messageId).toBe(a.sent[0]?.messageId);
  });

  it('when the onboarding is not leaving, or its access is already removed, then nothing is scheduled', async () => {
    const { schedule, sent } = scheduler('2027-06-10T12:00:00Z');
    await schedule(approvedOnboarding());
    await schedule(decide(leaving(), { type: 'departure-due', at: DUE, lastDay: LAST_DAY }).state);
    expect(sent).toEqual([]);
  });
});

describe('a departure message', () => {
  function harness(now: string, stored: Onboarding | null) {
    const calls: string[] = [];
    const handle = createHandleDeparture({
      store: { get: () => Promise.resolve(stored && { value: stored, etag: 'e' }) } as unknown as OnboardingStore,
      writer: {
        apply: (_id, eventFor) => {
          const event = stored && eventFor(stored);
          calls.push(`apply ${event?.type ?? 'none'}`);
          return Promise.resolve(stored && event ? decide(stored, { ...event, at: now }).state : stored);
        },
      } as OnboardingWriter,
      laptops: {
        markToReturn: (serial: string, id: string) => {
          calls.push(`to-return ${serial} ${id}`);
          return Promise.resolve(true);
        },
      } as unknown as LaptopPool,
      clock: { now: () => new Date(now) },
      scheduleDeparture: (o) => {
        calls.push(`schedule ${o.id}`);
        return Promise.resolve();
      },
    });
    return { handle, calls };
  }

  it('when the last day has ended, then access is removed and the laptop marked to return', async () => {
    const o = leaving();
    const h = harness('2027-06-30T22:00:01Z', o);
    const after = await h.handle({ onboardingId: o.id, lastDay: LAST_DAY });
    expect(after?.steps.laptop.status).toBe('returning');
    expect(h.calls).toEqual(['apply departure-due', `to-return PC-9 ${o.id}`]);
  });

  it('when it comes before the end of the day (a hop), then the next hop is scheduled and nothing removed', async () => {
    const o = leaving();
    const h = harness('2027-06-30T21:59:00Z', o);
    expect((await h.handle({ onboardingId: o.id, lastDay: LAST_DAY }))?.status).toBe('leaving');
    expect(h.calls).toEqual([`schedule ${o.id}`]);
  });

  it("when the day's own message comes a little early (another instance's clock), then it applies: scheduled again for the same instant it would be dropped as a duplicate", async () => {
    const o = leaving();
    const h = harness('2027-06-30T21:59:57Z', o); // 3 s before midnight in Paris, within the 5 s tolerance
    expect((await h.handle({ onboardingId: o.id, lastDay: LAST_DAY }))?.steps.laptop.status).toBe('returning');
    expect(h.calls).toEqual(['apply departure-due', `to-return PC-9 ${o.id}`]);
  });

  it('when it is for another last day, or already applied, then nothing but the laptop mark again', async () => {
    const o = leaving();
    expect(
      (await harness('2027-07-30T00:00:00Z', o).handle({ onboardingId: o.id, lastDay: '2027-05-31' }))?.departure,
    ).toMatchObject({ lastDay: LAST_DAY });
    const done = decide(o, { type: 'departure-due', at: DUE, lastDay: LAST_DAY }).state;
    const h = harness('2027-07-30T00:00:00Z', done);
    await h.handle({ onboardingId: o.id, lastDay: LAST_DAY });
    expect(h.calls).toEqual([`to-return PC-9 ${o.id}`]);
    expect(await harness('2027-07-30T00:00:00Z', null).handle({ onboardingId: 'X.1', lastDay: LAST_DAY })).toBeNull();
  });
});
