import { z } from 'zod';
import type { DeadLetterQueues } from '../../ports/dead-letter-queues';
import { boundedMessageId } from '../message-id';
import { QUEUES } from '../queues';
import type { RejectedMessages } from './rejected-messages';

/**
 * Every message set aside, wherever it is: those a function rejected with a reason (Cosmos DB) and those
 * Service Bus dead-lettered (after maxDeliveryCount, or expired). One view for `npm run dlq`, the same
 * against the local host and against Azure.
 */
export const setAsideEntrySchema = z.object({
  /** `rejected:<queue>:<record id>` or `dead-letter:<queue>:<sequence number>`. */
  id: z.string(),
  source: z.enum(['rejected', 'dead-letter']),
  queue: z.string(),
  messageId: z.string(),
  reason: z.string(),
  description: z.string(),
  at: z.string().optional(),
  body: z.unknown(),
});
export type SetAsideEntry = z.infer<typeof setAsideEntrySchema>;

const ID = /^(rejected|dead-letter):([^:]+):(.+)$/;

export function createSetAsideMessages(deps: { rejected: RejectedMessages; deadLetters: DeadLetterQueues }) {
  const queues = Object.values(QUEUES);
  return {
    async list(options: { queue?: string; max?: number } = {}): Promise<SetAsideEntry[]> {
      const max = options.max ?? 200;
      const rejected = await deps.rejected.list({ ...(options.queue ? { queue: options.queue } : {}), limit: max });
      const entries: SetAsideEntry[] = rejected.map((r) => ({
        id: `rejected:${r.queue}:${r.id}`,
        source: 'rejected',
        queue: r.queue,
        messageId: r.messageId,
        reason: r.reason,
        description: r.description,
        at: r.rejectedAt,
        body: r.body,
      }));
      for (const queue of options.queue ? [options.queue] : queues) {
        for (const m of await deps.deadLetters.peek(queue, max)) {
          entries.push({
            id: `dead-letter:${queue}:${m.sequenceNumber}`,
            source: 'dead-letter',
            queue,
            messageId: m.messageId,
            reason: m.reason,
            description: m.description,
            ...(m.enqueuedTimeUtc ? { at: m.enqueuedTimeUtc } : {}),
            body: m.body,
          });
        }
      }
      return entries;
    },

    /** Sends the message again to its queue; answers the copy's messageId, or null when there is no such entry. */
    async resubmit(id: string): Promise<string | null> {
      const m = ID.exec(id);
      if (!m) return null;
      const [, source, queue = '', key = ''] = m;
      // Only messages go back to a queue; a document set aside (store:<container>) is mended by hand.
      if (!(queues as string[]).includes(queue)) return null;
      if (source === 'rejected') return (await deps.rejected.resubmit(queue, key))?.messageId ?? null;
      const sequenceNumber = Number(key);
      if (!Number.isSafeInteger(sequenceNumber)) return null;
      const found = (await deps.deadLetters.peek(queue, 10_000)).find((d) => d.sequenceNumber === sequenceNumber);
      if (!found) return null;
      const messageId = boundedMessageId(`${found.messageId}/resubmit/${sequenceNumber}`);
      return (await deps.deadLetters.resubmit(queue, sequenceNumber, messageId)) ? messageId : null;
    },
  };
}
export type SetAsideMessages = ReturnType<typeof createSetAsideMessages>;
