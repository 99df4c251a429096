import { badRequest } from './graph-errors';
import type { Directory, TenantUser } from './directory';

/**
 * Licences of the simulated tenant: subscribed SKUs with their seats, and assignLicense as Graph does it
 * (https://learn.microsoft.com/graph/api/user-assignlicense):
 * - a user needs a usageLocation first (400 "License assignment cannot be done for user with invalid
 *   usage location.");
 * - no seat left is 400 "Subscription … does not have any available licenses.";
 * - a licence a user inherits from a group cannot be removed from the user directly (400); which
 *   licences are inherited shows in `licenseAssignmentStates`
 *   (https://learn.microsoft.com/graph/api/resources/licenseassignmentstate).
 * `subscribedSkus` takes `$select` only, not `$filter` (https://learn.microsoft.com/graph/api/subscribedsku-list).
 */
export const MESSAGES = {
  invalidUsageLocation: 'License assignment cannot be done for user with invalid usage location.',
  noSeat: (skuId: string) => `Subscription with SKU ${skuId} does not have any available licenses.`,
  inherited: 'User license is inherited from a group membership and it cannot be removed directly from the user.',
  notHeld: 'User does not have a corresponding license.',
  unknownSku: (skuId: string) => `License ${skuId} does not correspond to a valid company License.`,
  missing: (names: string[]) =>
    `One or more parameters of the operation 'assignLicense' are missing from the request payload. The missing parameters are: ${names.join(', ')}.`,
} as const;

export interface Sku {
  skuPartNumber: string;
  seats: number;
}

export class Licences {
  readonly skus = new Map<string, Sku>();

  constructor(private readonly directory: Directory) {}

  consumedUnits(skuId: string): number {
    let n = 0;
    for (const u of this.directory.users.values()) if (this.directory.holdsLicense(u, skuId)) n += 1;
    return n;
  }

  subscribedSkus(): Record<string, unknown>[] {
    return [...this.skus].map(([skuId, s]) => ({
      skuId,
      skuPartNumber: s.skuPartNumber,
      capabilityStatus: 'Enabled',
      appliesTo: 'User',
      consumedUnits: this.consumedUnits(skuId),
      prepaidUnits: { enabled: s.seats, suspended: 0, warning: 0, lockedOut: 0 },
    }));
  }

  /** POST /users/{id}/assignLicense; answers the changes made, for the ledger. */
  assign(user: TenantUser, body: unknown, now: number): { added: string[]; removed: string[] } {
    const req = (typeof body === 'object' && body !== null ? body : {}) as {
      addLicenses?: unknown;
      removeLicenses?: unknown;
    };
    const missing = (['addLicenses', 'removeLicenses'] as const).filter((k) => !Array.isArray(req[k]));
    if (missing.length > 0) throw badRequest(MESSAGES.missing(missing));
    const add = (req.addLicenses as { skuId?: unknown }[]).map((l) => String(l.skuId));
    const remove = (req.removeLicenses as unknown[]).map(String);
    const states = this.directory.licenseStates(user);
    for (const skuId of remove) {
      if (user.directLicenses.has(skuId)) continue;
      throw badRequest(states.some((s) => s.skuId === skuId) ? MESSAGES.inherited : MESSAGES.notHeld);
    }
    if (add.length > 0 && !this.directory.usageLocationSeenByLicensing(user, now)) {
      throw badRequest(MESSAGES.invalidUsageLocation);
    }
    for (const skuId of add) {
      const sku = this.skus.get(skuId);
      if (!sku) throw badRequest(MESSAGES.unknownSku(skuId));
      if (!this.directory.holdsLicense(user, skuId) && this.consumedUnits(skuId) >= sku.seats) {
        throw badRequest(MESSAGES.noSeat(skuId));
      }
    }
    const removed = remove.filter((skuId) => user.directLicenses.delete(skuId));
    const added = add.filter((skuId) => !user.directLicenses.has(skuId));
    for (const skuId of added) user.directLicenses.add(skuId);
    return { added, removed };
  }
}
