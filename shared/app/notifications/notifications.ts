import { z } from 'zod';
import { redact } from '../../telemetry/redaction';
import { REMINDER_SENT } from '../../domain/decide';
import type { Clock } from '../../ports/clock';
import type { MessageBus, OutgoingMessage } from '../../ports/message-bus';
import type { Notifier } from '../../ports/notifier';
import type { OnboardingStore, OnboardingRow } from '../../ports/onboarding-store';
import { TransientError } from '../../ports/provisioners';
import { stepNameSchema, type HistoryEntry, type Onboarding } from '../../schemas/onboarding';
import { cardFor, type DigestItem } from './notification-cards';
import { boundedMessageId } from '../message-id';
import { QUEUES } from '../queues';

/** A digest lists this many; the card says how many more, and links to the approvals. */
export const DIGEST_MAX_ITEMS = 50;

const HOUR_MS = 3600_000;

const onboardingIdSchema = z.string().min(1).max(256);

/** What the DSI's channel is told: one message of the notifications queue each. */
export const notificationSchema = z.discriminatedUnion('kind', [
  /** The onboardings created in [from, to) still awaiting approval when it is sent. */
  z.object({ kind: z.literal('awaiting-approval'), from: z.iso.datetime(), to: z.iso.datetime() }).strict(),
  z.object({ kind: z.literal('reminder'), onboardingId: onboardingIdSchema }).strict(),
  z
    .object({
      kind: z.literal('needs-attention'),
      onboardingId: onboardingIdSchema,
      step: stepNameSchema,
      /** The step's run that failed: a later failure after a retry is news again. */
      run: z.number().int().min(0),
      reason: z.string().max(2000),
    })
    .strict(),
  z.object({ kind: z.literal('continuity-equipped'), onboardingId: onboardingIdSchema }).strict(),
  /** Departures held by the guard, from the hour `window` starts on: one card an hour lists them. */
  z
    .object({ kind: z.literal('departures-held'), window: z.iso.datetime(), maxPerHour: z.number().int().positive() })
    .strict(),
]);
export type Notification = z.infer<typeof notificationSchema>;

/** A notification as queued: with its delivery attempt (a retry is the same notification, scheduled later). */
export const queuedNotificationSchema = z.object({
  notification: notificationSchema,
  attempt: z.number().int().min(0),
});
export type QueuedNotification = z.infer<typeof queuedNotificationSchema>;

/** What a change of an onboarding tells the channel, from the history entries it wrote. Pure. */
export function notificationsOf(onboarding: Onboarding, written: readonly HistoryEntry[]): Notification[] {
  const out: Notification[] = [];
  for (const entry of written) {
    if (entry.type === REMINDER_SENT) out.push({ kind: 'reminder', onboardingId: onboarding.id });
    if (entry.type === 'step.failed' && onboarding.status === 'needs-attention') {
      const step = stepNameSchema.safeParse(entry.details.step);
      if (step.success) {
        const { code, message } = entry.details;
        const reason = [code, message].filter((p): p is string => typeof p === 'string').join(': ');
        const run = onboarding.steps[step.data].attempt;
        out.push({ kind: 'needs-attention', onboardingId: onboarding.id, step: step.data, run, reason });
      }
    }
    if (entry.type === 'onboarding.completed' && onboarding.priority === 'continuity') {
      out.push({ kind: 'continuity-equipped', onboardingId: onboarding.id });
    }
    if (entry.type === 'departure.held') {
      const window = new Date(Math.floor(Date.parse(entry.at) / HOUR_MS) * HOUR_MS).toISOString();
      const { maxPerHour } = entry.details;
      if (typeof maxPerHour === 'number') out.push({ kind: 'departures-held', window, maxPerHour });
    }
  }
  return out;
}

/** A notification's message id: the same notification queued twice is one message (duplicate detection). */
function messageIdOf(n: Notification, attempt: number): string {
  const base =
    n.kind === 'awaiting-approval'
      ? `notify/awaiting-approval/${n.to}`
      : n.kind === 'departures-held'
        ? `notify/departures-held/${n.window}`
        : n.kind === 'needs-attention'
          ? `notify/needs-attention/${n.onboardingId}/${n.step}/${n.run}`
          : `notify/${n.kind}/${n.onboardingId}`;
  return boundedMessageId(attempt > 0 ? `${base}/r${attempt}` : base);
}

function toMessage(queued: QueuedNotification, at?: Date): OutgoingMessage {
  return {
    messageId: messageIdOf(queued.notification, queued.attempt),
    subject: queued.notification.kind,
    contentType: 'application/json',
    body: queued,
    ...(at ? { scheduledEnqueueTime: at } : {}),
  };
}

/**
 * Queues what a change tells the channel. Never throws: a notification is never a reason for a step, a
 * decision or a hire to fail (what could not be queued is logged, by onboarding id).
 */
export function createAnnounce(deps: {
  bus: MessageBus;
  clock: Clock;
  log: (line: string) => void;
  /** New onboardings awaiting approval come to the channel as one digest per window at most (a minute). */
  digestWindowMs: number;
}) {
  const { bus, clock, log, digestWindowMs } = deps;
  async function send(messages: OutgoingMessage[], what: string): Promise<void> {
    if (messages.length === 0) return;
    try {
      await bus.send(QUEUES.notifications, messages);
    } catch (err) {
      log(`notification of ${what} not queued: ${err instanceof Error ? redact(err.message) : 'unknown error'}`);
    }
  }
  return {
    /** After a change was written: its reminder, needs-attention or continuity agent equipped. */
    async changed(onboarding: Onboarding, written: readonly HistoryEntry[]): Promise<void> {
      // Held departures come as one card an hour, sent a digest window after the first: those held with it in
      // one burst of an HR export are on it.
      const later = new Date(clock.now().getTime() + digestWindowMs);
      const messages = notificationsOf(onboarding, written).map((notification) =>
        toMessage({ notification, attempt: 0 }, notification.kind === 'departures-held' ? later : undefined),
      );
      await send(messages, onboarding.id);
    },
    /**
     * A new onboarding awaits approval: the digest of its window, sent at the end of it. However many
     * arrive within the window, duplicate detection keeps one message: one card.
     */
    async created(onboarding: Onboarding): Promise<void> {
      const created = Date.parse(onboarding.createdAt);
      const to = new Date((Math.floor(created / digestWindowMs) + 1) * digestWindowMs);
      const from = new Date(to.getTime() - digestWindowMs);
      const notification: Notification = {
        kind: 'awaiting-approval',
        from: from.toISOString(),
        to: to.toISOString(),
      };
      await send(
        [toMessage({ notification, attempt: 0 }, new Date(Math.max(to.getTime(), clock.now().getTime())))],
        onboarding.id,
      );
    },
  };
}
export type Announce = ReturnType<typeof createAnnounce>;

/** How a delivery came out: posted, nothing to say (decided meanwhile...), retried later, or given up. */
export type DeliveryOutcome =
  | { outcome: 'posted' }
  | { outcome: 'nothing-to-post' }
  | { outcome: 'retry-scheduled'; attempt: number; at: string }
  | { outcome: 'gave-up'; reason: string };

/**
 * Posts one notification to the channel. A transient failure (throttled, 5xx, timeout) schedules the same
 * notification again with exponential back-off (at least Retry-After), `maxAttempts` times in all (about
 * two hours with a 10-second base), then gives up; the caller sets it aside.
 */
export function createDeliverNotification(deps: {
  store: OnboardingStore;
  notifier: Notifier | null;
  bus: MessageBus;
  clock: Clock;
  consoleUrl: string;
  retry: { maxAttempts: number; baseSeconds: number; maxSeconds: number };
}) {
  const { store, notifier, bus, clock, consoleUrl, retry } = deps;

  async function digestItems(from: string, to: string): Promise<{ items: DigestItem[]; more: number }> {
    const items: DigestItem[] = [];
    let more = 0;
    let token: string | undefined;
    // Newest first: stop at the first page that reaches before the window.
    for (;;) {
      const page = await store.rowsPage({ status: 'awaiting-approval' }, 100, token);
      for (const row of page.items) {
        if (row.createdAt >= to || row.createdAt < from) continue;
        if (items.length < DIGEST_MAX_ITEMS) items.push(digestItem(row));
        else more += 1;
      }
      const last = page.items.at(-1);
      if (!page.continuationToken || !last || last.createdAt < from) return { items, more };
      token = page.continuationToken;
    }
  }

  /** The departures held by the guard now (none: confirmed meanwhile, nothing to say). */
  async function heldDepartures(): Promise<{ items: DigestItem[]; more: number }> {
    const items: DigestItem[] = [];
    let more = 0;
    let token: string | undefined;
    do {
      const page = await store.rowsPage({ status: 'leaving' }, 200, token);
      for (const row of page.items.filter((r) => r.departure?.held)) {
        if (items.length < DIGEST_MAX_ITEMS) items.push(digestItem(row));
        else more += 1;
      }
      token = page.continuationToken ?? undefined;
    } while (token);
    return { items, more };
  }

  return async function deliverNotification(queued: QueuedNotification): Promise<DeliveryOutcome> {
    if (!notifier) return { outcome: 'nothing-to-post' };
    const n = queued.notification;
    let card;
    if (n.kind === 'awaiting-approval') {
      const { items, more } = await digestItems(n.from, n.to);
      if (items.length === 0) return { outcome: 'nothing-to-post' };
      card = cardFor(n, { consoleUrl, items, more });
    } else if (n.kind === 'departures-held') {
      const { items, more } = await heldDepartures();
      if (items.length === 0) return { outcome: 'nothing-to-post' };
      card = cardFor(n, { consoleUrl, items, more });
    } else {
      const found = await store.get(n.onboardingId);
      // A reminder for an onboarding decided since is no longer news.
      if (!found || (n.kind === 'reminder' && found.value.status !== 'awaiting-approval')) {
        return { outcome: 'nothing-to-post' };
      }
      card = cardFor(n, { consoleUrl, onboarding: digestItem(found.value) });
    }
    try {
      await notifier.post(card);
      return { outcome: 'posted' };
    } catch (err) {
      if (!(err instanceof TransientError)) throw err;
      const attempt = queued.attempt + 1;
      if (attempt >= retry.maxAttempts) return { outcome: 'gave-up', reason: err.message };
      const backoff = Math.min(retry.maxSeconds, retry.baseSeconds * 2 ** (attempt - 1));
      const delaySeconds = Math.max(backoff, err.retryAfterSeconds ?? 0);
      const at = new Date(clock.now().getTime() + delaySeconds * 1000);
      await bus.send(QUEUES.notifications, [toMessage({ notification: n, attempt }, at)]);
      return { outcome: 'retry-scheduled', attempt, at: at.toISOString() };
    }
  };
}

/** What a card shows of an onboarding: ids and facts, no names (they are one click away, signed in). */
function digestItem(o: OnboardingRow): DigestItem {
  return {
    onboardingId: o.id,
    employeeId: o.employeeId,
    department: o.department,
    priority: o.priority,
    startDate: o.startDate,
    createdAt: o.createdAt,
    ...(o.departure ? { lastDay: o.departure.lastDay } : {}),
  };
}
