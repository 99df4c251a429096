import { IN_LINE } from '../../domain/decide';
import type { Autopilot } from '../../ports/autopilot';
import type { LaptopPool } from '../../ports/laptop-pool';
import { TenantRefusal, type Provisioner } from '../../ports/provisioners';
import type { RequestAllocation } from './allocation-requests';

/**
 * The laptop step, over the stock and Windows Autopilot: the laptop the pool's allocation pass reserved for
 * the onboarding is set up for the agent in Autopilot, then recorded as assigned. Only the allocator reserves
 * (in the order of the line): a step that holds nothing stays in line and makes sure a pass looks. A laptop
 * Autopilot does not know is set aside for repair; one taken from the onboarding while it was being assigned
 * (released by a cancellation, or preempted for a continuity agent) follows the stock, and the step goes back in
 * line. The undo takes the agent off the device and puts the laptop back in stock, for the next in line.
 */
export function createLaptopStep(deps: {
  laptops: LaptopPool;
  autopilot: Autopilot;
  requestAllocation: RequestAllocation;
}): Provisioner {
  const { laptops, autopilot, requestAllocation } = deps;

  /** Autopilot set up for whoever holds the laptop in the stock now, or for nobody (the stock is trusted, not Intune's view). */
  async function followTheStock(serialNumber: string, priority: 'continuity' | 'standard'): Promise<void> {
    const inPool = await laptops.find(serialNumber);
    const holder = inPool && inPool.status !== 'available' ? inPool.userPrincipalName : null;
    if (holder) {
      await autopilot.assign(serialNumber, { userPrincipalName: holder, displayName: holder }, priority, {
        evenIfShown: true,
      });
    } else {
      await autopilot.unassign(serialNumber, priority);
    }
  }

  return {
    step: 'laptop',
    async provision(onboarding) {
      const held = await laptops.heldBy(onboarding.id);
      if (!held && onboarding.kind === 'equipment') {
        // An agent in post whose upn was corrected may hold a laptop already (the request named someone else).
        const theirs = await laptops.assignedTo(onboarding.userPrincipalName);
        if (theirs && theirs.serialNumber.toUpperCase() !== onboarding.replaces?.serialNumber.toUpperCase()) {
          return { kind: 'not-needed', detail: `the agent already holds laptop ${theirs.serialNumber}` };
        }
      }
      if (!held) {
        await requestAllocation(`request/${onboarding.id}/${onboarding.steps.laptop.attempt}`);
        return { kind: 'waiting', detail: IN_LINE };
      }
      let assigned: 'assigned' | 'unknown-device';
      try {
        assigned = await autopilot.assign(
          held.serialNumber,
          { userPrincipalName: onboarding.userPrincipalName, displayName: onboarding.displayName },
          onboarding.priority,
        );
      } catch (err) {
        if (err instanceof TenantRefusal) return { kind: 'failed', code: err.code, message: err.message };
        throw err;
      }
      if (assigned === 'unknown-device') {
        // Not a laptop anyone can be given: out of the stock until someone looks at it.
        await laptops.setAside(held.serialNumber, onboarding.id);
        await requestAllocation(`repair/${held.serialNumber}`);
        return {
          kind: 'failed',
          code: 'AutopilotDeviceNotFound',
          message: `no Windows Autopilot identity for serial ${held.serialNumber}; the laptop is set aside for repair`,
        };
      }
      if (!(await laptops.markAssigned(onboarding.id, held))) {
        await followTheStock(held.serialNumber, onboarding.priority);
        await requestAllocation(`taken/${onboarding.id}/${held.serialNumber}`);
        return { kind: 'waiting', detail: IN_LINE };
      }
      // Served from another site when the agent's had none (the allocation prefers theirs): to be sent there.
      const from = held.site;
      const elsewhere = from !== null && onboarding.site !== null && from !== onboarding.site;
      return { kind: 'done', serialNumber: held.serialNumber, ...(elsewhere ? { fromSite: from } : {}) };
    },
    async revert(onboarding) {
      const held = await laptops.heldBy(onboarding.id);
      if (held) await autopilot.unassign(held.serialNumber, onboarding.priority);
      if ((await laptops.release(onboarding.id)).length > 0) {
        await requestAllocation(`release/${onboarding.id}/${onboarding.steps.laptop.attempt}`);
      }
      return undefined;
    },
  };
}
