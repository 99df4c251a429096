import type { Config } from '../../config';
import { isUndoing } from '../../domain/decide';
import type { Clock } from '../../ports/clock';
import type { MessageBus } from '../../ports/message-bus';
import type { OnboardingStore } from '../../ports/onboarding-store';
import { STEP_NAMES, type Onboarding, type StepCommand } from '../../schemas/onboarding';
import type { LaptopStock } from '../laptops/laptop-stock';
import { sendStepCommands, type OnboardingWriter } from '../onboarding/onboarding-writer';

const BATCH = 100;
/** Documents of an earlier release given their search keys in one pass. */
const SEARCH_KEYS_A_PASS = 20;

/** The commands that drive again the steps of an onboarding that lost its message. */
export function redriveCommands(o: Onboarding, key: string): StepCommand[] {
  // A cancelled onboarding's undo, or a leaver's once access is being removed.
  const undoing = o.status === 'cancelled' || o.status === 'leaving';
  return STEP_NAMES.filter((step) => {
    const status = o.steps[step].status;
    if (undoing) return isUndoing(o, step) && (status === 'done' || status === 'in-progress');
    return status === 'pending' || status === 'in-progress' || (step === 'officeLicense' && status === 'waiting');
  }).map((step): StepCommand => ({
    type: undoing ? 'revert-step' : 'run-step',
    onboardingId: o.id,
    employeeId: o.employeeId,
    step,
    attempt: o.steps[step].attempt,
    key,
  }));
}

/**
 * What nothing else would re-drive after a lost message or a worker stopped mid-way: commands left in an
 * outbox, resumes of laptop reservations not taken up, and steps that have not moved for too long. Every
 * message it sends is one a handler already takes idempotently; each pass uses new message ids (per
 * period), so that duplicate detection does not drop them, and at most one a period.
 */
export function createSweeper(deps: {
  store: OnboardingStore;
  writer: OnboardingWriter;
  laptopStock: LaptopStock;
  /** The accessories' line: a pass asked when someone waits for a kind in stock. */
  accessories: { nudge(): Promise<boolean> };
  bus: MessageBus;
  clock: Clock;
  config: Pick<
    Config,
    'Sweeper__outboxGraceSeconds' | 'Sweeper__reservationGraceSeconds' | 'Sweeper__stuckAfterSeconds'
  >;
}) {
  const { store, writer, laptopStock, bus, clock, config } = deps;
  const ago = (seconds: number) => new Date(clock.now().getTime() - seconds * 1000).toISOString();
  async function flushOutboxes(): Promise<number> {
    const stale = await store.withPendingOutbox(ago(config.Sweeper__outboxGraceSeconds), BATCH);
    for (const onboarding of stale) await writer.flushOutbox(onboarding);
    return stale.length;
  }

  async function redriveStuck(): Promise<number> {
    const stuckAfter = config.Sweeper__stuckAfterSeconds;
    const stuck = await store.withStuckSteps(ago(stuckAfter), BATCH, clock.now().toISOString());
    const period = Math.floor(clock.now().getTime() / (stuckAfter * 1000));
    let redriven = 0;
    for (const { value } of stuck) {
      const commands = redriveCommands(value, `redrive/${period}`);
      redriven += commands.length;
      await sendStepCommands(bus, commands, value.traceparent);
    }
    return redriven;
  }

  return async function sweep(): Promise<{
    outbox: number;
    reservations: number;
    released: number;
    redriven: number;
    searchable: number;
  }> {
    // Each part runs even when another failed (a fault there must not stall the others); then the faults
    // are thrown together, for the timer's invocation to fail and say why.
    const faults: unknown[] = [];
    const attempt = async <T>(part: () => Promise<T>, none: T): Promise<T> => {
      try {
        return await part();
      } catch (err) {
        faults.push(err);
        return none;
      }
    };
    const outbox = await attempt(flushOutboxes, 0);
    const { resent, released } = await attempt(
      () => laptopStock.resendStale(ago(config.Sweeper__reservationGraceSeconds)),
      { resent: 0, released: 0 },
    );
    const { resumed } = await attempt(() => laptopStock.nudge(ago(config.Sweeper__reservationGraceSeconds)), {
      resumed: 0,
      pass: false,
    });
    await attempt(() => deps.accessories.nudge(), false);
    const redriven = await attempt(redriveStuck, 0);
    // Documents of an earlier release gain the folded keys a search reads (a few a pass, each written once).
    const searchable = await attempt(() => store.addSearchKeys(SEARCH_KEYS_A_PASS), 0);
    if (faults.length === 1) throw faults[0];
    if (faults.length > 1) throw new AggregateError(faults, `${faults.length} parts of the sweep failed`);
    return { outbox, reservations: resent + resumed, released, redriven, searchable };
  };
}
