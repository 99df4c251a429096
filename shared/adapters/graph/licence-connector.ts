import { TransientError, type ProvisionOutcome, type Provisioner } from '../../ports/provisioners';
import type { GraphClient } from './graph-client';
import { asTransient, failedOrThrow, means } from './graph-errors';
import { findUser, findUserForRevert, type GraphUser } from './graph-users';

export interface SubscribedSku {
  skuId: string;
  skuPartNumber: string;
  consumedUnits: number;
  prepaidUnits: { enabled: number };
}

/** The tenant's subscription for the SKU (`GET /subscribedSkus`, `$select` only: it takes no `$filter`), if any. */
export async function findSubscribedSku(graph: GraphClient, skuId: string): Promise<SubscribedSku | undefined> {
  const { value } = await graph.call<{ value: SubscribedSku[] }>(
    'GET',
    '/subscribedSkus?$select=skuId,skuPartNumber,consumedUnits,prepaidUnits',
  );
  return value.find((s) => s.skuId === skuId);
}

/**
 * The Microsoft 365 licence (`POST /users/{id}/assignLicense`): the usage location set first when the account
 * has none (Microsoft 365 refuses the licence otherwise), waiting when no seat is free; an inherited licence is
 * left in place at the undo, with a note (https://learn.microsoft.com/graph/api/user-assignlicense).
 */
export function createLicenceConnector(
  graph: GraphClient,
  options: {
    licenseSkuId: string;
    /** Set on an account without one before its licence: the onboarding's, else this (ISO 3166-1 alpha-2). */
    defaultUsageLocation: string;
    /** Seconds before a step waiting for licence seats checks again. */
    recheckSeconds: number;
  },
): Provisioner {
  const { licenseSkuId } = options;
  const inheritedFrom = (user: GraphUser) =>
    user.licenseAssignmentStates?.find((s) => s.skuId === licenseSkuId && s.assignedByGroup)?.assignedByGroup;
  const directlyAssigned = (user: GraphUser) =>
    user.licenseAssignmentStates?.some((s) => s.skuId === licenseSkuId && !s.assignedByGroup) ?? false;
  const waiting = (detail: string): ProvisionOutcome => ({
    kind: 'waiting',
    detail,
    recheckAfterSeconds: options.recheckSeconds,
  });
  return {
    step: 'officeLicense',
    async provision(onboarding) {
      const user = await findUser(graph, onboarding);
      if (user.assignedLicenses?.some((l) => l.skuId === licenseSkuId)) {
        const group = inheritedFrom(user);
        if (group && !directlyAssigned(user)) return { kind: 'done', detail: `inherited from group ${group}` };
        // An agent in post holds it already: nothing to assign.
        return onboarding.kind === 'equipment'
          ? { kind: 'done', detail: 'licence already held', preExisting: true }
          : { kind: 'done' };
      }
      try {
        if (!user.usageLocation) {
          await graph.call('PATCH', `/users/${user.id}`, {
            usageLocation: onboarding.usageLocation ?? options.defaultUsageLocation,
          });
        }
        const sku = await findSubscribedSku(graph, licenseSkuId);
        if (!sku)
          return {
            kind: 'failed',
            code: 'LicenseSkuNotFound',
            message: `the tenant has no subscription for SKU ${licenseSkuId}`,
          };
        if (sku.prepaidUnits.enabled - sku.consumedUnits <= 0) {
          return waiting(`no ${sku.skuPartNumber} seat free (${sku.consumedUnits}/${sku.prepaidUnits.enabled} used)`);
        }
        await graph.call('POST', `/users/${user.id}/assignLicense`, {
          addLicenses: [{ skuId: licenseSkuId, disabledPlans: [] }],
          removeLicenses: [],
        });
        return { kind: 'done' };
      } catch (err) {
        // Another assignment took the last seat between our check and our call.
        if (means(err, 'noSeat')) return waiting('no licence seat free');
        // The usage location just set has not reached licensing yet (eventual consistency).
        if (means(err, 'invalidUsageLocation')) {
          throw new TransientError(`usageLocation of ${user.id} not replicated yet`, undefined, 'UsageLocationMissing');
        }
        return failedOrThrow(err);
      }
    },
    async revert(onboarding) {
      const user = await findUserForRevert(graph, onboarding);
      if (!user) return undefined;
      const group = inheritedFrom(user);
      const inheritedNote = {
        note: `licence inherited from group ${group ?? '?'}: left in place, remove the agent from that group`,
      };
      if (!directlyAssigned(user)) return group ? inheritedNote : undefined;
      try {
        await graph.call('POST', `/users/${user.id}/assignLicense`, {
          addLicenses: [],
          removeLicenses: [licenseSkuId],
        });
      } catch (err) {
        if (means(err, 'inherited')) return inheritedNote;
        if (!means(err, 'notHeld')) throw asTransient(err);
      }
      return undefined;
    },
  };
}
