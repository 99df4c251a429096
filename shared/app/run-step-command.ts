import type { OnboardingEvent } from '../domain/decide';
import type { Clock } from '../ports/clock';
import type { OnboardingStore } from '../ports/onboarding-store';
import type { ProvisionOutcome, Provisioners } from '../ports/provisioners';
import type { Onboarding, StepCommand, StepName } from '../schemas/onboarding';
import type { OnboardingWriter } from './onboarding-writer';

export interface StepRunContext {
  /** Service Bus delivery count of this message (1 on the first delivery). */
  deliveryCount: number;
  maxDeliveryCount: number;
}

function outcomeEvent(step: StepName, outcome: ProvisionOutcome, now: Date): OnboardingEvent {
  const at = now.toISOString();
  switch (outcome.kind) {
    case 'done':
      return { type: 'step-succeeded', at, step, ...outcome };
    case 'waiting':
      return {
        type: 'step-waiting',
        at,
        step,
        detail: outcome.detail,
        recheckAt: new Date(now.getTime() + outcome.recheckAfterSeconds * 1000).toISOString(),
      };
    case 'failed':
      return { type: 'step-failed', at, step, code: outcome.code, message: outcome.message };
  }
}

function isCurrentRun(o: Onboarding, command: StepCommand): boolean {
  return o.steps[command.step].attempt === command.attempt;
}

/**
 * The provisioning worker: runs or reverts one step. Idempotent: a message of an older run, or for an
 * onboarding that moved on, is completed without effect; the provisioners check before they act.
 * A transient fault is thrown (the bus redelivers) until the last delivery, which records the step failed.
 */
export function createRunStepCommand(deps: {
  store: OnboardingStore;
  writer: OnboardingWriter;
  provisioners: Provisioners;
  clock: Clock;
}) {
  const { store, writer, provisioners, clock } = deps;

  async function run(command: StepCommand, ctx: StepRunContext): Promise<void> {
    const current = await store.get(command.onboardingId);
    if (!current || !isCurrentRun(current.value, command)) return;
    const { status } = current.value;
    if (status !== 'provisioning' && status !== 'needs-attention') return;
    if (!['pending', 'in-progress', 'waiting'].includes(current.value.steps[command.step].status)) return;

    const started = await writer.apply(command.onboardingId, (o) =>
      isCurrentRun(o, command) ? { type: 'step-started', at: clock.now().toISOString(), step: command.step } : null,
    );
    if (!started || (started.status !== 'provisioning' && started.status !== 'needs-attention')) return;

    let outcome: ProvisionOutcome;
    try {
      outcome = await provisioners[command.step].provision(started);
    } catch (err) {
      if (ctx.deliveryCount < ctx.maxDeliveryCount) throw err;
      const message = err instanceof Error ? err.message : String(err);
      outcome = {
        kind: 'failed',
        code: 'TransientFaultsExhausted',
        message: `gave up after ${ctx.deliveryCount} tries: ${message}`,
      };
    }
    const event = outcomeEvent(command.step, outcome, clock.now());
    // After a cancellation the effect must still be recorded, so that it is reverted.
    await writer.apply(command.onboardingId, (o) =>
      isCurrentRun(o, command) || o.status === 'cancelled' ? event : null,
    );
  }

  async function revert(command: StepCommand): Promise<void> {
    const current = await store.get(command.onboardingId);
    if (!current || current.value.status !== 'cancelled' || !isCurrentRun(current.value, command)) return;
    if (!['done', 'in-progress', 'failed'].includes(current.value.steps[command.step].status)) return;
    await provisioners[command.step].revert(current.value);
    await writer.apply(command.onboardingId, (o) =>
      isCurrentRun(o, command) ? { type: 'step-reverted', at: clock.now().toISOString(), step: command.step } : null,
    );
  }

  return async function runStepCommand(command: StepCommand, ctx: StepRunContext): Promise<void> {
    if (command.type === 'run-step') await run(command, ctx);
    else await revert(command);
  };
}
export type RunStepCommand = ReturnType<typeof createRunStepCommand>;
