import type { QueueFunctionDefinition } from './definition';
import { parseMessage, queueFunction, traceparentOf } from './definition';
import { departureMessageSchema } from '../shared/app/departures/departures';
import { QUEUES } from '../shared/app/queues';
import type { ServicesProvider } from '../shared/app/services';
import { inMessageSpan } from '../shared/telemetry/telemetry';

/** A leaver's last day ended (scheduled when `employee.left` applied): access removed, the laptop expected back. */
export function departureWorker(services: ServicesProvider): QueueFunctionDefinition {
  return queueFunction(services, {
    name: 'departure-worker',
    queueName: QUEUES.departures,
    async handler(message, context) {
      const due = parseMessage(departureMessageSchema, message, 'InvalidDeparture');
      const s = await services();
      const after = await inMessageSpan(
        'departure',
        traceparentOf(context),
        { 'onboarding.id': due.onboardingId },
        () => s.departures.handle(due),
      );
      context.log(`departure of ${due.onboardingId} (${due.lastDay}): ${after ? after.status : 'no such onboarding'}`);
    },
  });
}
