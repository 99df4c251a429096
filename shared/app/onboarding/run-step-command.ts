import { isDue } from '../../domain/due';
import { decide, isUndoing, type OnboardingEvent } from '../../domain/decide';
import type { Clock } from '../../ports/clock';
import type { OnboardingStore, Versioned } from '../../ports/onboarding-store';
import { TransientError, type ProvisionOutcome, type Provisioners } from '../../ports/provisioners';
import { STEP_NAMES, type Onboarding, type StepCommand, type StepName } from '../../schemas/onboarding';
import type { Directory } from '../../ports/directory';
import type { MessageBus } from '../../ports/message-bus';
import type { ServeFreedSeat } from './lifecycle';
import { sendStepCommands, type OnboardingWriter } from './onboarding-writer';

export interface StepRunContext {
  /** Service Bus delivery count of this message (1 on the first delivery). */
  deliveryCount: number;
  maxDeliveryCount: number;
}

/** Back-off of a step's retries after transient faults (scheduled messages, not a loop). */
export interface RetryPolicy {
  maxRetries: number;
  baseSeconds: number;
  maxSeconds: number;
  /** 0..1; injected so tests are exact. Default Math.random. */
  random?: () => number;
}

/** Exponential back-off with full jitter, never sooner than the server's Retry-After. */
export function retryDelaySeconds(policy: RetryPolicy, retry: number, retryAfterSeconds?: number): number {
  const ceiling = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** (retry - 1));
  const jittered = ceiling / 2 + (ceiling / 2) * (policy.random ?? Math.random)();
  return Math.max(jittered, retryAfterSeconds ?? 0);
}

function outcomeEvent(step: StepName, outcome: ProvisionOutcome, now: Date, startedAt: string): OnboardingEvent {
  const at = now.toISOString();
  switch (outcome.kind) {
    case 'done': {
      const { kind: _done, ...result } = outcome;
      return { type: 'step-succeeded', at, step, startedAt, ...result };
    }
    case 'waiting':
      return {
        type: 'step-waiting',
        at,
        step,
        startedAt,
        detail: outcome.detail,
        ...(outcome.items !== undefined ? { items: outcome.items } : {}),
      };
    case 'failed':
      return { type: 'step-failed', at, step, startedAt, code: outcome.code, message: outcome.message };
    case 'not-needed':
      return { type: 'step-skipped', at, step, startedAt, detail: outcome.detail };
  }
}

/** The code of a transient fault that means the directory has no such account (yet). */
const ACCOUNT_NOT_FOUND = 'UserNotFound';

const isActive = (o: Onboarding) => o.status === 'provisioning' || o.status === 'needs-attention';

/**
 * The provisioning worker: runs, resumes or reverts one step. Idempotent: a message of an older run, or
 * for an onboarding that moved on, is completed without effect; the provisioners check before they act.
 * A transient fault schedules a retry with back-off (recorded with the state, so it survives a crash);
 * after `maxRetries` the step fails. Anything else is thrown, for the bus to redeliver.
 */

export function createRunStepCommand(deps: {
  store: OnboardingStore;
  bus: MessageBus;
  writer: OnboardingWriter;
  provisioners: Provisioners;
  clock: Clock;
  retry: RetryPolicy;
  /** Serves the first onboarding waiting for a licence seat when an undo frees one. */
  serveFreedSeat?: ServeFreedSeat;
  /** Who the agent's account is, when the onboarding does not know yet (four-eyes before anything is done). */
  directory: Pick<Directory, 'objectIdOf'>;
}) {
  const { store, writer, provisioners, clock } = deps;

  /**
   * Four-eyes before anything is provisioned. An onboarding approved while the directory did not know the
   * account yet (HR's provisioning is late; Entra is eventually consistent) was compared by upn only, so
   * every run asks again until the account is found, and makes nothing while it is not. Found, it is the
   * approver's own: the approval is void. Otherwise its object id is kept with the run's outcome.
   */
  async function identify(o: Onboarding): Promise<{ agentObjectId: string; selfApproved: boolean } | null> {
    if (o.agentObjectId !== undefined) return null;
    const agentObjectId = await deps.directory.objectIdOf(o.userPrincipalName);
    if (agentObjectId === null) {
      throw new TransientError(
        `no account ${o.userPrincipalName} in the directory (not provisioned yet, or a mistyped upn)`,
        undefined,
        ACCOUNT_NOT_FOUND,
      );
    }
    return { agentObjectId, selfApproved: o.decision?.byId === agentObjectId };
  }
  const isCurrentRun = (o: Onboarding, c: StepCommand) => o.steps[c.step].attempt === c.attempt;

  /**
   * What a fault of a run or an undo comes to: a transient one schedules a retry of the same command with
   * back-off (until maxRetries); another is thrown for the bus to redeliver, until the last delivery. Then
   * the caller records that it gave up.
   */
  function faultPlan(
    command: StepCommand,
    ctx: StepRunContext,
    err: unknown,
  ): { retrying: Extract<OnboardingEvent, { type: 'step-retrying' }> } | { gaveUp: string; code: string } {
    const transient = err instanceof TransientError;
    const message = err instanceof Error ? err.message : String(err);
    const retry = (command.retry ?? 0) + 1;
    if (transient && retry <= deps.retry.maxRetries) {
      const now = clock.now();
      const delay = retryDelaySeconds(deps.retry, retry, err.retryAfterSeconds);
      const revert = command.type === 'revert-step';
      return {
        retrying: {
          type: 'step-retrying',
          command: revert ? 'revert-step' : 'run-step',
          at: now.toISOString(),
          step: command.step,
          reason: message,
          retry,
          notBefore: new Date(now.getTime() + delay * 1000).toISOString(),
          // Said at the first "no such account", not after the last retry: a person may correct the upn now.
          ...(!revert && err.code === ACCOUNT_NOT_FOUND ? { waitingOn: 'account' as const } : {}),
        },
      };
    }
    if (!transient && ctx.deliveryCount < ctx.maxDeliveryCount) throw err;
    return {
      gaveUp: `gave up after ${transient ? retry : ctx.deliveryCount} tries: ${message}`,
      code: (transient && err.code) || 'TransientFaultsExhausted',
    };
  }

  /**
   * Runs the step: it reads the onboarding (is this run still current?), provisions, then records the
   * outcome in one write made on a fresh read (no write when the run starts: a crash before the outcome
   * leaves the step as it was, and the redelivered message runs it again; the connectors check first).
   */
  async function run(
    command: StepCommand,
    ctx: StepRunContext,
    read?: Versioned<Onboarding>,
  ): Promise<Onboarding | null> {
    const current = read ?? (await store.get(command.onboardingId));
    if (!current || !isCurrentRun(current.value, command) || !isActive(current.value)) return null;
    const step = current.value.steps[command.step];
    if (!['pending', 'in-progress', 'waiting'].includes(step.status)) return null;
    // Not due yet (lead times): its message is scheduled for its day, and one that comes before does nothing
    // (a re-drive).
    if (step.notBefore !== undefined && !isDue(step.notBefore, clock.now())) return null;

    const startedAt = clock.now().toISOString();
    let outcome: ProvisionOutcome | 'self-approved';
    let identity: { agentObjectId?: string } = {};
    try {
      const found = await identify(current.value);
      if (found) identity = { agentObjectId: found.agentObjectId };
      outcome = found?.selfApproved ? 'self-approved' : await provisioners[command.step].provision(current.value);
    } catch (err) {
      const plan = faultPlan(command, ctx, err);
      if ('retrying' in plan) {
        return writer.apply(command.onboardingId, (o) =>
          isCurrentRun(o, command) ? { ...plan.retrying, startedAt, ...identity } : null,
        );
      }
      outcome = { kind: 'failed', code: plan.code, message: plan.gaveUp };
    }
    if (outcome === 'self-approved') {
      // Nothing was provisioned: the approval is void, for another person to decide.
      const agentObjectId = identity.agentObjectId ?? '';
      return writer.apply(command.onboardingId, () => ({
        type: 'self-approval-found',
        at: clock.now().toISOString(),
        agentObjectId,
      }));
    }
    const event = { ...outcomeEvent(command.step, outcome, clock.now(), startedAt), ...identity };
    // After a cancellation the effect must still be recorded, so that it is reverted.
    // Written on the read above when no other step was under way then (nobody else is likely to have
    // written since); otherwise on a fresh read, for the steps not to refuse each other's writes (412).
    // Either way a stale etag reads again and re-decides.
    const othersUnderway = STEP_NAMES.some(
      (step) => step !== command.step && ['pending', 'in-progress'].includes(current.value.steps[step].status),
    );
    // A wait that finds what the last look found changes nothing: no read again, no write.
    const sameWait = outcome.kind === 'waiting' && !decide(current.value, event).changed;
    const after = sameWait
      ? current.value
      : await writer.apply(
          command.onboardingId,
          (o) => (isCurrentRun(o, command) || o.status === 'cancelled' ? event : null),
          othersUnderway ? undefined : current,
        );
    if (command.step === 'laptop' && outcome.kind === 'failed') {
      // A laptop step that failed gives its laptop back to the line, once it is out of the line (recorded
      // failed first: a pass in between would serve it again). A retry takes its place in line again. A
      // crash in between leaves a reservation the sweeper gives back.
      await provisioners.laptop.revert(current.value);
    }
    if (outcome.kind === 'waiting' && outcome.recheckAfterSeconds !== undefined && after && isActive(after)) {
      // Nothing free yet: look again later. The next look is a message of its own; the state is unchanged.
      const recheck = (command.recheck ?? 0) + 1;
      const notBefore = new Date(clock.now().getTime() + outcome.recheckAfterSeconds * 1000).toISOString();
      await sendStepCommands(deps.bus, [{ ...command, retry: undefined, recheck, notBefore }], after.traceparent);
    }
    return after;
  }

  async function revert(command: StepCommand, ctx: StepRunContext): Promise<Onboarding | null> {
    const current = await store.get(command.onboardingId);
    // A cancelled onboarding's steps, or a leaver's access once the last day ended.
    if (!current || !isCurrentRun(current.value, command) || !isUndoing(current.value, command.step)) return null;
    let note: string | undefined;
    try {
      note = (await provisioners[command.step].revert(current.value))?.note;
    } catch (err) {
      const plan = faultPlan(command, ctx, err);
      const event: OnboardingEvent =
        'retrying' in plan
          ? plan.retrying
          : { type: 'step-revert-failed', at: clock.now().toISOString(), step: command.step, message: plan.gaveUp };
      return writer.apply(command.onboardingId, (o) => (isCurrentRun(o, command) ? event : null), current);
    }
    // The undo wrote nothing to the onboarding: the read above is most likely still current.
    const after = await writer.apply(
      command.onboardingId,
      (o) =>
        isCurrentRun(o, command)
          ? { type: 'step-reverted', at: clock.now().toISOString(), step: command.step, ...(note ? { note } : {}) }
          : null,
      current,
    );
    // A licence removed frees a seat: the first onboarding waiting for one takes it now (the resume's id names
    // this onboarding, so it is sent once). A crash before this line is not made up on redelivery (the step
    // is reverted by then): the waiting onboarding's own re-check takes the seat.
    if (command.step === 'officeLicense' && note === undefined) await deps.serveFreedSeat?.(command.onboardingId);
    return after;
  }

  /**
   * The pool reserved a laptop for a waiting step: run its current run now. A finished onboarding gives
   * the laptop back.
   */
  async function resume(command: StepCommand, ctx: StepRunContext): Promise<Onboarding | null> {
    const current = await store.get(command.onboardingId);
    if (!current) return null;
    const step = current.value.steps[command.step];
    if (isActive(current.value) && (step.status === 'waiting' || step.status === 'pending')) {
      return run({ ...command, type: 'run-step', attempt: step.attempt, retry: undefined }, ctx, current);
    }
    if (current.value.status === 'cancelled' || current.value.status === 'rejected') {
      await provisioners[command.step].revert(current.value);
    }
    return current.value;
  }

  /** Runs one command; answers the onboarding as it stands after it (null: nothing to do, or unknown). */
  return async function runStepCommand(command: StepCommand, ctx: StepRunContext): Promise<Onboarding | null> {
    if (command.type === 'run-step') return run(command, ctx);
    if (command.type === 'resume-step') return resume(command, ctx);
    return revert(command, ctx);
  };
}
