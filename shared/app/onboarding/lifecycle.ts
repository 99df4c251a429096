import type { Actor } from '../../domain/actor';
import { DomainError, ErrorCodes } from '../../domain/errors';
import type { Clock } from '../../ports/clock';
import type { MessageBus } from '../../ports/message-bus';
import type { OnboardingStore } from '../../ports/onboarding-store';
import type { Priority } from '../../schemas/hr-events';
import type { Onboarding } from '../../schemas/onboarding';
import { sendStepCommands, type OnboardingWriter } from './onboarding-writer';

/**
 * A licence seat came free (a leaver's or a cancelled hire's licence removed): the first onboarding waiting
 * for a seat, in the order laptops are served, looks again now rather than at its next re-check.
 */
export function createServeFreedSeat(deps: { store: OnboardingStore; bus: MessageBus }) {
  return async function serveFreedSeat(freedBy: string): Promise<void> {
    const [next] = await deps.store.waitingForSeat(1);
    if (!next) return;
    await sendStepCommands(
      deps.bus,
      [
        {
          type: 'resume-step',
          onboardingId: next.onboardingId,
          employeeId: next.employeeId,
          step: 'officeLicense',
          attempt: 0,
          key: `seat/${freedBy}`,
          ...(next.priority === 'continuity' ? { priority: next.priority } : {}),
        },
      ],
      next.traceparent,
    );
  };
}
export type ServeFreedSeat = ReturnType<typeof createServeFreedSeat>;

/**
 * The DSI changes an open onboarding's priority (`PATCH /api/onboardings/{id}`): recorded with its actor;
 * a laptop step in line is served in the new order from the next pass, asked for now. 404 unknown, 409
 * finished.
 */
export function createChangePriority(deps: {
  writer: OnboardingWriter;
  clock: Clock;
  /** Asks for an allocation pass when the onboarding's laptop step is in line. */
  replanLaptop: (onboarding: Onboarding) => Promise<void>;
}) {
  return async function changePriority(id: string, priority: Priority, by: Actor): Promise<Onboarding> {
    const at = deps.clock.now().toISOString();
    const changed = await deps.writer.apply(id, () => ({ type: 'priority-changed', at, by, priority }));
    if (!changed) throw new DomainError(ErrorCodes.notFound, `no onboarding ${id}`);
    await deps.replanLaptop(changed);
    return changed;
  };
}
