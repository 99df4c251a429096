import type { Actor } from '../domain/actor';
import { DomainError, ErrorCodes } from '../domain/errors';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { OnboardingStore } from '../ports/onboarding-store';
import type { DecisionBody } from '../schemas/api';
import type { Onboarding } from '../schemas/onboarding';
import type { OnboardingWriter } from './onboarding-writer';

function found(id: string, onboarding: Onboarding | null): Onboarding {
  if (!onboarding) throw new DomainError(ErrorCodes.notFound, `no onboarding ${id}`);
  return onboarding;
}

/**
 * The DSI approves or rejects an onboarding awaiting approval; once, and never the agent themselves: the
 * approver's object id is compared with the agent's account in the directory (asked once, then kept).
 */
export function createDecideOnboarding(deps: {
  store: OnboardingStore;
  writer: OnboardingWriter;
  directory: Directory;
  clock: Clock;
}) {
  return async function decideOnboarding(id: string, body: DecisionBody, by: Actor): Promise<Onboarding> {
    const current = await deps.store.get(id);
    if (!current) throw new DomainError(ErrorCodes.notFound, `no onboarding ${id}`);
    const { agentObjectId, status, userPrincipalName } = current.value;
    const lookedUp =
      agentObjectId === undefined && status === 'awaiting-approval'
        ? await deps.directory.objectIdOf(userPrincipalName)
        : null;
    const at = deps.clock.now().toISOString();
    const result = await deps.writer.apply(
      id,
      () => ({
        type: 'decided',
        at,
        by,
        decision: body.decision,
        ...(body.comment !== undefined ? { comment: body.comment } : {}),
        ...(lookedUp ? { agentObjectId: lookedUp } : {}),
      }),
      current,
    );
    return found(id, result);
  };
}

/** Re-runs the failed steps of a needs-attention onboarding. */
export function createRetryOnboarding(deps: { writer: OnboardingWriter; clock: Clock }) {
  return async function retryOnboarding(id: string, by: Actor): Promise<Onboarding> {
    const at = deps.clock.now().toISOString();
    return found(id, await deps.writer.apply(id, () => ({ type: 'retry-requested', at, by })));
  };
}
