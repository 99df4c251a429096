import { createHash } from 'node:crypto';
import type { Clock } from '../../ports/clock';
import type { MessageBus } from '../../ports/message-bus';
import { ConcurrencyConflict } from '../../ports/onboarding-store';
import type { RejectedMessageStore } from '../../ports/rejected-messages';
import type { RejectedMessage } from '../../schemas/rejected-message';
import { boundedMessageId } from '../message-id';

/** What a queue function knows of a message it sets aside. */
export interface Rejection {
  queue: string;
  messageId: string;
  reason: string;
  description: string;
  body: unknown;
  subject?: string;
  contentType?: string;
  applicationProperties?: Record<string, string | number | boolean>;
  deliveryCount: number;
  enqueuedTimeUtc?: string;
}

/** One record per queue and messageId: a redelivery of the same message finds its first record. */
export function rejectedMessageId(queue: string, messageId: string): string {
  return createHash('sha256').update(`${queue}\n${messageId}`).digest('base64url');
}

const MAX_CONFLICTS = 5;

/** Setting aside, listing and sending again the messages that can never succeed as they are. */
export function createRejectedMessages(deps: { store: RejectedMessageStore; bus: MessageBus; clock: Clock }) {
  const { store, bus, clock } = deps;
  return {
    record(r: Rejection): Promise<RejectedMessage> {
      return store.record({
        ...r,
        id: rejectedMessageId(r.queue, r.messageId),
        docType: 'rejected-message',
        rejectedAt: clock.now().toISOString(),
        resubmissions: [],
      });
    },

    list: (options: { queue?: string; includeResubmitted?: boolean; limit?: number }) =>
      store.list({ ...options, limit: options.limit ?? 200 }),

    /**
     * Sends a copy to its queue under a new messageId (the original one may still be within the duplicate
     * detection window), then records that it was sent. A crash in between sends the same copy again,
     * which duplicate detection drops. Null when there is no such record.
     */
    async resubmit(queue: string, id: string): Promise<{ messageId: string } | null> {
      for (let i = 0; i < MAX_CONFLICTS; i++) {
        const current = await store.get(queue, id);
        if (!current) return null;
        const m = current.value;
        const messageId = boundedMessageId(`${m.messageId}/resubmit/${m.resubmissions.length + 1}`);
        const { deferCount: _spent, ...properties } = m.applicationProperties ?? {};
        await bus.send(queue, [
          {
            messageId,
            body: m.body,
            ...(m.subject ? { subject: m.subject } : {}),
            ...(m.contentType ? { contentType: m.contentType } : {}),
            applicationProperties: { ...properties, resubmittedFrom: m.messageId },
          },
        ]);
        try {
          const at = clock.now().toISOString();
          await store.replace({ ...m, resubmissions: [...m.resubmissions, { at, messageId }] }, current.etag);
          return { messageId };
        } catch (err) {
          if (!(err instanceof ConcurrencyConflict)) throw err;
        }
      }
      throw new ConcurrencyConflict(`rejected message ${id} is being resubmitted by someone else`);
    },
  };
}
export type RejectedMessages = ReturnType<typeof createRejectedMessages>;

/**
 * Reports a stored document that fails its schema: one log line naming it and why, and a record beside
 * the rejected messages (queue `store:<container>`), where operators look with `npm run dlq -- list`.
 */
export function reportUnreadableDocuments(deps: {
  store: RejectedMessageStore;
  clock: Clock;
  container: string;
  log: (line: string) => void;
}) {
  const queue = `store:${deps.container}`;
  return async (err: { id: string; reason: string; document: unknown }): Promise<void> => {
    deps.log(
      JSON.stringify({
        level: 'error',
        message: `unreadable ${deps.container} document set aside`,
        id: err.id,
        reason: err.reason,
      }),
    );
    const etag = (err.document as { _etag?: unknown } | null)?._etag;
    const messageId = `${err.id}@${typeof etag === 'string' ? etag : 'unknown'}`;
    await deps.store
      .record({
        id: rejectedMessageId(queue, messageId),
        docType: 'rejected-message',
        queue,
        messageId,
        reason: 'UnreadableDocument',
        description: err.reason,
        body: err.document,
        deliveryCount: 0,
        rejectedAt: deps.clock.now().toISOString(),
        resubmissions: [],
      })
      .catch((e: unknown) => deps.log(`could not record unreadable document ${err.id}: ${String(e)}`));
  };
}
