import { IN_LINE } from '../../domain/decide';
import type { Config } from '../../config';
import type { LaptopPool } from '../../ports/laptop-pool';
import { TransientError, type ProvisionOutcome, type Provisioner, type Provisioners } from '../../ports/provisioners';
import type { Onboarding } from '../../schemas/onboarding';
import type { CallPriority } from './graph-budget';
import { GraphClient, GraphError, withCallPriority } from './graph-client';
import { asTransient, isNotFound, means } from './graph-errors';

interface GraphUser {
  id: string;
  userPrincipalName: string;
  usageLocation?: string | null;
  assignedLicenses?: { skuId: string }[];
  licenseAssignmentStates?: { skuId: string; assignedByGroup: string | null }[];
}

export interface SubscribedSku {
  skuId: string;
  skuPartNumber: string;
  consumedUnits: number;
  prepaidUnits: { enabled: number };
}

export interface AutopilotIdentity {
  id: string;
  serialNumber: string;
  userPrincipalName?: string | null;
}

/** The tenant's subscription for the SKU (`GET /subscribedSkus`), if it has one. */
export async function findSubscribedSku(graph: GraphClient, skuId: string): Promise<SubscribedSku | undefined> {
  const { value } = await graph.call<{ value: SubscribedSku[] }>(
    'GET',
    '/subscribedSkus?$select=skuId,skuPartNumber,consumedUnits,prepaidUnits',
  );
  return value.find((s) => s.skuId === skuId);
}

/** Pages of one Autopilot search read at most (at Graph's page sizes, thousands of serials containing another). */
export const MAX_AUTOPILOT_PAGES = 50;

/**
 * The Windows Autopilot identity of a serial number, if Intune knows it. `contains` also matches longer serials, and
 * Graph answers a collection a page at a time: the identity can be on any page, so every `@odata.nextLink` is
 * followed until it is found or there is no next page (https://learn.microsoft.com/graph/paging).
 */
export async function findAutopilotIdentity(
  graph: GraphClient,
  serialNumber: string,
): Promise<AutopilotIdentity | undefined> {
  const filter = encodeURIComponent(`contains(serialNumber,'${serialNumber.replace(/'/g, "''")}')`);
  let path: string | undefined = `/deviceManagement/windowsAutopilotDeviceIdentities?$filter=${filter}`;
  for (let page = 0; path !== undefined; page++) {
    if (page === MAX_AUTOPILOT_PAGES) {
      throw new Error(`more than ${MAX_AUTOPILOT_PAGES} pages of Autopilot identities contain serial ${serialNumber}`);
    }
    const answer: { value: AutopilotIdentity[]; '@odata.nextLink'?: string } = await graph.call('GET', path);
    const found = answer.value.find((d) => d.serialNumber === serialNumber);
    if (found) return found;
    const next = answer['@odata.nextLink'];
    path = next === undefined ? undefined : graph.pathOf(next);
  }
  return undefined;
}

/** The path of an action on an Autopilot identity (assignUserToDevice, unassignUserFromDevice). */
export const devicePath = (identity: AutopilotIdentity, action: string) =>
  `/deviceManagement/windowsAutopilotDeviceIdentities/${identity.id}/${action}`;

export interface GraphProvisionersOptions {
  graph: GraphClient;
  vpnGroupId: string;
  licenseSkuId: string;
  /** Set on an account without one before its licence: the onboarding's, else this (ISO 3166-1 alpha-2). */
  defaultUsageLocation: string;
  laptops: LaptopPool;
  /** Seconds before a step waiting for licence seats checks again. */
  recheckSeconds: number;
  /** Asks the pool's allocator for a pass (`key`: why, so that the same reason twice is one pass). */
  requestAllocation: (key: string) => Promise<void>;
}

/**
 * The provisioners as the services build them (given the pool's allocation requests and laptops), from the
 * settings: the same wiring in Azure and on the local host.
 */
export function graphProvisionersFrom(
  graph: GraphClient,
  config: Pick<
    Config,
    | 'Graph__vpnGroupId'
    | 'Graph__licenseSkuId'
    | 'Provisioning__defaultUsageLocation'
    | 'Provisioning__waitingRecheckSeconds'
  >,
) {
  return (requestAllocation: (key: string) => Promise<void>, laptops: LaptopPool): Provisioners =>
    createGraphProvisioners({
      graph,
      vpnGroupId: config.Graph__vpnGroupId,
      licenseSkuId: config.Graph__licenseSkuId,
      defaultUsageLocation: config.Provisioning__defaultUsageLocation,
      laptops,
      recheckSeconds: config.Provisioning__waitingRecheckSeconds,
      requestAllocation,
    });
}

/** A Graph error as a step outcome: transient ones are thrown (retried with back-off), others fail the step. */
function failedOrThrow(err: unknown): ProvisionOutcome {
  const transient = asTransient(err);
  if (transient !== err) throw transient;
  if (err instanceof GraphError) return { kind: 'failed', code: err.code, message: err.message };
  throw err;
}

const USER_SELECT = 'id,userPrincipalName,usageLocation,assignedLicenses,licenseAssignmentStates';

/** The Microsoft Graph connectors: VPN group membership, Microsoft 365 licence, laptop via Windows Autopilot. */
export function createGraphProvisioners(o: GraphProvisionersOptions): Provisioners {
  const { graph } = o;

  /**
   * The agent's account. Not there (yet): a transient fault, since HR-driven provisioning creates it after
   * a sync delay; once retries are exhausted the step fails as UserNotFound, naming the upn.
   */
  async function findUser(onboarding: Onboarding): Promise<GraphUser> {
    const upn = onboarding.userPrincipalName;
    try {
      return await graph.call<GraphUser>('GET', `/users/${encodeURIComponent(upn)}?$select=${USER_SELECT}`);
    } catch (err) {
      if (isNotFound(err)) {
        throw new TransientError(
          `no account ${upn} in the directory (not provisioned yet, or a mistyped upn)`,
          undefined,
          'UserNotFound',
        );
      }
      throw asTransient(err);
    }
  }

  /** The user, or null when there is none (nothing to revert). */
  async function findUserForRevert(onboarding: Onboarding): Promise<GraphUser | null> {
    try {
      return await findUser(onboarding);
    } catch (err) {
      if (err instanceof TransientError && err.code === 'UserNotFound') return null;
      throw err;
    }
  }

  const vpn: Provisioner = {
    step: 'vpn',
    async provision(onboarding) {
      const user = await findUser(onboarding);
      try {
        await graph.call('POST', `/groups/${o.vpnGroupId}/members/$ref`, {
          '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user.id}`,
        });
        return { kind: 'done' };
      } catch (err) {
        if (means(err, 'alreadyMember')) return { kind: 'done' };
        if (isNotFound(err, o.vpnGroupId)) return failedOrThrow(err);
        // The user was just found, but this replica does not know it yet (eventual consistency).
        if (isNotFound(err))
          throw new TransientError(`account ${user.id} not replicated yet`, undefined, 'UserNotFound');
        return failedOrThrow(err);
      }
    },
    async revert(onboarding) {
      const user = await findUserForRevert(onboarding);
      if (!user) return undefined;
      try {
        await graph.call('DELETE', `/groups/${o.vpnGroupId}/members/${user.id}/$ref`);
      } catch (err) {
        // Not a member (404, or 400 "removed object references do not exist"): nothing to undo.
        if (!means(err, 'notMember')) throw asTransient(err);
      }
      return undefined;
    },
  };

  const inheritedFrom = (user: GraphUser) =>
    user.licenseAssignmentStates?.find((s) => s.skuId === o.licenseSkuId && s.assignedByGroup)?.assignedByGroup;
  const directlyAssigned = (user: GraphUser) =>
    user.licenseAssignmentStates?.some((s) => s.skuId === o.licenseSkuId && !s.assignedByGroup) ?? false;

  const officeLicense: Provisioner = {
    step: 'officeLicense',
    async provision(onboarding) {
      const waiting = (detail: string): ProvisionOutcome => ({
        kind: 'waiting',
        detail,
        recheckAfterSeconds: o.recheckSeconds,
      });
      const user = await findUser(onboarding);
      if (user.assignedLicenses?.some((l) => l.skuId === o.licenseSkuId)) {
        const group = inheritedFrom(user);
        return group && !directlyAssigned(user)
          ? { kind: 'done', detail: `inherited from group ${group}` }
          : { kind: 'done' };
      }
      try {
        if (!user.usageLocation) {
          // Microsoft 365 refuses a licence to an account without a usage location.
          await graph.call('PATCH', `/users/${user.id}`, {
            usageLocation: onboarding.usageLocation ?? o.defaultUsageLocation,
          });
        }
        const sku = await findSubscribedSku(graph, o.licenseSkuId);
        if (!sku)
          return {
            kind: 'failed',
            code: 'LicenseSkuNotFound',
            message: `the tenant has no subscription for SKU ${o.licenseSkuId}`,
          };
        if (sku.prepaidUnits.enabled - sku.consumedUnits <= 0) {
          return waiting(`no ${sku.skuPartNumber} seat free (${sku.consumedUnits}/${sku.prepaidUnits.enabled} used)`);
        }
        await graph.call('POST', `/users/${user.id}/assignLicense`, {
          addLicenses: [{ skuId: o.licenseSkuId, disabledPlans: [] }],
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
      const user = await findUserForRevert(onboarding);
      if (!user) return undefined;
      const group = inheritedFrom(user);
      const inheritedNote = {
        note: `licence inherited from group ${group ?? '?'}: left in place, remove the agent from that group`,
      };
      if (!directlyAssigned(user)) return group ? inheritedNote : undefined;
      try {
        await graph.call('POST', `/users/${user.id}/assignLicense`, {
          addLicenses: [],
          removeLicenses: [o.licenseSkuId],
        });
      } catch (err) {
        if (means(err, 'inherited')) return inheritedNote;
        if (!means(err, 'notHeld')) throw asTransient(err);
      }
      return undefined;
    },
  };

  const autopilotIdentity = (serialNumber: string) => findAutopilotIdentity(graph, serialNumber);

  /**
   * Sets the Autopilot user of a device to whoever holds it in the pool now (or to nobody). Intune applies an
   * assignment some time after it accepts it, so the user an identity shows may be one on its way out or not there
   * yet: what it shows is not trusted here, the pool is (assigning the user it will have anyway, or unassigning a
   * device that has nobody, changes nothing).
   */
  async function reconcileDevice(serialNumber: string): Promise<void> {
    try {
      const [identity, inPool] = await Promise.all([autopilotIdentity(serialNumber), o.laptops.find(serialNumber)]);
      if (!identity) return;
      const holder = inPool && inPool.status !== 'available' ? (inPool.userPrincipalName ?? '') : '';
      if (holder) {
        await graph.call('POST', devicePath(identity, 'assignUserToDevice'), {
          userPrincipalName: holder,
          addressableUserName: holder,
        });
      } else {
        await graph.call('POST', devicePath(identity, 'unassignUserFromDevice'));
      }
    } catch (err) {
      throw asTransient(err);
    }
  }

  const laptop: Provisioner = {
    step: 'laptop',
    async provision(onboarding) {
      // The account first: a laptop is not given to someone the directory does not know.
      await findUser(onboarding);
      const held = await o.laptops.heldBy(onboarding.id);
      if (!held) {
        // Only the pool's allocator reserves (in priority order): stay in line, and make sure it looks.
        await o.requestAllocation(`request/${onboarding.id}/${onboarding.steps.laptop.attempt}`);
        return { kind: 'waiting', detail: IN_LINE };
      }
      try {
        const identity = await autopilotIdentity(held.serialNumber);
        if (!identity) {
          // Not a laptop anyone can be given: out of the stock until someone looks at it.
          await o.laptops.setAside(held.serialNumber, onboarding.id);
          await o.requestAllocation(`repair/${held.serialNumber}`);
          return {
            kind: 'failed',
            code: 'AutopilotDeviceNotFound',
            message: `no Windows Autopilot identity for serial ${held.serialNumber}; the laptop is set aside for repair`,
          };
        }
        const upn = onboarding.userPrincipalName.toLowerCase();
        if ((identity.userPrincipalName ?? '').toLowerCase() !== upn) {
          await graph.call('POST', devicePath(identity, 'assignUserToDevice'), {
            userPrincipalName: onboarding.userPrincipalName,
            addressableUserName: onboarding.displayName,
          });
        }
      } catch (err) {
        return failedOrThrow(err);
      }
      if (!(await o.laptops.markAssigned(onboarding.id, held))) {
        // No longer ours while we assigned it: released (the hire was cancelled) or taken by a continuity
        // agent. Autopilot follows the stock, not us; the step goes back in line.
        await reconcileDevice(held.serialNumber);
        await o.requestAllocation(`taken/${onboarding.id}/${held.serialNumber}`);
        return { kind: 'waiting', detail: IN_LINE };
      }
      return { kind: 'done', serialNumber: held.serialNumber };
    },
    async revert(onboarding) {
      const held = await o.laptops.heldBy(onboarding.id);
      if (held) {
        try {
          // Unassigned whatever the identity shows: an assignment of this agent that Intune accepted may not show
          // yet, and would land after an undo that trusted the view (a device left with a cancelled agent).
          const identity = await autopilotIdentity(held.serialNumber);
          if (identity) await graph.call('POST', devicePath(identity, 'unassignUserFromDevice'));
        } catch (err) {
          throw asTransient(err);
        }
      }
      if ((await o.laptops.release(onboarding.id)).length > 0) {
        await o.requestAllocation(`release/${onboarding.id}/${onboarding.steps.laptop.attempt}`);
      }
      return undefined;
    },
  };

  // Each connector's Graph calls go at its agent's priority when the budget is short.
  const prioritised = (p: Provisioner): Provisioner => ({
    step: p.step,
    provision: (onboarding) => withCallPriority(priorityOf(onboarding), () => p.provision(onboarding)),
    revert: (onboarding) => withCallPriority(priorityOf(onboarding), () => p.revert(onboarding)),
  });
  return { vpn: prioritised(vpn), officeLicense: prioritised(officeLicense), laptop: prioritised(laptop) };
}

const priorityOf = (o: Onboarding): CallPriority => (o.priority === 'continuity' ? 'continuity' : 'standard');
