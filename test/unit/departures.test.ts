import {
  createConfirmDepartures,
  createHandleDeparture,
  createScheduleDeparture,
  DEPARTURE_HOP_MS,
  departureDueAt,
} from '../../shared/app/departures/departures';
import { decide } from '../../shared/domain/decide';
import { DomainError, ErrorCodes } from '../../shared/domain/errors';
import type { LaptopPool } from '../../shared/ports/laptop-pool';
import type { OutgoingMessage } from '../../shared/ports/message-bus';
import type { OnboardingStore } from '../../shared/ports/onboarding-store';
import type { Onboarding } from '../../shared/schemas/onboarding';
import type { OnboardingWriter } from '../../shared/app/onboarding/onboarding-writer';
import { APPROVER, approvedOnboarding } from '../support/factories';
import { memoryOnboardings } from '../support/memory-onboardings';

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

describe('a departure held by the guard', () => {
  /** A leaver whose departure the guard held (as decide-lifecycle's tables make it). */
  const heldLeaver = () => {
    const o = leaving();
    o.departure = { lastDay: LAST_DAY, dueAt: DUE, held: true };
    return o;
  };

  it('when it is held, then the end of its last day is not scheduled until a person confirms it', async () => {
    const { schedule, sent } = scheduler('2027-06-10T12:00:00Z');
    await schedule(heldLeaver());
    expect(sent).toEqual([]);
  });

  function confirmer(...stored: Onboarding[]) {
    const onboardings = memoryOnboardings({ now: () => new Date('2027-06-10T12:00:00Z') }, ...stored);
    const scheduled: string[] = [];
    const confirm = createConfirmDepartures({
      writer: onboardings.writer,
      clock: { now: () => new Date('2027-06-10T12:00:00Z') },
      scheduleDeparture: (o) => {
        scheduled.push(`${o.id} ${o.departure?.held ? 'held' : 'confirmed'}`);
        return Promise.resolve();
      },
    });
    return { confirm, scheduled, onboardings };
  }

  it('when a person confirms held departures, then each runs as usual from then on (the end of its last day scheduled), in the order asked; one unknown or not held is told so and never fails the others', async () => {
    const a = heldLeaver();
    const notHeld = { ...leaving(), id: 'E2.1', employeeId: 'E2' };
    const b = { ...heldLeaver(), id: 'E3.1', employeeId: 'E3' };
    const h = confirmer(a, notHeld, b);
    const outcomes = await h.confirm([a.id, 'UNKNOWN.1', notHeld.id, b.id], APPROVER);
    expect(outcomes.map((o) => [o.onboardingId, o.ok])).toEqual([
      [a.id, true],
      ['UNKNOWN.1', false],
      [notHeld.id, false],
      [b.id, true],
    ]);
    expect(h.scheduled).toEqual([`${a.id} confirmed`, `${b.id} confirmed`]);
    const [first, unknown, refused] = outcomes;
    expect(first?.ok && first.onboarding.departure).toEqual({ lastDay: LAST_DAY, dueAt: DUE });
    expect(!unknown?.ok && unknown?.error).toEqual(new DomainError(ErrorCodes.notFound, 'no onboarding UNKNOWN.1'));
    expect(!refused?.ok && refused?.error).toMatchObject({ code: ErrorCodes.illegalTransition });
    expect(h.onboardings.stored(a.id).history.at(-1)).toMatchObject({
      type: 'departure.confirmed',
      actor: APPROVER.name,
      actorId: APPROVER.id,
    });
  });
});

describe('the messages of a departure', () => {
  it('when the onboarding has a trace, then its departure message continues it; the message says what it is about', async () => {
    const { schedule, sent } = scheduler('2027-06-10T12:00:00Z');
    const o = { ...leaving(), traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    await schedule(o);
    expect(sent[0]).toMatchObject({
      subject: 'departure',
      contentType: 'application/json',
      correlationId: o.id,
      applicationProperties: { traceparent: o.traceparent },
    });
    const plain = scheduler('2027-06-10T12:00:00Z');
    await plain.schedule(leaving());
    expect(plain.sent[0]).not.toHaveProperty('applicationProperties');
  });

  it('when the last day is already past, then the message is due at once (its end), not a hop before it', async () => {
    const { schedule, sent } = scheduler('2027-07-15T12:00:00Z');
    await schedule(leaving());
    expect(sent[0]?.scheduledEnqueueTime).toEqual(new Date(DUE));
  });

  it('when the message is for an onboarding no longer leaving, then nothing is done', async () => {
    const o = { ...leaving(), status: 'left' as const };
    const calls: string[] = [];
    const handle = createHandleDeparture({
      store: { get: () => Promise.resolve({ value: o, etag: 'e' }) } as unknown as OnboardingStore,
      writer: {
        apply: () => {
          calls.push('apply');
          return Promise.resolve(o);
        },
      } as unknown as OnboardingWriter,
      laptops: {
        markToReturn: () => {
          calls.push('to-return');
          return Promise.resolve(true);
        },
      } as unknown as LaptopPool,
      clock: { now: () => new Date('2027-07-30T00:00:00Z') },
      scheduleDeparture: () => {
        calls.push('schedule');
        return Promise.resolve();
      },
    });
    expect(await handle({ onboardingId: o.id, lastDay: LAST_DAY })).toEqual(o);
    expect(calls).toEqual([]);
  });
});
