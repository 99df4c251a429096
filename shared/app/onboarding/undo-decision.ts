import type { Actor } from '../../domain/actor';
import { DomainError, ErrorCodes } from '../../domain/errors';
import type { Clock } from '../../ports/clock';
import type { OnboardingStore } from '../../ports/onboarding-store';
import type { Onboarding } from '../../schemas/onboarding';
import type { OnboardingWriter } from './onboarding-writer';

/**
 * `POST /api/onboardings/{id}/decision/undo`: the person who decided takes it back within `undoMinutes`, before
 * any step started: awaiting approval again, one `onboarding.decision-undone` entry, nothing rewritten. A
 * rejected onboarding is reopened only while it is the employee's latest (a later hire opened another).
 */
export function createUndoDecision(deps: {
  store: OnboardingStore;
  writer: OnboardingWriter;
  clock: Clock;
  undoMinutes: number;
}) {
  return async function undoDecision(id: string, by: Actor): Promise<Onboarding> {
    const current = await deps.store.get(id);
    if (!current) throw new DomainError(ErrorCodes.notFound, `no onboarding ${id}`);
    if (current.value.status === 'rejected') {
      const [latest] = await deps.store.listForEmployee(current.value.employeeId);
      if (latest && latest.value.id !== id) {
        throw new DomainError(
          ErrorCodes.undoRefused,
          `a later onboarding ${latest.value.id} is open for ${current.value.employeeId}; this one stays rejected`,
        );
      }
    }
    const at = deps.clock.now().toISOString();
    const undone = await deps.writer.apply(
      id,
      () => ({ type: 'decision-undone', at, by, undoMinutes: deps.undoMinutes }),
      current,
    );
    if (!undone) throw new DomainError(ErrorCodes.notFound, `no onboarding ${id}`);
    return undone;
  };
}
