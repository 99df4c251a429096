import type { Reservation } from '../domain/laptop-allocation';
import type { Clock } from '../ports/clock';
import type { LaptopPool } from '../ports/laptop-pool';
import type { MessageBus } from '../ports/message-bus';
import { laptopRequestFor, type AddLaptopsBody, type LaptopStatus } from '../schemas/laptops';
import type { Onboarding } from '../schemas/onboarding';
import { toStepMessage } from './onboarding-writer';
import { QUEUES } from './queues';

/** Tells the worker that these onboardings now hold a laptop: their waiting laptop step goes on. */
export function createResumeLaptopSteps(bus: MessageBus, clock: Clock) {
  return async function resume(reservations: Reservation[], resend = false): Promise<void> {
    if (reservations.length === 0) return;
    // A re-send (by the sweeper) gets a new key per minute, or duplicate detection would drop it.
    const bucket = resend ? `/${Math.floor(clock.now().getTime() / 60_000)}` : '';
    const messages = reservations.map((r) =>
      toStepMessage(
        {
          type: 'resume-step',
          onboardingId: r.onboardingId,
          employeeId: r.employeeId,
          step: 'laptop',
          attempt: 0,
          key: `${r.serialNumber}${bucket}`,
        },
        r.traceparent,
      ),
    );
    await bus.send(QUEUES.provisioning, messages);
  };
}
export type ResumeLaptopSteps = ReturnType<typeof createResumeLaptopSteps>;

/** Inventory: laptops added to stock serve the waiting onboardings at once, in priority order. */
export function createLaptopStock(deps: { laptops: LaptopPool; resume: ResumeLaptopSteps; clock: Clock }) {
  return {
    /**
     * Re-plans an onboarding whose laptop is not settled (its start date changed): its place in line takes
     * the new facts, and an allocation pass runs. A run in flight with an older read cannot undo this.
     */
    async replan(onboarding: Onboarding): Promise<void> {
      if (onboarding.status !== 'provisioning' && onboarding.status !== 'needs-attention') return;
      if (!['in-progress', 'waiting'].includes(onboarding.steps.laptop.status)) return;
      const { reservations } = await deps.laptops.request(laptopRequestFor(onboarding, deps.clock.now().toISOString()));
      await deps.resume(reservations);
    },
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
export type LaptopStock = ReturnType<typeof createLaptopStock>;
