import type { Actor } from '../domain/actor';
import { DomainError, ErrorCodes } from '../domain/errors';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { LaptopPool } from '../ports/laptop-pool';
import type { MessageBus } from '../ports/message-bus';
import type { OnboardingStore } from '../ports/onboarding-store';
import type { Priority } from '../schemas/hr-events';
import type { Laptop, LaptopReturnBody } from '../schemas/laptops';
import type { Onboarding } from '../schemas/onboarding';
import type { RequestAllocation } from './allocation-requests';
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

/**
 * The DSI records a laptop's return (`POST /api/laptops/{serialNumber}/return`), from `to-return` (a leaver's)
 * or `repair`. The leaver's onboarding first (its laptop step reverted; left when access is gone too), then
 * the laptop: `ok` loses its Autopilot user and goes back in stock, where the line is served at once;
 * `repair` stays out of stock. A crash in between leaves the laptop as it was, and the same request again
 * finishes (the onboarding's part is not done twice).
 */
export function createReturnLaptop(deps: {
  laptops: LaptopPool;
  writer: OnboardingWriter;
  directory: Directory;
  clock: Clock;
  requestAllocation: RequestAllocation;
}) {
  const { laptops, writer, directory, clock } = deps;
  return async function returnLaptop(serialNumber: string, body: LaptopReturnBody, by: Actor): Promise<Laptop> {
    const laptop = await laptops.find(serialNumber);
    if (!laptop) throw new DomainError(ErrorCodes.laptopNotFound, `no laptop ${serialNumber}`);
    if (laptop.status !== 'to-return' && laptop.status !== 'repair') {
      throw new DomainError(
        ErrorCodes.laptopNotReturnable,
        `laptop ${laptop.serialNumber} is ${laptop.status}; only a laptop to return or in repair can be returned`,
      );
    }
    if (laptop.onboardingId !== null) {
      await writer.apply(laptop.onboardingId, () => ({
        type: 'laptop-returned',
        at: clock.now().toISOString(),
        by,
        serialNumber: laptop.serialNumber,
        condition: body.condition,
        ...(body.comment !== undefined ? { comment: body.comment } : {}),
      }));
    }
    if (body.condition === 'ok') await directory.unassignDevice(laptop.serialNumber);
    if (!(await laptops.recordReturn(laptop.serialNumber, body.condition))) {
      throw new DomainError(
        ErrorCodes.laptopNotReturnable,
        `laptop ${laptop.serialNumber} changed while its return was recorded; read it again`,
      );
    }
    if (body.condition === 'ok') await deps.requestAllocation(`returned/${laptop.serialNumber}/${laptop.updatedAt}`);
    const now = await laptops.find(laptop.serialNumber);
    return now ?? laptop;
  };
}
