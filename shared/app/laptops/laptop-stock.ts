import { createHash } from 'node:crypto';
import { planAllocation, type AvailableLaptop, type Reservation } from '../../domain/laptop-allocation';
import type { Clock } from '../../ports/clock';
import type { LaptopPool } from '../../ports/laptop-pool';
import type { MessageBus } from '../../ports/message-bus';
import type { OnboardingStore } from '../../ports/onboarding-store';
import type { AddLaptopsBody, LaptopRequest, LaptopStatus } from '../../schemas/laptops';
import type { RequestAllocation } from './allocation-requests';
import { stepQueueOf, toStepMessage } from '../onboarding/onboarding-writer';
import { STEP_QUEUES } from '../queues';

/** How many waiting onboardings one allocation pass serves at most (another pass follows when there are more). */
export const PASS_SIZE = 200;
const RESERVE_AT_ONCE = 25;

function reservationOf(request: LaptopRequest, serialNumber: string): Reservation {
  return {
    onboardingId: request.onboardingId,
    employeeId: request.employeeId,
    serialNumber,
    attempt: request.attempt,
    ...(request.traceparent ? { traceparent: request.traceparent } : {}),
    ...(request.priority === 'continuity' ? { priority: request.priority } : {}),
  };
}

/** Tells the worker that these onboardings now hold a laptop: their waiting laptop step goes on. */
export function createResumeLaptopSteps(bus: MessageBus, clock: Clock, resendPeriodSeconds = 60) {
  return async function resume(reservations: Reservation[], resend = false): Promise<void> {
    if (reservations.length === 0) return;
    // A re-send (by the sweeper) gets a new key per period, or duplicate detection would drop it.
    const bucket = resend ? `/${Math.floor(clock.now().getTime() / (resendPeriodSeconds * 1000))}` : '';
    const run = (r: Reservation) => (r.attempt !== undefined ? `/a${r.attempt}` : '');
    const commands = reservations.map((r) => ({
      command: {
        type: 'resume-step' as const,
        onboardingId: r.onboardingId,
        employeeId: r.employeeId,
        step: 'laptop' as const,
        attempt: 0,
        key: `${r.serialNumber}${run(r)}${bucket}`,
        ...(r.priority ? { priority: r.priority } : {}),
      },
      traceparent: r.traceparent,
    }));
    // Continuity agents' first, on their own queue.
    for (const queue of [STEP_QUEUES.laptop.continuity, STEP_QUEUES.laptop.standard]) {
      const mine = commands.filter(({ command }) => stepQueueOf(command) === queue);
      if (mine.length > 0)
        await bus.send(
          queue,
          mine.map(({ command, traceparent }) => toStepMessage(command, traceparent)),
        );
    }
  };
}
export type ResumeLaptopSteps = ReturnType<typeof createResumeLaptopSteps>;

/**
 * The laptop stock: laptops added, listed, taken back; and the allocation pass, which only the pool's
 * allocator runs (one at a time per pool, the session of the allocation queue). A pass reads the line of
 * waiting onboardings in priority order (continuity, earliest start date, earliest approval) and the
 * available laptops, reserves one laptop per onboarding until they run out, and resumes those onboardings.
 * What it reads and writes does not grow with the stock: the first `passSize` of the line, as many laptops.
 */
export function createLaptopStock(deps: {
  laptops: LaptopPool;
  store: OnboardingStore;
  resume: ResumeLaptopSteps;
  requestAllocation: RequestAllocation;
  clock: Clock;
  /** How often the sweeper may ask for a pass when someone waits and a laptop is free. */
  nudgePeriodSeconds?: number;
  /** How many of the line one pass serves at most (default PASS_SIZE; tests take a smaller one). */
  passSize?: number;
}) {
  const { laptops, store, resume, requestAllocation } = deps;
  const passSize = deps.passSize ?? PASS_SIZE;
  return {
    async add(body: AddLaptopsBody): Promise<{ added: number; skipped: string[] }> {
      const result = await laptops.add(body.laptops);
      // A pass even when every serial was known: this may be the retry of an add that a crash cut after its
      // writes and before this request (a pass that finds nobody waiting reads only the line's head).
      const serials = body.laptops.map((l) => l.serialNumber.toUpperCase()).join(',');
      await requestAllocation(`add/${createHash('sha256').update(serials).digest('base64url')}`);
      return result;
    },

    list: (options: { status?: LaptopStatus; handedOver?: boolean; limit: number; continuationToken?: string }) =>
      laptops.list(options),

    /** Gives back what an onboarding holds (cancelled, failed); the next in line is served. */
    async release(onboardingId: string, why: string): Promise<number> {
      const released = await laptops.release(onboardingId);
      if (released.length > 0) await requestAllocation(`release/${onboardingId}/${why}`);
      return released.length;
    },

    /** One allocation pass of the pool. Only the pool's allocator calls it (one session, one pass at a time). */
    async pass(): Promise<{ waiting: number; reserved: number }> {
      // Those already served whose step has not taken up its laptop yet are still in line: the pass reads
      // past them, and serves no one who holds a laptop (reserved, or assigned by a step that has not
      // recorded it yet): a pass that stopped after its reservations and runs again gives no one two.
      const lineLength = passSize + (await laptops.count('reserved'));
      const line = await store.waitingForLaptop(lineLength);
      const holders = await laptops.holders(line.map((r) => r.onboardingId));
      // A reservation and its resume are one fact: a pass that stopped between the two (a crash) left
      // reservations whose step was never told. This pass tells them again, under the message id of the first
      // resume (duplicate detection drops it when the first was sent), so recovery takes one pass, not a sweep.
      const untold = line.flatMap((r) => {
        const holding = holders.get(r.onboardingId);
        return holding?.status === 'reserved' ? [reservationOf(r, holding.serialNumber)] : [];
      });
      if (untold.length > 0) await resume(untold);
      const requests = line.filter((r) => !holders.has(r.onboardingId)).slice(0, passSize);
      if (requests.length === 0) return { waiting: line.length - holders.size, reserved: 0 };
      // The laptops a pass can give: those at the agents' sites, and the longest in stock anywhere.
      const wanted = requests.length * 2;
      const found = new Map<string, AvailableLaptop & { etag: string }>();
      const sites = [...new Set(requests.map((r) => r.site).filter((s): s is string => s !== null))];
      if (sites.length > 0) for (const l of await laptops.available(sites, wanted)) found.set(l.serialNumber, l);
      const anywhere = await laptops.available(null, wanted);
      for (const l of anywhere) found.set(l.serialNumber, l);
      const reservations: Reservation[] = [];
      // Each reservation is a conditional write of its own laptop: a few at a time, and each group's
      // agents resumed at once (their laptops are assigned while the pass goes on).
      const plan = planAllocation(requests, [...found.values()]);
      for (let i = 0; i < plan.length; i += RESERVE_AT_ONCE) {
        const group: Reservation[] = [];
        await Promise.all(
          plan.slice(i, i + RESERVE_AT_ONCE).map(async ({ request, serialNumber }) => {
            const laptop = found.get(serialNumber);
            if (laptop && (await laptops.reserve(laptop, request))) group.push(reservationOf(request, serialNumber));
          }),
        );
        await resume(group);
        reservations.push(...group);
      }
      // Continuity agents still without one take, when nothing is available, a laptop only reserved (not
      // yet assigned) for a standard agent, the latest reserved first: that agent stays in line.
      const served = new Set(reservations.map((r) => r.onboardingId));
      const unserved = requests.filter((r) => r.priority === 'continuity' && !served.has(r.onboardingId));
      if (unserved.length > 0 && plan.length < requests.length) {
        const taken: Reservation[] = [];
        const victims = await laptops.preemptible(unserved.length);
        await Promise.all(
          victims.map(async (victim, i) => {
            const request = unserved[i];
            if (request && (await laptops.reserve(victim, request))) {
              taken.push(reservationOf(request, victim.serialNumber));
            }
          }),
        );
        await resume(taken);
        reservations.push(...taken);
      }
      // More in line than one pass takes, or more laptops than it saw: another pass goes on.
      const more = requests.length === passSize || anywhere.length === wanted;
      if (more && reservations.length > 0) await requestAllocation(`more/${deps.clock.now().getTime()}`);
      return { waiting: line.length - holders.size, reserved: reservations.length };
    },

    /**
     * What the sweeper looks at in the line: those at its head that hold a laptop since before `olderThan`
     * (their step's resume was lost, or given up) are resumed again; and a pass is asked for when someone
     * else waits and a laptop is free (a lost request, a pass that stopped mid-way).
     */
    async nudge(olderThan: string): Promise<{ resumed: number; pass: boolean }> {
      const line = await store.waitingForLaptop(passSize);
      const held = await laptops.holders(line.map((r) => r.onboardingId));
      const stuck = line.flatMap((r) => {
        const holding = held.get(r.onboardingId);
        return holding && holding.since < olderThan ? [reservationOf(r, holding.serialNumber)] : [];
      });
      for (const r of stuck) await resume([r], true);
      const unserved = line.some((r) => !held.has(r.onboardingId));
      if (!unserved || (await laptops.available(null, 1)).length === 0) return { resumed: stuck.length, pass: false };
      const period = (deps.nudgePeriodSeconds ?? 60) * 1000;
      await requestAllocation(`sweep/${Math.floor(deps.clock.now().getTime() / period)}`);
      return { resumed: stuck.length, pass: true };
    },

    /**
     * Reservations not taken up: re-sends their resume message (it may have been lost), or, when their
     * onboarding no longer waits for a laptop (it finished, or was served another one), puts the laptop
     * back in stock for the next in line.
     */
    async resendStale(olderThan: string): Promise<{ resent: number; released: number }> {
      const stale = await laptops.staleReservations(olderThan);
      let resent = 0;
      let released = 0;
      // One at a time, each done before the next: a sweep that stops half-way has still served the first.
      for (const r of stale) {
        const onboarding = await store.get(r.onboardingId);
        const step = onboarding?.value.steps.laptop;
        const status = onboarding?.value.status;
        const waits =
          (status === 'provisioning' || status === 'needs-attention') &&
          step !== undefined &&
          ['pending', 'waiting', 'in-progress'].includes(step.status);
        // A cancelled onboarding's step gives its laptop back itself when resumed (Autopilot included).
        if (waits || status === 'cancelled' || status === 'rejected') {
          await resume([r], true);
          resent += 1;
        } else if (await laptops.releaseReservation(r.serialNumber, r.onboardingId)) {
          released += 1;
          await requestAllocation(`stale/${r.serialNumber}/${deps.clock.now().getTime()}`);
        }
      }
      return { resent, released };
    },
  };
}
export type LaptopStock = ReturnType<typeof createLaptopStock>;
