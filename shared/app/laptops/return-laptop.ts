import type { Actor } from '../../domain/actor';
import { DomainError, ErrorCodes } from '../../domain/errors';
import type { AccessoryStock } from '../../ports/accessory-stock';
import type { Autopilot } from '../../ports/autopilot';
import type { Clock } from '../../ports/clock';
import type { LaptopPool } from '../../ports/laptop-pool';
import { REPLACED_DEVICE_MODEL, type Laptop, type LaptopReturnBody } from '../../schemas/laptops';
import type { OnboardingWriter } from '../onboarding/onboarding-writer';
import type { RequestAllocation } from './allocation-requests';

/**
 * The DSI records a laptop's return (`POST /api/laptops/{serialNumber}/return`), from `to-return` (a leaver's)
 * or `repair`. The leaver's onboarding first (its laptop step reverted; left when access is gone too), then
 * what they hold besides (accessories, back in their stock), then the laptop: `ok` loses its Autopilot user and goes back in stock, where the line is served at once;
 * `repair` stays out of stock. A crash in between leaves the laptop as it was, and the same request again
 * finishes (the onboarding's part is not done twice).
 */
export function createReturnLaptop(deps: {
  laptops: LaptopPool;
  /** What the leaver holds besides the laptop comes back with it, into the stock. */
  accessories: Pick<AccessoryStock, 'putBack'>;
  writer: OnboardingWriter;
  autopilot: Autopilot;
  clock: Clock;
  requestAllocation: RequestAllocation;
}) {
  const { laptops, writer, autopilot, clock } = deps;
  return async function returnLaptop(serialNumber: string, body: LaptopReturnBody, by: Actor): Promise<Laptop> {
    const laptop = await laptops.find(serialNumber);
    if (!laptop) throw new DomainError(ErrorCodes.laptopNotFound, `no laptop ${serialNumber}`);
    if (laptop.status !== 'to-return' && laptop.status !== 'repair') {
      throw new DomainError(
        ErrorCodes.laptopNotReturnable,
        `laptop ${laptop.serialNumber} is ${laptop.status}; only a laptop to return or in repair can be returned`,
      );
    }
    if (laptop.onboardingId !== null) {
      const after = await writer.apply(laptop.onboardingId, () => ({
        type: 'laptop-returned',
        at: clock.now().toISOString(),
        by,
        serialNumber: laptop.serialNumber,
        condition: body.condition,
        ...(body.comment !== undefined ? { comment: body.comment } : {}),
      }));
      // A leaver's accessories came back with the laptop (not those of an agent handing back a replaced device).
      const leaverAccessories = after?.status === 'left' || after?.status === 'leaving';
      if (leaverAccessories && (await deps.accessories.putBack(laptop.onboardingId)) > 0) {
        await deps.requestAllocation(`accessories-returned/${laptop.onboardingId}`);
      }
    }
    if (body.condition === 'ok') await autopilot.unassign(laptop.serialNumber, 'interactive');
    // A desktop an equipment request replaced was recorded only to be handed back: back, it leaves the stock
    // (no one is given it as a laptop). The answer is its last record.
    if (laptop.model === REPLACED_DEVICE_MODEL) {
      await laptops.retire(laptop.serialNumber);
      return laptop;
    }
    if (!(await laptops.recordReturn(laptop.serialNumber, body.condition))) {
      throw new DomainError(
        ErrorCodes.laptopNotReturnable,
        `laptop ${laptop.serialNumber} changed while its return was recorded; read it again`,
      );
    }
    if (body.condition === 'ok') await deps.requestAllocation(`returned/${laptop.serialNumber}/${laptop.updatedAt}`);
    const now = await laptops.find(laptop.serialNumber);
    return now ?? laptop;
  };
}
