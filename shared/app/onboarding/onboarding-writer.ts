import { decide, type OnboardingEvent } from '../../domain/decide';
import { DomainError } from '../../domain/errors';
import type { Clock } from '../../ports/clock';
import type { MessageBus, OutgoingMessage } from '../../ports/message-bus';
import { ConcurrencyConflict, type OnboardingStore, type Versioned } from '../../ports/onboarding-store';
import { TransientError } from '../../ports/provisioners';
import type { Onboarding, StepCommand } from '../../schemas/onboarding';
import { recordChange } from '../../telemetry/telemetry';
import { boundedMessageId } from '../message-id';
import type { RequestAllocation } from '../laptops/allocation-requests';
import type { Announce } from '../notifications/notifications';
import { STEP_QUEUE_NAMES, stepQueueFor } from '../queues';

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
        command.recheck && `c${command.recheck}`,
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

/**
 * The queue of a step's commands: by the Graph budget the step spends (the laptop's, Teams', or the provisioning
 * queue for the VPN and the licence), the continuity agents' own or the others'.
 */
export function stepQueueOf(command: StepCommand): string {
  return stepQueueFor(command.step, command.priority ?? 'standard');
}

/** Sends step commands, each to its step's queue (one batch a queue, continuity's first). */
export async function sendStepCommands(bus: MessageBus, commands: StepCommand[], traceparent?: string): Promise<void> {
  for (const queue of STEP_QUEUE_NAMES) {
    const mine = commands.filter((c) => stepQueueOf(c) === queue);
    if (mine.length > 0)
      await bus.send(
        queue,
        mine.map((c) => toStepMessage(c, traceparent)),
      );
  }
}

/**
 * Sends commands: a step's to its queue; a laptop's request as a request for a pass of the
 * pool's allocator (requests of one moment come to one pass).
 */
async function sendCommands(
  bus: MessageBus,
  requestAllocation: RequestAllocation,
  commands: StepCommand[],
  traceparent?: string,
): Promise<void> {
  await sendStepCommands(
    bus,
    commands.filter((c) => c.type !== 'request-laptop'),
    traceparent,
  );
  const request = commands.find((c) => c.type === 'request-laptop');
  if (request) await requestAllocation(`approved/${request.onboardingId}/${request.attempt}`);
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
  /**
   * Sends again what the stored outbox still holds: commands whose consumer has not written yet (sent and
   * queued, or lost with a worker that stopped between its write and its send). Their ids are the same,
   * so duplicate detection drops those already sent; their consumers clear them in their own writes.
   */
  flushOutbox(current: Versioned<Onboarding>): Promise<void>;
}

export function createOnboardingWriter(deps: {
  store: OnboardingStore;
  bus: MessageBus;
  clock: Clock;
  requestAllocation: RequestAllocation;
  /** Tells the DSI's channel what a change calls for (never throws). */
  announce?: Pick<Announce, 'changed'>;
}): OnboardingWriter {
  const { store, bus, clock, requestAllocation, announce } = deps;

  async function flushOutbox(current: Versioned<Onboarding>): Promise<void> {
    if (current.value.outbox.length > 0)
      await sendCommands(bus, requestAllocation, current.value.outbox, current.value.traceparent);
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
      let decision: ReturnType<typeof decide> | null;
      try {
        decision = event ? decide(current.value, event) : null;
      } catch (err) {
        // Refused (a decision made already...): often the caller's retry after a crash between the write it
        // asked for and its send. What that write implies goes out now, not at the next sweep.
        if (err instanceof DomainError) await flushOutbox(current);
        throw err;
      }
      if (!decision?.changed) {
        // A redelivery after a crash between write and send: send what the state still implies.
        await flushOutbox(current);
        return current.value;
      }
      try {
        const saved = await store.replace(decision.state, current.etag);
        recordChange(saved.value, decision.history);
        await sendCommands(bus, requestAllocation, decision.commands, saved.value.traceparent);
        await announce?.changed(saved.value, decision.history);
        return saved.value;
      } catch (err) {
        if (!(err instanceof ConcurrencyConflict)) throw err;
      }
    }
    throw new TransientError(`onboarding ${id} is too contended; try again`);
  }

  return { apply, flushOutbox };
}
