import { performance } from 'node:perf_hooks';
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
  /** When the message expires: its enqueued time (a scheduled message's is its scheduled time) plus the queue's TTL. */
  expiresAtUtc: z.string().optional(),
  deliveryCount: z.number(),
});
const deadLetteredMessageSchema = localMessageSchema.extend({
  deadLetterReason: z.string(),
  deadLetterErrorDescription: z.string(),
});

/**
 * The queues as saved: every message not yet settled (due or scheduled, or being handled: a restart loses
 * its lock, as in Service Bus), the dead-letter sub-queue, and the messageIds seen within the
 * duplicate-detection window.
 */
export const localBusSnapshotSchema = z.object({
  nextSequence: z.number(),
  queues: z.record(
    z.string(),
    z.object({
      messages: z.array(localMessageSchema),
      deadLetter: z.array(deadLetteredMessageSchema),
      seen: z.record(z.string(), z.number()),
    }),
  ),
});

/** A message as it sits in a local queue, with the broker properties Service Bus sets. */
export type LocalMessage = z.infer<typeof localMessageSchema>;
export type DeadLetteredMessage = z.infer<typeof deadLetteredMessageSchema>;
export type LocalBusSnapshot = z.infer<typeof localBusSnapshotSchema>;

/** One change of the queues, as the local host journals it (each one a put or a delete: replaying twice is harmless). */
export const busRecordSchema = z.discriminatedUnion('op', [
  /** A message sent, or delivered once more (its delivery count). */
  z.object({ op: z.literal('put'), queue: z.string(), m: localMessageSchema }),
  /** Completed. */
  z.object({ op: z.literal('del'), queue: z.string(), seq: z.number() }),
  /** Moved to the dead-letter sub-queue. */
  z.object({ op: z.literal('dead'), queue: z.string(), m: deadLetteredMessageSchema }),
  /** Taken out of the dead-letter sub-queue. */
  z.object({ op: z.literal('undead'), queue: z.string(), seq: z.number() }),
]);
export type BusRecord = z.infer<typeof busRecordSchema>;

/** Where the bus writes its changes down: `flush` resolves once they are on disk. */
export interface BusJournal {
  append(record: BusRecord): void;
  flush(): Promise<void>;
}

/** Faults to inject, for tests that prove the handlers under at-least-once delivery. */
export interface BusFaults {
  /** After a successful handling, deliver the same message again at once, and a third time `laterMs` later. */
  redeliver?: { laterMs: number };
  /** Settle a message without handing it to its handler (a message lost): true drops it. */
  drop?: (queue: string, message: LocalMessage) => boolean;
}

/** How long a queue keeps a message, and what becomes of it then (shared/definitions/service-bus-queues.json). */
export interface QueueExpiry {
  /** The queue's defaultMessageTimeToLive, in ms. */
  timeToLiveMs: number;
  /** deadLetteringOnMessageExpiration: an expired message goes to the dead-letter sub-queue, else it is dropped. */
  deadLetteringOnMessageExpiration: boolean;
}

export interface LocalBusOptions {
  maxDeliveryCount: number;
  /**
   * Message expiry per queue, as Service Bus applies it: a message not delivered by `expiresAtUtc` is never delivered,
   * but dead-lettered (`TTLExpiredException`) or dropped; one under lock is handled, and if abandoned it is not
   * delivered again (https://learn.microsoft.com/azure/service-bus-messaging/message-expiration). A queue not
   * named: no expiry.
   */
  expiry?: Readonly<Record<string, QueueExpiry>>;
  duplicateDetectionWindowMs: number;
  maxConcurrentCalls: number;
  /**
   * How long a delivery holds its lock. The Functions host renews locks up to maxAutoLockRenewalDuration
   * (host.json: 5 minutes); a handler slower than that loses the lock and the message is delivered again
   * while the first handler still runs. Default: 5 minutes.
   */
  lockDurationMs?: number;
  journal?: BusJournal;
  faults?: BusFaults;
  /**
   * Session-enabled queues (requiresSession): a message must carry a sessionId (Service Bus refuses it
   * otherwise), and one session's messages are handled one at a time, in order.
   */
  sessionQueues?: readonly string[];
  /**
   * The service's clock, which scheduled enqueue times are read against (default: the system's). A test that
   * runs the service at another instant (the end of a day) moves the bus with it.
   */
  now?: () => number;
}

export type LocalHandler = (message: LocalMessage, lockToken: string) => Promise<void>;

interface QueueState {
  /** Sessions with a message being handled (session-enabled queues only). */
  busySessions: Set<string>;
  /** Every message not yet settled, by sequence number. */
  pending: Map<number, LocalMessage>;
  active: LocalMessage[];
  /** Scheduled messages not yet due: their timer, and when they are due (ms since the epoch). */
  scheduled: Map<number, { timer: NodeJS.Timeout; dueAt: number }>;
  deadLetter: DeadLetteredMessage[];
  seen: Map<string, number>;
  inFlight: number;
  /** The consumers of the queue: one per instance of the function app (competing consumers). */
  subscriptions: { handler: LocalHandler; inFlight: number }[];
}

/** Applies one journaled change to a saved state (the local host replays its journal this way). */
export function applyBusRecord(state: LocalBusSnapshot, r: BusRecord): void {
  const q = (state.queues[r.queue] ??= { messages: [], deadLetter: [], seen: {} });
  const without = <T extends { sequenceNumber: number }>(list: T[], seq: number) =>
    list.filter((m) => m.sequenceNumber !== seq);
  switch (r.op) {
    case 'put':
      q.messages = [...without(q.messages, r.m.sequenceNumber), r.m];
      q.seen[r.m.messageId] = Date.parse(r.m.enqueuedTimeUtc);
      state.nextSequence = Math.max(state.nextSequence, r.m.sequenceNumber + 1);
      break;
    case 'del':
      q.messages = without(q.messages, r.seq);
      break;
    case 'dead':
      q.messages = without(q.messages, r.m.sequenceNumber);
      q.deadLetter = [...without(q.deadLetter, r.m.sequenceNumber), r.m];
      break;
    case 'undead':
      q.deadLetter = without(q.deadLetter, r.seq);
      break;
  }
}

/**
 * An in-process message bus with the Service Bus semantics the functions rely on: peek-lock delivery
 * with a growing deliveryCount, abandon on a throw, dead-letter after maxDeliveryCount with the reason
 * `MaxDeliveryCountExceeded` (as the Functions host leaves it to Service Bus: a Node function cannot
 * dead-letter a message itself), scheduled messages, duplicate detection by messageId, 256 KiB limit.
 * With a journal, a send is acknowledged only once it is on disk.
 */
export class LocalServiceBus implements MessageBus, DeadLetterQueues {
  /** Operations, as Service Bus counts them for billing (the benchmark reads them). */
  readonly stats = { sent: 0, duplicates: 0, delivered: 0, settled: 0, handlerMs: 0, busyMs: 0 };
  /** Handlers at work now, and since when at least one is (busyMs: the time an instance is billed for). */
  private working = { count: 0, since: 0 };

  private readonly queues = new Map<string, QueueState>();
  private nextSequence = 1;
  private closed = false;

  constructor(private readonly options: LocalBusOptions) {}

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  private queue(name: string): QueueState {
    let q = this.queues.get(name);
    if (!q) {
      q = {
        busySessions: new Set(),
        pending: new Map(),
        active: [],
        scheduled: new Map(),
        deadLetter: [],
        seen: new Map(),
        inFlight: 0,
        subscriptions: [],
      };
      this.queues.set(name, q);
    }
    return q;
  }

  /** Service Bus: expires-at-utc = enqueued time + time to live; a scheduled message is enqueued at its scheduled time. */
  private expiresAt(queueName: string, enqueuedAt: number): { expiresAtUtc?: string } {
    const expiry = this.options.expiry?.[queueName];
    return expiry
      ? { expiresAtUtc: new Date(Math.max(enqueuedAt, this.now()) + expiry.timeToLiveMs).toISOString() }
      : {};
  }

  private isExpired(message: LocalMessage): boolean {
    return message.expiresAtUtc !== undefined && Date.parse(message.expiresAtUtc) <= this.now();
  }

  /** An expired message leaves the queue: to the dead-letter sub-queue if the queue says so, else dropped. */
  private expire(queueName: string, q: QueueState, message: LocalMessage): void {
    q.pending.delete(message.sequenceNumber);
    if (this.options.expiry?.[queueName]?.deadLetteringOnMessageExpiration) {
      const dead: DeadLetteredMessage = {
        ...message,
        deadLetterReason: 'TTLExpiredException',
        deadLetterErrorDescription: 'The message expired and was dead lettered.',
      };
      q.deadLetter.push(dead);
      this.record({ op: 'dead', queue: queueName, m: dead });
    } else {
      this.record({ op: 'del', queue: queueName, seq: message.sequenceNumber });
    }
  }

  private record(r: BusRecord): void {
    this.options.journal?.append(r);
  }

  async send(queueName: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.closed) throw new Error('the local bus is closed');
    const q = this.queue(queueName);
    const now = this.now();
    for (const m of messages) {
      // As Service Bus counts it: the body and the properties.
      const size =
        Buffer.byteLength(JSON.stringify(m.body)) + Buffer.byteLength(JSON.stringify({ ...m, body: undefined }));
      if (size > MAX_MESSAGE_BYTES) throw new Error(`message ${m.messageId} is larger than ${MAX_MESSAGE_BYTES} bytes`);
      if (m.messageId.length === 0 || m.messageId.length > MAX_MESSAGE_ID_LENGTH) {
        throw new Error(`messageId must be 1 to ${MAX_MESSAGE_ID_LENGTH} characters: ${m.messageId.slice(0, 40)}...`);
      }
      if (this.isSessionQueue(queueName) && !m.sessionId) {
        // Service Bus: "Entities that have session support enabled can only receive messages that have the SessionId set."
        throw new Error(`the SessionId was not set on message ${m.messageId}, and ${queueName} requires sessions`);
      }
    }
    for (const [id, at] of q.seen) if (now - at > this.options.duplicateDetectionWindowMs) q.seen.delete(id);
    // Billed as Service Bus bills them: an operation per message sent (a batch counts each message).
    this.stats.sent += messages.length;
    for (const m of messages) {
      if (q.seen.has(m.messageId)) {
        this.stats.duplicates += 1;
        continue; // duplicate detection: accepted and dropped
      }
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
        ...this.expiresAt(queueName, m.scheduledEnqueueTime ? m.scheduledEnqueueTime.getTime() : now),
      };
      this.record({ op: 'put', queue: queueName, m: message });
      q.pending.set(message.sequenceNumber, message);
      this.enqueue(queueName, message);
    }
    // Acknowledged once on disk: a kill -9 after this resolves loses nothing.
    await this.options.journal?.flush();
  }

  private enqueue(queueName: string, message: LocalMessage): void {
    const q = this.queue(queueName);
    const due = message.scheduledEnqueueTimeUtc ? Date.parse(message.scheduledEnqueueTimeUtc) - this.now() : 0;
    if (due > 0) {
      const timer = setTimeout(() => {
        q.scheduled.delete(message.sequenceNumber);
        q.active.push(message);
        this.pump(queueName);
      }, due);
      timer.unref();
      q.scheduled.set(message.sequenceNumber, { timer, dueAt: this.now() + due });
      return;
    }
    q.active.push(message);
    this.pump(queueName);
  }

  /**
   * Delivers messages of `queueName` to `handler`, up to maxConcurrentCalls at a time. Each instance of the
   * function app subscribes: competing consumers, each message to one of them.
   */
  subscribe(queueName: string, handler: LocalHandler): void {
    this.queue(queueName).subscriptions.push({ handler, inFlight: 0 });
    this.pump(queueName);
  }

  private isSessionQueue(queueName: string): boolean {
    return this.options.sessionQueues?.includes(queueName) ?? false;
  }

  /**
   * The next message to deliver: the first one, or on a session queue the first whose session is free. Expired ones
   * met on the way leave the queue (Service Bus expires messages as receivers pull them).
   */
  private next(queueName: string, q: QueueState): LocalMessage | undefined {
    for (;;) {
      let message: LocalMessage | undefined;
      if (!this.isSessionQueue(queueName)) message = q.active.shift();
      else {
        const index = q.active.findIndex((m) => !q.busySessions.has(m.sessionId ?? ''));
        if (index >= 0) message = q.active.splice(index, 1)[0];
      }
      if (!message) return undefined;
      if (this.isExpired(message)) {
        this.expire(queueName, q, message);
        continue;
      }
      if (this.isSessionQueue(queueName)) q.busySessions.add(message.sessionId ?? '');
      return message;
    }
  }

  private pump(queueName: string): void {
    const q = this.queue(queueName);
    if (this.closed) return;
    // The least busy consumer takes the next message.
    for (;;) {
      const free = q.subscriptions
        .filter((sub) => sub.inFlight < this.options.maxConcurrentCalls)
        .sort((a, b) => a.inFlight - b.inFlight)[0];
      if (!free || q.active.length === 0) return;
      const message = this.next(queueName, q);
      if (!message) return;
      message.deliveryCount += 1;
      this.stats.delivered += 1;
      this.record({ op: 'put', queue: queueName, m: message });
      q.inFlight += 1;
      free.inFlight += 1;
      void this.deliver(queueName, q, free, message);
    }
  }

  private async deliver(
    queueName: string,
    q: QueueState,
    consumer: { handler: LocalHandler; inFlight: number },
    message: LocalMessage,
  ): Promise<void> {
    const delivery = { lockLost: false };
    const lock = setTimeout(
      () => {
        // The lock expired under a handler still at work: the message is available again, as in Service Bus,
        // and whatever the first handler ends with can no longer settle it.
        delivery.lockLost = true;
        this.abandon(queueName, q, message, 'the message lock expired');
        this.pump(queueName);
      },
      this.options.lockDurationMs ?? 5 * 60_000,
    );
    lock.unref();
    const started = performance.now();
    if (this.working.count++ === 0) this.working.since = started;
    try {
      if (!this.options.faults?.drop?.(queueName, message)) {
        await consumer.handler(structuredClone(message), randomUUID());
      }
      if (!delivery.lockLost) this.complete(queueName, q, message);
    } catch (err) {
      if (!delivery.lockLost) this.abandon(queueName, q, message, err instanceof Error ? err.message : String(err));
    } finally {
      clearTimeout(lock);
      this.stats.settled += 1; // completed or abandoned: one operation either way
      const ended = performance.now();
      this.stats.handlerMs += ended - started;
      if (--this.working.count === 0) this.stats.busyMs += ended - this.working.since;
      q.inFlight -= 1;
      consumer.inFlight -= 1;
      if (this.isSessionQueue(queueName)) q.busySessions.delete(message.sessionId ?? '');
      setImmediate(() => this.pump(queueName));
    }
  }

  private complete(queueName: string, q: QueueState, message: LocalMessage): void {
    const redeliver = this.options.faults?.redeliver;
    if (redeliver && message.deliveryCount === 1) {
      // At-least-once, at its worst: the same message (same id, same body) twice now and once more later.
      q.active.push(message);
      const later = setTimeout(() => {
        q.pending.set(message.sequenceNumber, message);
        q.active.push(message);
        this.pump(queueName);
      }, redeliver.laterMs);
      later.unref();
      return;
    }
    q.pending.delete(message.sequenceNumber);
    this.record({ op: 'del', queue: queueName, seq: message.sequenceNumber });
  }

  /** Abandons a message whose delivery failed: available again, or dead-lettered after maxDeliveryCount. */
  private abandon(queueName: string, q: QueueState, message: LocalMessage, why: string): void {
    if (message.deliveryCount >= this.options.maxDeliveryCount) {
      const dead: DeadLetteredMessage = {
        ...message,
        deadLetterReason: 'MaxDeliveryCountExceeded',
        deadLetterErrorDescription: `Message could not be consumed after ${message.deliveryCount} delivery attempts: ${why}`,
      };
      q.pending.delete(message.sequenceNumber);
      q.deadLetter.push(dead);
      this.record({ op: 'dead', queue: queueName, m: dead });
    } else {
      q.active.push(message); // available again, with its delivery count kept
    }
  }

  /** The local bus has no roles to check: it may be sent to while it is open. */
  probe(): Promise<void> {
    return this.closed ? Promise.reject(new Error('the local bus is closed')) : Promise.resolve();
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
    const dead = q.deadLetter.find((m) => m.sequenceNumber === sequenceNumber);
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
    q.deadLetter = q.deadLetter.filter((m) => m !== dead);
    this.record({ op: 'undead', queue: queueName, seq: sequenceNumber });
    await this.options.journal?.flush();
    return true;
  }

  /** Messages of `queueName` waiting for a consumer, being handled, and scheduled (the benchmark's progress). */
  depth(queueName: string): { active: number; inFlight: number; scheduled: number } {
    const q = this.queue(queueName);
    return { active: q.active.length, inFlight: q.inFlight, scheduled: q.scheduled.size };
  }

  /** Scheduled messages not yet due on `queueName`. */
  scheduledCount(queueName: string): number {
    return this.queue(queueName).scheduled.size;
  }

  /**
   * True when no message is waiting for delivery or being handled, and none of the queues named in
   * `horizons` has one scheduled within its horizon (ms); other scheduled messages aside (a retry in a
   * minute is not work in progress).
   */
  isIdle(horizons: Record<string, number> = {}): boolean {
    const now = this.now();
    return [...this.queues].every(
      ([name, q]) =>
        q.inFlight === 0 &&
        (q.active.length === 0 || q.subscriptions.length === 0) &&
        (q.subscriptions.length === 0 ||
          [...q.scheduled.values()].every((s) => s.dueAt > now + (horizons[name] ?? -Infinity))),
    );
  }

  snapshot(): LocalBusSnapshot {
    const queues: LocalBusSnapshot['queues'] = {};
    for (const [name, q] of this.queues) {
      queues[name] = {
        messages: [...q.pending.values()].map((m) => ({ ...m })),
        deadLetter: q.deadLetter.map((m) => ({ ...m })),
        seen: Object.fromEntries(q.seen),
      };
    }
    return { nextSequence: this.nextSequence, queues };
  }

  /** Takes back a saved state: unsettled messages are delivered again (their locks did not survive). */
  restore(snapshot: LocalBusSnapshot): void {
    this.nextSequence = Math.max(this.nextSequence, snapshot.nextSequence);
    const now = this.now();
    for (const [name, saved] of Object.entries(snapshot.queues)) {
      const q = this.queue(name);
      q.deadLetter.push(...saved.deadLetter);
      for (const [id, at] of Object.entries(saved.seen)) {
        if (now - at <= this.options.duplicateDetectionWindowMs) q.seen.set(id, at);
      }
      for (const m of [...saved.messages].sort((a, b) => a.sequenceNumber - b.sequenceNumber)) {
        q.pending.set(m.sequenceNumber, m);
        this.enqueue(name, m);
      }
    }
  }

  /**
   * The clock the bus reads was moved on (tests move time on rather than wait for it): each scheduled message
   * is due when its time comes on the clock as it is now.
   */
  clockChanged(): void {
    for (const [name, q] of this.queues) {
      const scheduled = [...q.scheduled];
      q.scheduled.clear();
      for (const [sequenceNumber, { timer }] of scheduled) {
        clearTimeout(timer);
        const message = q.pending.get(sequenceNumber);
        if (message) this.enqueue(name, message);
      }
    }
  }

  /** Stops deliveries and waits for the handlers in flight (at most `deadlineMs`). */
  async close(deadlineMs = Infinity): Promise<void> {
    this.closed = true;
    const until = Date.now() + deadlineMs;
    while ([...this.queues.values()].some((q) => q.inFlight > 0) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const q of this.queues.values()) for (const { timer } of q.scheduled.values()) clearTimeout(timer);
  }
}
