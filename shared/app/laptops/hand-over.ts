import type { Actor } from '../../domain/actor';
import { DomainError, ErrorCodes } from '../../domain/errors';
import type { Clock } from '../../ports/clock';
import type { LaptopPool } from '../../ports/laptop-pool';
import type { OnboardingStore } from '../../ports/onboarding-store';
import type { HandoverBody, Laptop } from '../../schemas/laptops';
import type { OnboardingWriter } from '../onboarding/onboarding-writer';

/**
 * `POST /api/laptops/{serialNumber}/handover`: the laptop assigned to an onboarding reaches its agent (picked
 * up at a site, or delivered). The onboarding first (its laptop step gains `handover`, one history entry),
 * then the device it replaces (expected back, `to-return`), then the laptop (handed over): a crash in between
 * leaves the laptop not handed over, and the same request again finishes what the first began (the
 * onboarding is not written twice); once the laptop is handed over, another call is 409.
 */
export function createHandOverLaptop(deps: {
  laptops: LaptopPool;
  store: OnboardingStore;
  writer: OnboardingWriter;
  clock: Clock;
}) {
  const { laptops, store, writer, clock } = deps;
  return async function handOverLaptop(serialNumber: string, body: HandoverBody, by: Actor): Promise<Laptop> {
    const laptop = await laptops.find(serialNumber);
    if (!laptop) throw new DomainError(ErrorCodes.laptopNotFound, `no laptop ${serialNumber}`);
    if (laptop.handedOverAt !== undefined) {
      throw new DomainError(
        ErrorCodes.laptopNotHandable,
        `laptop ${laptop.serialNumber} was handed over already (${laptop.handedOverAt})`,
      );
    }
    if (laptop.status !== 'assigned' || laptop.onboardingId === null) {
      throw new DomainError(
        ErrorCodes.laptopNotHandable,
        `laptop ${laptop.serialNumber} is ${laptop.status}${laptop.onboardingId === null ? ', for no onboarding' : ''}: only a laptop assigned to an onboarding is handed over`,
      );
    }
    const onboardingId = laptop.onboardingId;
    const current = await store.get(onboardingId);
    if (!current) throw new DomainError(ErrorCodes.notFound, `no onboarding ${onboardingId}`);
    const recorded = current.value.steps.laptop.handover;
    // Recorded by a first call that stopped before the laptop: that call is finished, not made again.
    const onboarding =
      recorded !== undefined && current.value.steps.laptop.serialNumber === laptop.serialNumber
        ? current.value
        : await writer.apply(
            onboardingId,
            () => ({
              type: 'laptop-handed-over',
              at: clock.now().toISOString(),
              by,
              serialNumber: laptop.serialNumber,
              method: body.method,
              ...(body.trackingNumber !== undefined ? { trackingNumber: body.trackingNumber } : {}),
              ...(body.comment !== undefined ? { comment: body.comment } : {}),
            }),
            current,
          );
    const handover = onboarding?.steps.laptop.handover;
    if (!onboarding || !handover) throw new Error(`onboarding ${onboardingId}: the handover was not recorded`);
    if (onboarding.replaces) {
      await laptops.expectBack(onboarding.replaces.serialNumber, {
        onboardingId,
        userPrincipalName: onboarding.userPrincipalName,
        site: onboarding.site,
      });
    }
    if (!(await laptops.handOver(laptop.serialNumber, onboardingId, handover.at))) {
      throw new DomainError(
        ErrorCodes.laptopNotHandable,
        `laptop ${laptop.serialNumber} changed while its handover was recorded; read it again`,
      );
    }
    return (await laptops.find(laptop.serialNumber)) ?? laptop;
  };
}
