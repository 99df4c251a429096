import { z } from 'zod';
import { after } from '../../iso-duration';
import type { Clock } from '../../ports/clock';
import type { MessageBus } from '../../ports/message-bus';
import type { Onboarding } from '../../schemas/onboarding';
import { boundedMessageId } from '../message-id';
import type { OnboardingWriter } from './onboarding-writer';
import { QUEUES } from '../queues';

export const approvalDeadlineSchema = z
  .object({ onboardingId: z.string().min(1).max(256), deadline: z.enum(['reminder', 'expiry']) })
  .strict();
export type ApprovalDeadline = z.infer<typeof approvalDeadlineSchema>;

/**
 * Schedules an onboarding's approval deadlines when it is created: a reminder after `reminderAfter`, the
 * expiry after `expiresAfter`, both counted from its creation. Their message ids are deterministic, and the
 * handler acts once whatever comes twice, so scheduling again (a redelivered hire) is harmless.
 */
export function createScheduleApprovalDeadlines(
  bus: MessageBus,
  settings: { reminderAfter: string; expiresAfter: string },
) {
  return async function scheduleApprovalDeadlines(onboarding: Onboarding): Promise<void> {
    const created = new Date(onboarding.createdAt);
    const message = (deadline: ApprovalDeadline['deadline'], at: Date) => ({
      messageId: boundedMessageId(`deadline/${onboarding.id}/${deadline}`),
      subject: deadline,
      contentType: 'application/json',
      correlationId: onboarding.id,
      body: { onboardingId: onboarding.id, deadline } satisfies ApprovalDeadline,
      scheduledEnqueueTime: at,
    });
    await bus.send(QUEUES.approvalDeadlines, [
      message('reminder', after(created, settings.reminderAfter)),
      message('expiry', after(created, settings.expiresAfter)),
    ]);
  };
}
export type ScheduleApprovalDeadlines = ReturnType<typeof createScheduleApprovalDeadlines>;

/**
 * A deadline came: an onboarding still awaiting approval gets its one reminder, or is rejected by the
 * service (`approval expired`). Decided meanwhile, nothing changes. Answers the onboarding as it stands
 * (null: unknown id).
 */
export function createHandleApprovalDeadline(deps: { writer: OnboardingWriter; clock: Clock }) {
  return async function handleApprovalDeadline(message: ApprovalDeadline): Promise<Onboarding | null> {
    const at = deps.clock.now().toISOString();
    return deps.writer.apply(message.onboardingId, (current) =>
      current.status === 'awaiting-approval' ? { type: 'approval-deadline', at, deadline: message.deadline } : null,
    );
  };
}
