import type { QueueFunctionDefinition } from './definition';
import { DeadLetterError, decodeMessageBody, queueFunction, traceparentOf } from './definition';
import { approvalDeadlineSchema } from '../shared/app/approval-deadlines';
import { QUEUES } from '../shared/app/queues';
import type { ServicesProvider } from '../shared/app/services';
import { describeFieldErrors, toFieldErrors } from '../shared/schemas/validation';
import { inMessageSpan } from '../shared/telemetry/telemetry';

/** An onboarding's approval deadline came (scheduled at its creation): remind the DSI once, or expire it. */
export function approvalDeadlineWorker(services: ServicesProvider): QueueFunctionDefinition {
  return queueFunction(services, {
    name: 'approval-deadline-worker',
    queueName: QUEUES.approvalDeadlines,
    async handler(message, context) {
      const parsed = approvalDeadlineSchema.safeParse(decodeMessageBody(message));
      if (!parsed.success) {
        throw new DeadLetterError('InvalidApprovalDeadline', describeFieldErrors(toFieldErrors(parsed.error)));
      }
      const { onboardingId, deadline } = parsed.data;
      const s = await services();
      const after = await inMessageSpan(
        `approval ${deadline}`,
        traceparentOf(context),
        { 'onboarding.id': onboardingId },
        () => s.handleApprovalDeadline(parsed.data),
      );
      context.log(`approval ${deadline} of ${onboardingId}: ${after ? after.status : 'no such onboarding'}`);
    },
  });
}
