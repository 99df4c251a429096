import { createIntake, LOOK_AGAIN_SECONDS } from '../../shared/app/intake/intake';
import type { HrEventOutcome } from '../../shared/app/onboarding/handle-hr-event';
import { QUEUES } from '../../shared/app/queues';
import type { OutgoingMessage } from '../../shared/ports/message-bus';
import { hrEventSchema, type HrEvent } from '../../shared/schemas/hr-events';
import { buildCancelJson, buildHireJson } from '../support/factories';

// HR's events taken in and applied (contract: "HR events"): queued as they come, and one that overtakes the
// hire it is about looked at again a minute later, five times, then set aside with why.

const NOW = new Date('2026-12-01T10:00:00.000Z');
const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function harness(outcome: HrEventOutcome) {
  const sent: { queue: string; message: OutgoingMessage }[] = [];
  const applied: [string, string | undefined][] = [];
  const intake = createIntake({
    bus: {
      send: (queue, messages) => {
        sent.push(...messages.map((message) => ({ queue, message })));
        return Promise.resolve();
      },
    },
    clock: { now: () => NOW },
    handleHrEvent: (event, traceparent) => {
      applied.push([event.eventId, traceparent]);
      return Promise.resolve(outcome);
    },
    imports: {
      importHires: () => Promise.reject(new Error('not here')),
      importEquipmentRequests: () => Promise.reject(new Error('not here')),
    },
  });
  return { intake, sent, applied };
}

const cancel: HrEvent = hrEventSchema.parse(buildCancelJson('E10042', 'early-cancel'));

describe('taking in an HR event', () => {
  it('when it is accepted, then it is queued on hr-events under its event id (the same event twice is one), with its trace', async () => {
    const h = harness({ outcome: 'no-onboarding' });
    const hire = hrEventSchema.parse(buildHireJson({ eventId: 'ev-1' }));
    await h.intake.accept(hire, TRACE);
    expect(h.sent).toEqual([
      {
        queue: QUEUES.hrEvents,
        message: expect.objectContaining({
          messageId: 'ev-1',
          body: hire,
          applicationProperties: { traceparent: TRACE },
        }) as unknown,
      },
    ]);
  });

  it('when it applies, then the outcome is answered as it is, the trace passed on', async () => {
    for (const outcome of [
      { outcome: 'created', onboardingId: 'E1.1' },
      { outcome: 'applied', onboardingId: 'E1.1' },
      { outcome: 'duplicate', onboardingId: 'E1.1' },
    ] as const) {
      const h = harness(outcome);
      expect(await h.intake.handle(cancel, { traceparent: TRACE, looks: 0 })).toEqual(outcome);
      expect(h.applied).toEqual([['early-cancel', TRACE]]);
      expect(h.sent).toEqual([]);
    }
  });

  it('when a mover is not known, then it is given up at once as an unknown employee, with why', async () => {
    const h = harness({ outcome: 'unknown-employee', reason: 'no onboarding of E10042' });
    expect(await h.intake.handle(cancel, { looks: 0 })).toEqual({
      outcome: 'gave-up',
      code: 'UnknownEmployee',
      reason: 'no onboarding of E10042',
    });
    expect(h.sent).toEqual([]);
  });
});

describe('an HR event that finds no onboarding yet', () => {
  it('when it is its first look, then it is looked at again a minute later, as a message of its own that counts the looks and keeps the trace', async () => {
    const h = harness({ outcome: 'no-onboarding' });
    expect(await h.intake.handle(cancel, { traceparent: TRACE, looks: 0 })).toEqual({ outcome: 'deferred', look: 1 });
    expect(h.sent).toEqual([
      {
        queue: QUEUES.hrEvents,
        message: {
          messageId: 'early-cancel/deferred/1',
          body: cancel,
          subject: 'employee.hire-cancelled',
          contentType: 'application/json',
          scheduledEnqueueTime: new Date(NOW.getTime() + LOOK_AGAIN_SECONDS * 1000),
          applicationProperties: { deferCount: 1, traceparent: TRACE },
        },
      },
    ]);
  });

  it('when it has been looked at fewer than five times, then once more; without a trace, none is made up', async () => {
    const h = harness({ outcome: 'no-onboarding' });
    expect(await h.intake.handle(cancel, { looks: 4 })).toEqual({ outcome: 'deferred', look: 5 });
    expect(h.sent[0]?.message).toMatchObject({
      messageId: 'early-cancel/deferred/5',
      applicationProperties: { deferCount: 5 },
    });
    expect(h.sent[0]?.message.applicationProperties).not.toHaveProperty('traceparent');
  });

  it('when it was looked at five times, then it is given up, saying for how long it was looked for', async () => {
    const h = harness({ outcome: 'no-onboarding' });
    expect(await h.intake.handle(cancel, { looks: 5 })).toEqual({
      outcome: 'gave-up',
      code: 'NoOnboardingForEmployee',
      reason: 'employee.hire-cancelled early-cancel: no onboarding for employee E10042 after 5 looks over 5 minutes',
    });
    expect(h.sent).toEqual([]);
  });
});
