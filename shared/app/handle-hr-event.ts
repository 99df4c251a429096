import { HR } from '../domain/actor';
import { isOpen, startOnboarding } from '../domain/decide';
import { onboardingId } from '../domain/onboarding-id';
import type { Clock } from '../ports/clock';
import { AlreadyExists, type OnboardingStore } from '../ports/onboarding-store';
import { TransientError } from '../ports/provisioners';
import type { HrEvent } from '../schemas/hr-events';
import type { Onboarding } from '../schemas/onboarding';
import { newTraceparent, recordChange } from '../telemetry/telemetry';
import type { ScheduleApprovalDeadlines } from './approval-deadlines';
import { departureDueAt, type ScheduleDeparture } from './departures';
import type { LeadTimes } from './lead-times';
import type { Announce } from './notifications';
import type { OnboardingWriter } from './onboarding-writer';

export type HrEventOutcome =
  | { outcome: 'created'; onboardingId: string }
  | { outcome: 'applied'; onboardingId: string }
  | { outcome: 'duplicate'; onboardingId: string }
  | { outcome: 'no-onboarding' };

const MAX_CREATE_RACES = 5;

/**
 * Applies one HR event. Idempotent: an event id already recorded on one of the employee's onboardings
 * changes nothing, so a redelivered or re-posted event is harmless.
 */
export function createHandleHrEvent(deps: {
  store: OnboardingStore;
  writer: OnboardingWriter;
  clock: Clock;
  /** Re-plans the laptop of an onboarding whose start date changed. */
  replanLaptop: (onboarding: Onboarding) => Promise<void>;
  /** Schedules a new onboarding's approval reminder and expiry. */
  scheduleApprovalDeadlines: ScheduleApprovalDeadlines;
  /** Tells the DSI's channel of a new onboarding awaiting approval (in the digest of its minute). */
  announce: Pick<Announce, 'created'>;
  /** Schedules the end of a leaver's last day. */
  scheduleDeparture: ScheduleDeparture;
  /** When each step is due for a start date (lead times): a moved start date re-plans what is not run. */
  leadTimes?: LeadTimes;
}) {
  const { store, writer, clock, replanLaptop, scheduleApprovalDeadlines, announce, scheduleDeparture } = deps;

  /** `traceparent`: the trace the event came with; a new onboarding's trace continues it. */
  return async function handleHrEvent(event: HrEvent, traceparent?: string): Promise<HrEventOutcome> {
    const at = clock.now().toISOString();
    for (let i = 0; i < MAX_CREATE_RACES; i++) {
      const onboardings = await store.listForEmployee(event.employee.employeeId);
      const seen = onboardings.find((o) => o.value.eventIds.includes(event.eventId));
      if (seen) {
        // A redelivery after a crash: finish what the first delivery may have left undone.
        await writer.flushOutbox(seen);
        if (event.type === 'employee.start-date-changed' || event.type === 'employee.priority-changed') {
          await replanLaptop(seen.value);
        }
        if (event.type === 'employee.left') await scheduleDeparture(seen.value);
        // The hire that created it: its deadlines may not have been scheduled (ids make a re-send a no-op).
        if (seen.value.eventIds[0] === event.eventId && seen.value.status === 'awaiting-approval') {
          await scheduleApprovalDeadlines(seen.value);
          await announce.created(seen.value);
        }
        return { outcome: 'duplicate', onboardingId: seen.value.id };
      }
      const latest = onboardings[0];
      if (event.type === 'employee.hired') {
        // A leaver's onboarding is over for a new hire: a later hire of the same employee opens a new one.
        const open = onboardings.find((o) => isOpen(o.value.status));
        if (open) {
          await writer.apply(open.value.id, () => ({ type: 'hired', eventId: event.eventId, at, hire: event }), open);
          return { outcome: 'applied', onboardingId: open.value.id };
        }
        const sequence = (latest?.value.sequence ?? 0) + 1;
        const created = startOnboarding(
          { id: onboardingId(event.employee.employeeId, sequence), sequence },
          { type: 'hired', eventId: event.eventId, at, hire: event, traceparent: traceparent ?? newTraceparent() },
        );
        try {
          await store.create(created.state);
          recordChange(created.state, created.history);
          await scheduleApprovalDeadlines(created.state);
          await announce.created(created.state);
          return { outcome: 'created', onboardingId: created.state.id };
        } catch (err) {
          if (err instanceof AlreadyExists) continue; // a concurrent hire took this id: look again
          throw err;
        }
      }
      if (!latest) return { outcome: 'no-onboarding' };
      const target = latest.value.id;
      switch (event.type) {
        case 'employee.hire-cancelled':
          await writer.apply(target, () => ({ type: 'hire-cancelled', eventId: event.eventId, at }), latest);
          break;
        case 'employee.start-date-changed': {
          const changed = await writer.apply(
            target,
            () => ({
              type: 'start-date-changed',
              eventId: event.eventId,
              at,
              startDate: event.employee.startDate,
              ...(deps.leadTimes ? { notBefore: deps.leadTimes(event.employee.startDate) } : {}),
            }),
            latest,
          );
          // Re-plan what is not done: a laptop request in line moves with its start date.
          if (changed) await replanLaptop(changed);
          break;
        }
        case 'employee.priority-changed': {
          // The open onboarding's; none open: recorded on the latest, which it does not change.
          const open = onboardings.find((o) => isOpen(o.value.status)) ?? latest;
          const changed = await writer.apply(
            open.value.id,
            () => ({ type: 'priority-changed', eventId: event.eventId, at, by: HR, priority: event.employee.priority }),
            open,
          );
          // Served in the new order from the next pass: one now (a continuity agent may take a reservation).
          if (changed) await replanLaptop(changed);
          return { outcome: 'applied', onboardingId: open.value.id };
        }
        case 'employee.left': {
          const { lastDay } = event.employee;
          const changed = await writer.apply(
            target,
            () => ({ type: 'left', eventId: event.eventId, at, lastDay, dueAt: departureDueAt(lastDay) }),
            latest,
          );
          if (changed) await scheduleDeparture(changed);
          break;
        }
      }
      return { outcome: 'applied', onboardingId: target };
    }
    throw new TransientError(`too many concurrent hires for ${event.employee.employeeId}; try again`);
  };
}
