import type { Actor } from '../../domain/actor';
import { DomainError, ErrorCodes } from '../../domain/errors';
import type { Clock } from '../../ports/clock';
import type { Directory } from '../../ports/directory';
import type { Onboarding } from '../../schemas/onboarding';
import type { OnboardingWriter } from './onboarding-writer';

/**
 * `PATCH /api/onboardings/{id}` with `userPrincipalName`: while the directory has no account for the upn (a step
 * waits for it, or failed with UserNotFound), a person corrects it; the history keeps the old and new values,
 * and the steps that lacked the account run again. An agent in post's request takes who the directory says
 * the new upn is (name, department, site), when it knows it. 409 otherwise.
 */
export function createCorrectUpn(deps: { writer: OnboardingWriter; clock: Clock; directory: Directory }) {
  return async function correctUpn(id: string, userPrincipalName: string, by: Actor): Promise<Onboarding> {
    const agent = await deps.directory.agent(userPrincipalName);
    const at = deps.clock.now().toISOString();
    const changed = await deps.writer.apply(id, (o) => ({
      type: 'upn-corrected',
      at,
      by,
      userPrincipalName,
      ...(agent && o.kind === 'equipment'
        ? { agent: { displayName: agent.displayName, department: agent.department ?? '', site: agent.site ?? null } }
        : {}),
    }));
    if (!changed) throw new DomainError(ErrorCodes.notFound, `no onboarding ${id}`);
    return changed;
  };
}
