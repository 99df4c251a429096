import { z } from 'zod';

/**
 * A message a queue function set aside because it can never succeed (it does not parse, or names an
 * employee who has no onboarding): kept in Cosmos DB with why, and completed. Both hosts do the same, so
 * operators find every such message, with its reason, in one place (`npm run dlq -- list`).
 */
export const rejectedMessageSchema = z.object({
  id: z.string().min(1),
  docType: z.literal('rejected-message'),
  queue: z.string().min(1),
  messageId: z.string(),
  /** A code: InvalidHrEvent, InvalidStepCommand, MalformedJson, NoOnboardingForEmployee. */
  reason: z.string().min(1),
  description: z.string(),
  /** The body as received: the parsed JSON, or the text when it was not JSON. */
  body: z.unknown(),
  subject: z.string().optional(),
  contentType: z.string().optional(),
  applicationProperties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  deliveryCount: z.number().int().nonnegative(),
  enqueuedTimeUtc: z.string().optional(),
  rejectedAt: z.string(),
  /** Each time an operator sent it again, with the id of the copy. */
  resubmissions: z.array(z.object({ at: z.string(), messageId: z.string() })),
});

export type RejectedMessage = z.infer<typeof rejectedMessageSchema>;
