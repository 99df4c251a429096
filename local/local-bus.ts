import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MAX_MESSAGE_ID_LENGTH } from '../shared/app/message-id';
import type { DeadLetterQueues, DeadLetteredMessage as DeadLetterView } from '../shared/ports/dead-letter-queues';
import type { MessageBus, OutgoingMessage } from '../shared/ports/message-bus';

/** Service Bus Standard refuses messages over 256 KiB. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

const localMessageSchema = z.object({
  messageId: z.string(),
  body: z.unknown(),
  subject: z.string().optional(),
  contentType: z.string().optional(),
  correlationId: z.string().optional(),
  sessionId: z.string().optional(),
  applicationProperties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  sequenceNumber: z.number(),
  enqueuedTimeUtc: z.string(),
  scheduledEnqueueTimeUtc: z.string().optional(),
  deliveryCount: z.number(),
});
const deadLetteredMessageSchema = localMessageSchema.extend({
  deadLetterReason: z.string(),
  deadLetterErrorDescription: z.string(),
});

/** The saved queues of the local host, restored at its next start. */
export const localBusSnapshotSchema = z.object({
  nextSequence: z.number(),
  queues: z.record(
    z.string(),
    z.object({
      active: z.array(localMessageSchema),
      scheduled: z.array(localMessageSchema),
      deadLetter: z.array(deadLetteredMessageSchema),
    }),
  ),
});

/** A message as it sits in a local queue, with the broker properties Service Bus sets. */
export type LocalMessage = z.infer<typeof localMessageSchema>;
export type DeadLetteredMessage = z.infer<typeof deadLetteredMessageSchema>;
export type LocalBusSnapshot = z.infer<typeof localBusSnapshotSchema>;

export interface LocalBusOptions {
  maxDeliveryCount: number;
  duplicateDetectionWindowMs: number;
  maxConcurrentCalls: number;
  /**
   * How long a delivery holds its lock. The Functions host renews locks up to maxAutoLockRenewalDuration
   * (host.json: 5 minutes); a handler slower than that loses the lock and the message is delivered again
   * while the first handler still runs. Default: 5 minutes.
   */
  lockDurationMs?: number;
}

export type LocalHandler = (message: LocalMessage, lockToken: string) => Promise<void>;

interface Subscription {
  handler: LocalHandler;
}

interface QueueState {
  active: LocalMessage[];
  scheduled: Map<number, { message: LocalMessage; timer: NodeJS.Timeout }>;
  deadLetter: DeadLetteredMessage[];
  seen: Map<string, number>;
  inFlight: number;
  subscription?: Subscription;
}

/**
 * An in-process message bus with the Service Bus semantics the functions rely on: peek-lock delivery
 * with a growing deliveryCount, abandon on a throw, dead-letter after maxDeliveryCount with the reason
 * `MaxDeliveryCountExceeded` (as the Functions host leaves it to Service Bus: a Node function cannot
 * dead-letter a message itself), scheduled messages, duplicate detection by messageId, 256 KiB limit.
 */
export class LocalServiceBus implements MessageBus, DeadLetterQueues {
  private readonly queues = new Map<string, QueueState>();
  private nextSequence = 1;
  private closed = false;

  constructor(private readonly options: LocalBusOptions) {}

  private queue(name: string): QueueState {
    let q = this.queues.get(name);
    if (!q) {
      q = { active: [], scheduled: new Map(), deadLetter: [], seen: new Map(), inFlight: 0 };
      this.queues.set(name, q);
    }
    return q;
  }

  send(queueName: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the local bus is closed'));
    const q = this.queue(queueName);
    const now = Date.now();
    for (const m of messages) {
      // As Service Bus counts it: the body and the properties.
      const size =
        Buffer.byteLength(JSON.stringify(m.body)) + Buffer.byteLength(JSON.stringify({ ...m, body: undefined }));
      if (size > MAX_MESSAGE_BYTES) {
        return Promise.reject(new Error(`message ${m.messageId} is larger than ${MAX_MESSAGE_BYTES} bytes`));
      }
      if (m.messageId.length === 0 || m.messageId.length > MAX_MESSAGE_ID_LENGTH) {
        return Promise.reject(
          new Error(`messageId must be 1 to ${MAX_MESSAGE_ID_LENGTH} characters: ${m.messageId.slice(0, 40)}...`),
        );
      }
    }
    for (const m of messages) {
      for (const [id, at] of q.seen) if (now - at > this.options.duplicateDetectionWindowMs) q.seen.delete(id);
      if (q.seen.has(m.messageId)) continue; // duplicate detection: accepted and dropped
      q.seen.set(m.messageId, now);
      const message: LocalMessage = {
        messageId: m.messageId,
        body: JSON.parse(JSON.stringify(m.body)) as unknown,
        ...(m.subject ? { subject: m.subject } : {}),
        ...(m.contentType ? { contentType: m.contentType } : {}),
        ...(m.correlationId ? { correlationId: m.correlationId } : {}),
        ...(m.sessionId ? { sessionId: m.sessionId } : {}),
        ...(m.applicationProperties ? { applicationProperties: { ...m.applicationProperties } } : {}),
        sequenceNumber: this.nextSequence++,
        enqueuedTimeUtc: new Date(now).toISOString(),
        deliveryCount: 0,
        ...(m.scheduledEnqueueTime ? { scheduledEnqueueTimeUtc: m.scheduledEnqueueTime.toISOString() } : {}),
      };
      this.enqueue(queueName, message);
    }
    return Promise.resolve();
  }

  private enqueue(queueName: string, message: LocalMessage): void {
    const q = this.queue(queueName);
    const due = message.scheduledEnqueueTimeUtc ? Date.parse(message.scheduledEnqueueTimeUtc) - Date.now() : 0;
    if (due > 0) {
      const timer = setTimeout(() => {
        q.scheduled.delete(message.sequenceNumber);
        q.active.push(message);
        this.pump(queueName);
      }, due);
      timer.unref();
      q.scheduled.set(message.sequenceNumber, { message, timer });
      return;
    }
    q.active.push(message);
    this.pump(queueName);
  }

  /** Delivers messages of `queueName` to `handler` (one subscription per queue, as one function per queue). */
  subscribe(queueName: string, handler: LocalHandler): void {
    this.queue(queueName).subscription = { handler };
    this.pump(queueName);
  }

  private pump(queueName: string): void {
    const q = this.queue(queueName);
    const sub = q.subscription;
    if (!sub || this.closed) return;
    while (q.inFlight < this.options.maxConcurrentCalls && q.active.length > 0) {
      const message = q.active.shift();
      if (!message) break;
      message.deliveryCount += 1;
      q.inFlight += 1;
      void this.deliver(queueName, q, sub, message);
    }
  }

  private async deliver(queueName: string, q: QueueState, sub: Subscription, message: LocalMessage): Promise<void> {
    const delivery = { lockLost: false };
    const lock = setTimeout(
      () => {
        // The lock expired under a handler still at work: the message is available again, as in Service Bus,
        // and whatever the first handler ends with can no longer settle it.
        delivery.lockLost = true;
        this.abandon(q, message, 'the message lock expired');
        this.pump(queueName);
      },
      this.options.lockDurationMs ?? 5 * 60_000,
    );
    lock.unref();
    try {
      await sub.handler(structuredClone(message), randomUUID());
    } catch (err) {
      if (!delivery.lockLost) this.abandon(q, message, err instanceof Error ? err.message : String(err));
    } finally {
      clearTimeout(lock);
      q.inFlight -= 1;
      setImmediate(() => this.pump(queueName));
    }
  }

  /** Abandons a message whose delivery failed: available again, or dead-lettered after maxDeliveryCount. */
  private abandon(q: QueueState, message: LocalMessage, why: string): void {
    if (message.deliveryCount >= this.options.maxDeliveryCount) {
      q.deadLetter.push({
        ...message,
        deadLetterReason: 'MaxDeliveryCountExceeded',
        deadLetterErrorDescription: `Message could not be consumed after ${message.deliveryCount} delivery attempts: ${why}`,
      });
    } else {
      q.active.push(message); // available again, with its delivery count kept
    }
  }

  /** Messages dead-lettered on `queueName`, oldest first. */
  deadLetters(queueName: string): DeadLetteredMessage[] {
    return [...this.queue(queueName).deadLetter];
  }

  peek(queueName: string, max: number): Promise<DeadLetterView[]> {
    return Promise.resolve(
      this.deadLetters(queueName)
        .slice(0, max)
        .map((m) => ({
          sequenceNumber: m.sequenceNumber,
          messageId: m.messageId,
          reason: m.deadLetterReason,
          description: m.deadLetterErrorDescription,
          enqueuedTimeUtc: m.enqueuedTimeUtc,
          body: m.body,
        })),
    );
  }

  /**
   * Takes a message out of the dead-letter sub-queue and sends a copy under `messageId`, as an operator
   * resubmits from Service Bus Explorer or `npm run dlq`. False when there is no such message.
   */
  async resubmit(queueName: string, sequenceNumber: number, messageId: string): Promise<boolean> {
    const q = this.queue(queueName);
    const index = q.deadLetter.findIndex((m) => m.sequenceNumber === sequenceNumber);
    const dead = q.deadLetter[index];
    if (!dead) return false;
    await this.send(queueName, [
      {
        messageId,
        body: dead.body,
        ...(dead.subject ? { subject: dead.subject } : {}),
        ...(dead.contentType ? { contentType: dead.contentType } : {}),
        ...(dead.correlationId ? { correlationId: dead.correlationId } : {}),
        ...(dead.applicationProperties ? { applicationProperties: dead.applicationProperties } : {}),
      },
    ]);
    q.deadLetter.splice(index, 1);
    return true;
  }

  /** Scheduled messages not yet due on `queueName`. */
  scheduledCount(queueName: string): number {
    return this.queue(queueName).scheduled.size;
  }

  /** True when no message is waiting for delivery or being handled (scheduled ones aside). */
  isIdle(): boolean {
    return [...this.queues.values()].every((q) => q.inFlight === 0 && (q.active.length === 0 || !q.subscription));
  }

  snapshot(): LocalBusSnapshot {
    const queues: LocalBusSnapshot['queues'] = {};
    for (const [name, q] of this.queues) {
      queues[name] = {
        active: q.active.map((m) => ({ ...m })),
        scheduled: [...q.scheduled.values()].map((s) => ({ ...s.message })),
        deadLetter: q.deadLetter.map((m) => ({ ...m })),
      };
    }
    return { nextSequence: this.nextSequence, queues };
  }

  restore(snapshot: LocalBusSnapshot): void {
    this.nextSequence = Math.max(this.nextSequence, snapshot.nextSequence);
    for (const [name, saved] of Object.entries(snapshot.queues)) {
      const q = this.queue(name);
      q.deadLetter.push(...saved.deadLetter);
      for (const m of [...saved.active, ...saved.scheduled]) {
        q.seen.set(m.messageId, Date.parse(m.enqueuedTimeUtc));
        this.enqueue(name, m);
      }
    }
  }

  /** Stops deliveries and waits for the handlers in flight. */
  async close(): Promise<void> {
    this.closed = true;
    while ([...this.queues.values()].some((q) => q.inFlight > 0)) {
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const q of this.queues.values()) for (const s of q.scheduled.values()) clearTimeout(s.timer);
  }
}
