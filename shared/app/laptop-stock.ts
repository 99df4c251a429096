import type { Reservation } from '../domain/laptop-allocation';
import type { Clock } from '../ports/clock';
import type { LaptopPool } from '../ports/laptop-pool';
import type { MessageBus } from '../ports/message-bus';
import type { OnboardingStore } from '../ports/onboarding-store';
import type { AddLaptopsBody, LaptopStatus } from '../schemas/laptops';
import { toStepMessage } from './onboarding-writer';
import { QUEUES } from './queues';

/** Tells the worker that these onboardings now hold a laptop: their waiting laptop step goes on. */
export function createResumeLaptopSteps(bus: MessageBus, clock: Clock, store: OnboardingStore) {
  return async function resume(reservations: Reservation[], resend = false): Promise<void> {
    if (reservations.length === 0) return;
    // A re-send (by the sweeper) gets a new key per minute, or duplicate detection would drop it.
    const bucket = resend ? `/${Math.floor(clock.now().getTime() / 60_000)}` : '';
    const messages = await Promise.all(
      reservations.map(async (r) =>
        toStepMessage(
          {
            type: 'resume-step',
            onboardingId: r.onboardingId,
            employeeId: r.employeeId,
            step: 'laptop',
            attempt: 0,
            key: `${r.serialNumber}${bucket}`,
          },
          // The resumed step continues its onboarding's trace.
          (await store.get(r.onboardingId))?.value.traceparent,
        ),
      ),
    );
    await bus.send(QUEUES.provisioning, messages);
  };
}
export type ResumeLaptopSteps = ReturnType<typeof createResumeLaptopSteps>;

/** Inventory: laptops added to stock serve the waiting onboardings at once, in priority order. */
export function createLaptopStock(deps: { laptops: LaptopPool; resume: ResumeLaptopSteps }) {
  return {
    async add(body: AddLaptopsBody): Promise<{ added: number; skipped: string[] }> {
      const { added, skipped, reservations } = await deps.laptops.add(body.laptops);
      await deps.resume(reservations);
      return { added, skipped };
    },
    list: (status?: LaptopStatus) => deps.laptops.list(status),
    /** Re-sends the resume messages of reservations not taken up (their message may have been lost). */
    async resendStale(olderThan: string): Promise<number> {
      const stale = await deps.laptops.staleReservations(olderThan);
      await deps.resume(stale, true);
      return stale.length;
    },
  };
}
