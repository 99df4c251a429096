import type { Actor } from '../../domain/actor';
import { DomainError, ErrorCodes } from '../../domain/errors';
import type { Clock } from '../../ports/clock';
import type { Directory } from '../../ports/directory';
import type { OnboardingStore } from '../../ports/onboarding-store';
import type { BulkDecision, DecisionBody } from '../../schemas/api';
import type { Onboarding } from '../../schemas/onboarding';
import type { LeadTimes } from './lead-times';
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
  /** When each step is due for a start date (lead times); none: at approval. */
  leadTimes?: LeadTimes;
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
        ...(lookedUp === null && agentObjectId === undefined && status === 'awaiting-approval'
          ? { accountMissing: true }
          : {}),
        ...(deps.leadTimes ? { notBefore: deps.leadTimes(current.value.startDate) } : {}),
      }),
      current,
    );
    return found(id, result);
  };
}

export type DecideOnboarding = ReturnType<typeof createDecideOnboarding>;

/** What one decision of a bulk came to: the onboarding decided, or what the single route would have thrown. */
export type DecisionOutcome = { onboardingId: string } & (
  { ok: true; onboarding: Onboarding } | { ok: false; error: unknown }
);

/**
 * Many decisions at once (the DSI on a crisis day): each under the single route's rules, one outcome per
 * decision in request order, one failing never failing the others. Different onboardings are decided
 * `concurrency` at a time (each writes its own document, so they do not contend on the store); the
 * decisions of one onboarding are taken in request order, so the first is made and the next get 409.
 */
export function createDecideMany(decide: DecideOnboarding, concurrency = 8) {
  return async function decideMany(items: readonly BulkDecision[], by: Actor): Promise<DecisionOutcome[]> {
    const byOnboarding = new Map<string, { item: BulkDecision; index: number }[]>();
    items.forEach((item, index) => {
      byOnboarding.set(item.onboardingId, [...(byOnboarding.get(item.onboardingId) ?? []), { item, index }]);
    });
    const groups = [...byOnboarding.values()];
    const outcomes = new Array<DecisionOutcome>(items.length);
    let next = 0;
    const worker = async () => {
      for (let group = groups[next++]; group; group = groups[next++]) {
        for (const { item, index } of group) {
          const { onboardingId, ...body } = item;
          try {
            outcomes[index] = { onboardingId, ok: true, onboarding: await decide(onboardingId, body, by) };
          } catch (error) {
            outcomes[index] = { onboardingId, ok: false, error };
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, groups.length) }, worker));
    return outcomes;
  };
}

/** Re-runs the failed steps of a needs-attention onboarding. */
export function createRetryOnboarding(deps: { writer: OnboardingWriter; clock: Clock }) {
  return async function retryOnboarding(id: string, by: Actor): Promise<Onboarding> {
    const at = deps.clock.now().toISOString();
    return found(id, await deps.writer.apply(id, () => ({ type: 'retry-requested', at, by })));
  };
}
