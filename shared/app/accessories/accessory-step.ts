import type { AccessoryStock } from '../../ports/accessory-stock';
import type { Provisioner } from '../../ports/provisioners';
import type { AccessoryItem } from '../../schemas/accessories';
import type { RequestAllocation } from '../laptops/allocation-requests';

/** The accessories step's detail while a kind is out: the kinds it waits for. */
export function inLineFor(kinds: readonly string[]): string {
  return `in line for: ${kinds.join(', ')}`;
}

/**
 * The accessories step, over the counted stock: what the pool's pass set aside for the onboarding is handed
 * out (given); done when every kind needed is, else it waits in line (the pass serves the line in the order
 * laptops are served, and resumes the step). The undo puts back what it holds, for the next in line.
 */
export function createAccessoryStep(deps: {
  stock: AccessoryStock;
  requestAllocation: RequestAllocation;
}): Provisioner {
  const { stock, requestAllocation } = deps;
  return {
    step: 'accessories',
    async provision(onboarding) {
      const given = new Set((await stock.give(onboarding.id)).map((h) => h.kind));
      const items: AccessoryItem[] = onboarding.needs.accessories.map((kind) => ({
        kind,
        status: given.has(kind) ? 'given' : 'waiting',
      }));
      const missing = items.filter((i) => i.status === 'waiting').map((i) => i.kind);
      if (missing.length === 0) return { kind: 'done', detail: `given: ${[...given].join(', ')}`, items };
      await requestAllocation(`accessories/${onboarding.id}/${onboarding.steps.accessories.attempt}`);
      return { kind: 'waiting', detail: inLineFor(missing), items };
    },
    async revert(onboarding) {
      if ((await stock.putBack(onboarding.id)) > 0) {
        await requestAllocation(`accessories-back/${onboarding.id}/${onboarding.steps.accessories.attempt}`);
      }
      return undefined;
    },
  };
}
