import type { ServiceBusClient, ServiceBusReceivedMessage } from '@azure/service-bus';
import Long from 'long';
import type { DeadLetterQueues, DeadLetteredMessage } from '../../ports/dead-letter-queues';

const PAGE = 100;

/** The dead-letter sub-queues of Azure Service Bus (`<queue>/$DeadLetterQueue`), through @azure/service-bus. */
export class ServiceBusDeadLetters implements DeadLetterQueues {
  constructor(private readonly client: ServiceBusClient) {}

  async peek(queue: string, max: number): Promise<DeadLetteredMessage[]> {
    const receiver = this.client.createReceiver(queue, { subQueueType: 'deadLetter' });
    try {
      const out: DeadLetteredMessage[] = [];
      // Always from a sequence number: without one, the SDK goes on from where the last peek of this
      // entity stopped, even through another receiver.
      let from = 0;
      while (out.length < max) {
        const page = await receiver.peekMessages(Math.min(PAGE, max - out.length), {
          fromSequenceNumber: Long.fromNumber(from),
        });
        if (page.length === 0) break;
        for (const m of page) out.push(view(m));
        from = (out.at(-1)?.sequenceNumber ?? 0) + 1;
      }
      return out;
    } finally {
      await receiver.close();
    }
  }

  /**
   * Receives from the dead-letter sub-queue (peek-lock) until it meets the message, sends a copy to the
   * queue, then completes it; every other message received on the way is abandoned, untouched.
   */
  async resubmit(queue: string, sequenceNumber: number, messageId: string): Promise<boolean> {
    const receiver = this.client.createReceiver(queue, {
      subQueueType: 'deadLetter',
      receiveMode: 'peekLock',
      maxAutoLockRenewalDurationInMs: 0,
    });
    const sender = this.client.createSender(queue);
    const held: ServiceBusReceivedMessage[] = [];
    try {
      for (;;) {
        const batch = await receiver.receiveMessages(PAGE, { maxWaitTimeInMs: 3000 });
        if (batch.length === 0) return false;
        for (const m of batch) {
          if (view(m).sequenceNumber !== sequenceNumber) {
            held.push(m);
            continue;
          }
          await sender.sendMessages({
            messageId,
            body: m.body as unknown,
            ...(m.subject ? { subject: m.subject } : {}),
            ...(m.contentType ? { contentType: m.contentType } : {}),
            ...(m.correlationId !== undefined ? { correlationId: m.correlationId } : {}),
            applicationProperties: { ...withoutDeadLetterProperties(m.applicationProperties) },
          });
          await receiver.completeMessage(m);
          return true;
        }
      }
    } finally {
      for (const m of held) await receiver.abandonMessage(m);
      await sender.close();
      await receiver.close();
    }
  }
}

function withoutDeadLetterProperties(
  props: ServiceBusReceivedMessage['applicationProperties'],
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(props ?? {})) {
    if (k === 'DeadLetterReason' || k === 'DeadLetterErrorDescription') continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}

function view(m: ServiceBusReceivedMessage): DeadLetteredMessage {
  return {
    sequenceNumber: m.sequenceNumber?.toNumber() ?? 0,
    messageId: String(m.messageId ?? ''),
    reason: m.deadLetterReason ?? '',
    description: m.deadLetterErrorDescription ?? '',
    ...(m.enqueuedTimeUtc ? { enqueuedTimeUtc: m.enqueuedTimeUtc.toISOString() } : {}),
    body: m.body as unknown,
  };
}
