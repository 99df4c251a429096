import type { QueueFunctionDefinition } from './definition';
import { parseMessage, queueFunction, traceparentOf } from './definition';
import { approvalDeadlineSchema } from '../shared/app/onboarding/approval-deadlines';
import { QUEUES } from '../shared/app/queues';
import type { ServicesProvider } from '../shared/app/services';
import { inMessageSpan } from '../shared/telemetry/telemetry';

/** An onboarding's approval deadline came (scheduled at its creation): remind the DSI once, or expire it. */
export function approvalDeadlineWorker(services: ServicesProvider): QueueFunctionDefinition {
  return queueFunction(services, {
    name: 'approval-deadline-worker',
    queueName: QUEUES.approvalDeadlines,
    async handler(message, context) {
      const due = parseMessage(approvalDeadlineSchema, message, 'InvalidApprovalDeadline');
      const { onboardingId, deadline } = due;
      const s = await services();
      const after = await inMessageSpan(
        `approval ${deadline}`,
        traceparentOf(context),
        { 'onboarding.id': onboardingId },
        () => s.onboardings.handleApprovalDeadline(due),
      );
      context.log(`approval ${deadline} of ${onboardingId}: ${after ? after.status : 'no such onboarding'}`);
    },
  });
}
