import { DomainError, ErrorCodes } from '../domain/errors';
import type { Clock } from '../ports/clock';
import type { DecisionBody } from '../schemas/api';
import type { Onboarding } from '../schemas/onboarding';
import type { OnboardingWriter } from './onboarding-writer';

function found(id: string, onboarding: Onboarding | null): Onboarding {
  if (!onboarding) throw new DomainError(ErrorCodes.notFound, `no onboarding ${id}`);
  return onboarding;
}

/** The DSI approves or rejects an onboarding awaiting approval; once. */
export function createDecideOnboarding(deps: { writer: OnboardingWriter; clock: Clock }) {
  return async function decideOnboarding(id: string, body: DecisionBody, by: string): Promise<Onboarding> {
    const at = deps.clock.now().toISOString();
    const result = await deps.writer.apply(id, () => ({
      type: 'decided',
      at,
      by,
      decision: body.decision,
      ...(body.comment !== undefined ? { comment: body.comment } : {}),
    }));
    return found(id, result);
  };
}

/** Re-runs the failed steps of a needs-attention onboarding. */
export function createRetryOnboarding(deps: { writer: OnboardingWriter; clock: Clock }) {
  return async function retryOnboarding(id: string, by: string): Promise<Onboarding> {
    const at = deps.clock.now().toISOString();
    return found(id, await deps.writer.apply(id, () => ({ type: 'retry-requested', at, by })));
  };
}
