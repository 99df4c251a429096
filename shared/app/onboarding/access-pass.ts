import type { Actor } from '../../domain/actor';
import { accessPassRefusal, accessPassStart } from '../../domain/access-pass';
import { DomainError, ErrorCodes } from '../../domain/errors';
import type { AccessPasses, IssuedAccessPass } from '../../ports/access-passes';
import type { Clock } from '../../ports/clock';
import type { OnboardingStore } from '../../ports/onboarding-store';
import type { OnboardingWriter } from './onboarding-writer';

/**
 * `POST /api/onboardings/{id}/access-pass`: a Temporary Access Pass for the agent's first sign-in from home,
 * usable once, from 07:00 in Paris on the start day (or now), for `lifetimeInMinutes`. The pass goes back to
 * the person who asked and nowhere else: the history records who asked and its validity; nothing stores, logs
 * or traces the pass. A new one replaces the agent's pass in the tenant.
 */
export function createIssueAccessPass(deps: {
  store: OnboardingStore;
  writer: OnboardingWriter;
  accessPasses: AccessPasses;
  clock: Clock;
  lifetimeInMinutes: number;
}) {
  return async function issueAccessPass(id: string, by: Actor): Promise<IssuedAccessPass> {
    const current = await deps.store.get(id);
    if (!current) throw new DomainError(ErrorCodes.notFound, `no onboarding ${id}`);
    const now = deps.clock.now();
    const refusal = accessPassRefusal(current.value, now);
    if (refusal) throw new DomainError(ErrorCodes.illegalTransition, refusal);
    const o = current.value;
    const issued = await deps.accessPasses.issue(
      {
        ...(o.agentObjectId !== undefined ? { objectId: o.agentObjectId } : {}),
        userPrincipalName: o.userPrincipalName,
      },
      {
        startDateTime: accessPassStart(o.startDate, now).toISOString(),
        lifetimeInMinutes: deps.lifetimeInMinutes,
        isUsableOnce: true,
      },
    );
    await deps.writer.apply(id, () => ({
      type: 'access-pass-issued',
      at: deps.clock.now().toISOString(),
      by,
      startDateTime: issued.startDateTime,
      lifetimeInMinutes: issued.lifetimeInMinutes,
      isUsableOnce: issued.isUsableOnce,
    }));
    return issued;
  };
}
