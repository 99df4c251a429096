import type { Clock } from '../../ports/clock';
import type { MessageBus } from '../../ports/message-bus';
import type { HrEvent } from '../../schemas/hr-events';
import { boundedMessageId } from '../message-id';
import type { HrEventOutcome } from '../onboarding/handle-hr-event';
import { hrEventMessage, QUEUES } from '../queues';
import type { HrEventLook, IntakeUseCases } from './index';

/** A look again at an HR event that found no onboarding: a minute later, five times. */
export const LOOK_AGAIN_SECONDS = 60;
export const MAX_LOOKS = 5;

/**
 * HR's events: queued as they come (`POST /api/hr-events` and the queue are one path), then applied by the
 * queue's handler. An event may overtake the hire it is about (Service Bus does not order them): it is looked
 * at again later, as a scheduled message of its own that counts the looks, and set aside after the last.
 */
export function createIntake(deps: {
  bus: MessageBus;
  clock: Clock;
  handleHrEvent: (event: HrEvent, traceparent?: string) => Promise<HrEventOutcome>;
  /** The files: HR's hires, the CODIR's list. */
  imports: Pick<IntakeUseCases, 'importHires' | 'importEquipmentRequests'>;
}): IntakeUseCases {
  const { bus, clock } = deps;
  return {
    accept: (event, traceparent) => bus.send(QUEUES.hrEvents, [hrEventMessage(event, traceparent)]),
    async handle(event, { traceparent, looks }): Promise<HrEventLook> {
      const result = await deps.handleHrEvent(event, traceparent);
      if (result.outcome === 'unknown-employee')
        return { outcome: 'gave-up', code: 'UnknownEmployee', reason: result.reason };
      if (result.outcome !== 'no-onboarding') return result;
      if (looks >= MAX_LOOKS) {
        return {
          outcome: 'gave-up',
          code: 'NoOnboardingForEmployee',
          reason: `${event.type} ${event.eventId}: no onboarding for employee ${event.employee.employeeId} after ${looks} looks over ${(looks * LOOK_AGAIN_SECONDS) / 60} minutes`,
        };
      }
      await bus.send(QUEUES.hrEvents, [
        {
          messageId: boundedMessageId(`${event.eventId}/deferred/${looks + 1}`),
          body: event,
          subject: event.type,
          contentType: 'application/json',
          scheduledEnqueueTime: new Date(clock.now().getTime() + LOOK_AGAIN_SECONDS * 1000),
          applicationProperties: { deferCount: looks + 1, ...(traceparent ? { traceparent } : {}) },
        },
      ]);
      return { outcome: 'deferred', look: looks + 1 };
    },
    ...deps.imports,
  };
}
