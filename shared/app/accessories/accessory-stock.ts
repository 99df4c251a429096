import { holdsKind, planAccessories, type AccessoryShelf } from '../../domain/accessory-allocation';
import type { AccessoryStock, AccessoryStockEntry } from '../../ports/accessory-stock';
import type { Clock } from '../../ports/clock';
import type { MessageBus } from '../../ports/message-bus';
import type { OnboardingStore } from '../../ports/onboarding-store';
import type { AccessoryRequest, AddAccessoriesBody } from '../../schemas/accessories';
import type { RequestAllocation } from '../laptops/allocation-requests';
import { toStepMessage } from '../onboarding/onboarding-writer';
import { QUEUES } from '../queues';
import type { AccessoryUseCases } from './index';

/** How many waiting onboardings one accessory pass serves at most (another follows when there are more). */
export const ACCESSORY_PASS_SIZE = 200;

const shelfOf = (e: AccessoryStockEntry): AccessoryShelf => ({
  id: e.id,
  kind: e.kind,
  site: e.site,
  available: e.available,
  holders: Object.keys(e.holds),
});

/**
 * The accessories' stock and their pass. The pass runs in the pool's allocator, after the laptops' (one at a
 * time): it reads the line of waiting accessories steps and the stock, sets aside one of each kind each needs
 * in the line's order (one conditional write a kind and site), and resumes those it served. A write that
 * finds its stock changed (someone added or put back meanwhile) leaves those to the next pass, asked at once.
 */
export function createAccessories(deps: {
  stock: AccessoryStock;
  store: OnboardingStore;
  bus: MessageBus;
  clock: Clock;
  requestAllocation: RequestAllocation;
  passSize?: number;
}): AccessoryUseCases & { nudge(): Promise<boolean> } {
  const { stock, store, bus, requestAllocation } = deps;
  const passSize = deps.passSize ?? ACCESSORY_PASS_SIZE;

  async function resume(requests: readonly AccessoryRequest[], key: string): Promise<void> {
    if (requests.length === 0) return;
    await bus.send(
      QUEUES.provisioning,
      requests.map((r) =>
        toStepMessage(
          {
            type: 'resume-step',
            onboardingId: r.onboardingId,
            employeeId: r.employeeId,
            step: 'accessories',
            attempt: 0,
            key: `a${r.attempt}/${key}`,
          },
          r.traceparent,
        ),
      ),
    );
  }

  return {
    async add(body: AddAccessoriesBody) {
      const added = await stock.add(body.kind, body.site ?? null, body.count);
      await requestAllocation(`accessories-in/${body.kind}/${deps.clock.now().getTime()}`);
      return added;
    },

    list: () => stock.list(),

    async pass() {
      const line = await store.waitingForAccessories(passSize);
      if (line.length === 0) return { waiting: 0, reserved: 0 };
      const entries = await stock.entries();
      const shelves = entries.map(shelfOf);
      // Those whose every kind is set aside already (their resume may have been lost): told again.
      const untold = line.filter((r) => r.kinds.every((k) => holdsKind(shelves, r.onboardingId, k)));
      const plan = planAccessories(line, shelves);
      const served = new Set<string>();
      let reserved = 0;
      let conflicted = false;
      for (const [id, onboardingIds] of plan) {
        const entry = entries.find((e) => e.id === id);
        if (entry && (await stock.reserve(entry, onboardingIds))) {
          reserved += onboardingIds.length;
          for (const o of onboardingIds) served.add(o);
        } else conflicted = true;
      }
      const now = deps.clock.now().getTime();
      await resume(
        line.filter((r) => served.has(r.onboardingId)),
        `p${now}`,
      );
      await resume(untold, `again/${Math.floor(now / 60_000)}`);
      if (conflicted || (line.length === passSize && reserved > 0)) await requestAllocation(`accessories-more/${now}`);
      return { waiting: line.length, reserved };
    },

    /**
     * The sweeper's look: someone waits and a kind they need is in stock (a lost request), or holds every kind
     * they need (a lost resume): a pass.
     */
    async nudge() {
      const line = await store.waitingForAccessories(passSize);
      if (line.length === 0) return false;
      const shelves = (await stock.entries()).map(shelfOf);
      const inStock = new Set(shelves.filter((s) => s.available > 0).map((s) => s.kind));
      const served = (r: AccessoryRequest) => r.kinds.every((k) => holdsKind(shelves, r.onboardingId, k));
      if (!line.some((r) => served(r) || r.kinds.some((k) => inStock.has(k)))) return false;
      await requestAllocation(`accessories-sweep/${Math.floor(deps.clock.now().getTime() / 60_000)}`);
      return true;
    },
  };
}
