import { z } from 'zod';
import type { Actor } from '../../domain/actor';
import { DomainError, ErrorCodes } from '../../domain/errors';
import { isDue } from '../../domain/due';
import { endOfDayInParis } from '../../domain/paris-time';
import type { Clock } from '../../ports/clock';
import type { LaptopPool } from '../../ports/laptop-pool';
import type { MessageBus } from '../../ports/message-bus';
import type { OnboardingStore } from '../../ports/onboarding-store';
import { isoDateSchema } from '../../schemas/hr-events';
import type { Onboarding } from '../../schemas/onboarding';
import { boundedMessageId } from '../message-id';
import type { OnboardingWriter } from '../onboarding/onboarding-writer';
import { QUEUES } from '../queues';

export const departureMessageSchema = z
  .object({ onboardingId: z.string().min(1).max(256), lastDay: isoDateSchema })
  .strict();
export type DepartureMessage = z.infer<typeof departureMessageSchema>;

/**
 * The longest a departure message waits on the queue: a last day further away is reached in hops of at most
 * this (each hop schedules the next), so that no message outlives the queue's time to live (P60D), however
 * Service Bus counts it for a scheduled message.
 */
export const DEPARTURE_HOP_MS = 30 * 24 * 3600 * 1000;

/** When a leaver's access ends: the end of the last day in Europe/Paris. */
export function departureDueAt(lastDay: string): string {
  return endOfDayInParis(lastDay).toISOString();
}

/**
 * Schedules the end of a leaver's last day: a message for that last day, at the end of it (or at the next hop
 * towards it). Its id names the onboarding, the last day and the instant, so that scheduling again (a
 * redelivered event, a hop handled twice) is dropped as a duplicate, and a last day changed since makes the
 * old message a no-op.
 */
export function createScheduleDeparture(bus: MessageBus, clock: Clock) {
  return async function scheduleDeparture(onboarding: Onboarding): Promise<void> {
    const departure = onboarding.departure;
    if (onboarding.status !== 'leaving' || !departure || departure.accessRemovedAt !== undefined) return;
    // Held by the guard against mass departures: scheduled once confirmed.
    if (departure.held) return;
    const due = Date.parse(departure.dueAt);
    const now = clock.now().getTime();
    // The hop in (now, now + hop]: the same instant for every re-send within one hop.
    const hops = Math.max(0, Math.ceil((due - now) / DEPARTURE_HOP_MS) - 1);
    const at = new Date(due - hops * DEPARTURE_HOP_MS);
    await bus.send(QUEUES.departures, [
      {
        messageId: boundedMessageId(`departure/${onboarding.id}/${departure.lastDay}/${at.toISOString()}`),
        subject: 'departure',
        contentType: 'application/json',
        correlationId: onboarding.id,
        body: { onboardingId: onboarding.id, lastDay: departure.lastDay } satisfies DepartureMessage,
        scheduledEnqueueTime: at,
        ...(onboarding.traceparent ? { applicationProperties: { traceparent: onboarding.traceparent } } : {}),
      },
    ]);
  };
}
export type ScheduleDeparture = ReturnType<typeof createScheduleDeparture>;

/**
 * A leaver's departure message came. For the departure as it stands and once its last day has ended, access
 * is removed (the VPN and licence undone by the same code as a cancellation) and the laptop is expected back
 * (`to-return`). A message for a last day since changed, or one already applied, changes nothing; one that
 * comes early (a hop) schedules the next. Answers the onboarding as it stands (null: unknown id).
 */
export function createHandleDeparture(deps: {
  store: OnboardingStore;
  writer: OnboardingWriter;
  laptops: LaptopPool;
  clock: Clock;
  scheduleDeparture: ScheduleDeparture;
}) {
  const { store, writer, laptops, clock } = deps;
  return async function handleDeparture(message: DepartureMessage): Promise<Onboarding | null> {
    const current = await store.get(message.onboardingId);
    if (!current) return null;
    const { status, departure } = current.value;
    if (status !== 'leaving' || departure?.lastDay !== message.lastDay) return current.value;
    let after: Onboarding | null = current.value;
    if (departure.accessRemovedAt === undefined) {
      // Early (a hop towards a far last day): the next hop. Within the tolerance it is the day's own message.
      if (!isDue(departure.dueAt, clock.now())) {
        await deps.scheduleDeparture(current.value);
        return current.value;
      }
      after = await writer.apply(
        message.onboardingId,
        () => ({ type: 'departure-due', at: clock.now().toISOString(), lastDay: message.lastDay }),
        current,
      );
    }
    // Again on a redelivery: a crash between the two writes leaves the laptop to mark.
    const laptop = after?.steps.laptop;
    if (laptop?.status === 'returning' && laptop.serialNumber !== undefined) {
      await laptops.markToReturn(laptop.serialNumber, message.onboardingId);
    }
    return after;
  };
}

/** What one confirmation of a held departure came to: the onboarding, or what the single change would have thrown. */
export type ConfirmOutcome = { onboardingId: string } & (
  { ok: true; onboarding: Onboarding } | { ok: false; error: unknown }
);

/**
 * A person confirms departures the guard held (`POST /api/departures/confirm`): each runs as usual from then on
 * (its last day's end scheduled). One that is unknown, or not held, is told so and never fails the others.
 */
export function createConfirmDepartures(deps: {
  writer: OnboardingWriter;
  clock: Clock;
  scheduleDeparture: ScheduleDeparture;
}) {
  return async function confirmDepartures(ids: readonly string[], by: Actor): Promise<ConfirmOutcome[]> {
    const outcomes: ConfirmOutcome[] = [];
    for (const onboardingId of ids) {
      try {
        const at = deps.clock.now().toISOString();
        const confirmed = await deps.writer.apply(onboardingId, () => ({ type: 'departure-confirmed', at, by }));
        if (!confirmed) throw new DomainError(ErrorCodes.notFound, `no onboarding ${onboardingId}`);
        await deps.scheduleDeparture(confirmed);
        outcomes.push({ onboardingId, ok: true, onboarding: confirmed });
      } catch (error) {
        outcomes.push({ onboardingId, ok: false, error });
      }
    }
    return outcomes;
  };
}
