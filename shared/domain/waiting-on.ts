import type { Step, StepName, WaitingOn } from '../schemas/onboarding';

/** What each step waits for when it waits in line, unless the step says otherwise (an account not found). */
const WAITS_FOR: Readonly<Partial<Record<StepName, WaitingOn>>> = {
  laptop: 'laptop',
  officeLicense: 'seat',
  accessories: 'accessory',
};

/**
 * What a step waits for that it cannot get by itself (contract: `waitingOn`): on a `waiting` step, what it
 * stored (`account`) or what its kind of step waits for (a laptop, a seat, an accessory); on a step pending
 * until its day (lead times), `day`. Nothing on any other step.
 */
export function waitingOnOf(name: StepName, step: Pick<Step, 'status' | 'waitingOn' | 'notBefore'>): WaitingOn | null {
  if (step.status === 'waiting') return step.waitingOn ?? WAITS_FOR[name] ?? null;
  if (step.status === 'pending' && step.notBefore !== undefined) return 'day';
  return null;
}

/** The failure code a failed step's detail starts with (`UserNotFound: …`), as decide writes it. */
export function failureCodeOf(step: Pick<Step, 'status' | 'detail'>): string | null {
  if (step.status !== 'failed' || step.detail === undefined) return null;
  const match = /^([A-Za-z_]+):/.exec(step.detail);
  return match?.[1] ?? null;
}

/** The account of the agent is what the step lacks: waiting for it, or failed because it was never found. */
export function lacksAccount(step: Pick<Step, 'status' | 'detail' | 'waitingOn'>): boolean {
  return (step.status === 'waiting' && step.waitingOn === 'account') || failureCodeOf(step) === 'UserNotFound';
}
