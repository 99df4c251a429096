import { decide, type OnboardingEvent } from '../domain/decide';
import type { Clock } from '../ports/clock';
import type { MessageBus, OutgoingMessage } from '../ports/message-bus';
import { ConcurrencyConflict, type OnboardingStore, type Versioned } from '../ports/onboarding-store';
import { TransientError } from '../ports/provisioners';
import type { Onboarding, StepCommand } from '../schemas/onboarding';
import { recordChange } from '../telemetry/telemetry';
import { boundedMessageId } from './message-id';
import { QUEUES } from './queues';

const MAX_CONFLICTS = 8;

/**
 * The message for a step command; its id is deterministic, so a re-send is dropped as a duplicate.
 * It carries the onboarding's traceparent, so that the worker continues the onboarding's trace.
 */
export function toStepMessage(command: StepCommand, traceparent?: string): OutgoingMessage {
  return {
    messageId: boundedMessageId(
      [
        command.onboardingId,
        command.step,
        command.type,
        command.attempt,
        command.retry && `r${command.retry}`,
        command.key,
      ]
        .filter((part) => part !== undefined && part !== '')
        .join('/'),
    ),
    subject: command.type,
    contentType: 'application/json',
    correlationId: command.onboardingId,
    body: command,
    ...(command.notBefore ? { scheduledEnqueueTime: new Date(command.notBefore) } : {}),
    ...(traceparent ? { applicationProperties: { traceparent } } : {}),
  };
}

export interface OnboardingWriter {
  /**
   * Reads the onboarding, asks `eventFor` what happened (null: nothing), decides, writes with If-Match
   * and sends the commands. On a stale etag it re-reads and re-decides. Returns null when the id is unknown.
   */
  apply(
    id: string,
    eventFor: (current: Onboarding) => OnboardingEvent | null,
    /** The onboarding as the caller just read it: spares the first read (a stale etag re-reads anyway). */
    known?: Versioned<Onboarding>,
  ): Promise<Onboarding | null>;
  /** Sends what the stored outbox still holds, then empties it. */
  flushOutbox(current: Versioned<Onboarding>): Promise<void>;
}

export function createOnboardingWriter(deps: {
  store: OnboardingStore;
  bus: MessageBus;
  clock: Clock;
}): OnboardingWriter {
  const { store, bus, clock } = deps;

  async function flushOutbox(current: Versioned<Onboarding>): Promise<void> {
    if (current.value.outbox.length === 0) return;
    const sent = current.value.outbox.map((c) => toStepMessage(c, current.value.traceparent));
    await bus.send(QUEUES.provisioning, sent);
    const sentIds = new Set(sent.map((m) => m.messageId));
    let latest: Versioned<Onboarding> | null = current;
    for (let i = 0; i < MAX_CONFLICTS && latest; i++) {
      const remaining = latest.value.outbox.filter((c) => !sentIds.has(toStepMessage(c).messageId));
      if (remaining.length === latest.value.outbox.length) return;
      try {
        await store.replace({ ...latest.value, outbox: remaining }, latest.etag);
        return;
      } catch (err) {
        if (!(err instanceof ConcurrencyConflict)) throw err;
        latest = await store.get(current.value.id);
      }
    }
    // Still contended: the messages are sent; the sweeper re-sends the rest and duplicate detection drops them.
  }

  async function apply(
    id: string,
    eventFor: (current: Onboarding) => OnboardingEvent | null,
    known?: Versioned<Onboarding>,
  ): Promise<Onboarding | null> {
    for (let i = 0; i < MAX_CONFLICTS; i++) {
      const current = i === 0 && known ? known : await store.get(id);
      if (!current) return null;
      const proposed = eventFor(current.value);
      // Stamped when decided, so that a change re-decided after a conflict comes later in the history.
      const event = proposed && { ...proposed, at: clock.now().toISOString() };
      const decision = event ? decide(current.value, event) : null;
      if (!decision?.changed) {
        // A redelivery after a crash between write and send: send what the state still implies.
        await flushOutbox(current);
        return current.value;
      }
      try {
        const saved = await store.replace(decision.state, current.etag);
        recordChange(saved.value, decision.history);
        await flushOutbox(saved);
        return saved.value;
      } catch (err) {
        if (!(err instanceof ConcurrencyConflict)) throw err;
      }
    }
    throw new TransientError(`onboarding ${id} is too contended; try again`);
  }

  return { apply, flushOutbox };
}
