import type { Reservation } from '../../domain/laptop-allocation';
import type { LaptopPool } from '../../ports/laptop-pool';
import { TransientError, type ProvisionOutcome, type Provisioner, type Provisioners } from '../../ports/provisioners';
import type { Clock } from '../../ports/clock';
import type { Onboarding } from '../../schemas/onboarding';
import { laptopRequestFor } from '../../schemas/laptops';
import { GraphClient, GraphError } from './graph-client';

interface GraphUser {
  id: string;
  userPrincipalName: string;
  assignedLicenses?: { skuId: string }[];
}

interface SubscribedSku {
  skuId: string;
  skuPartNumber: string;
  consumedUnits: number;
  prepaidUnits: { enabled: number };
}

interface AutopilotIdentity {
  id: string;
  serialNumber: string;
  userPrincipalName?: string | null;
}

export interface GraphProvisionersOptions {
  graph: GraphClient;
  vpnGroupId: string;
  licenseSkuId: string;
  laptops: LaptopPool;
  clock: Clock;
  /** Seconds before a step waiting for licence seats checks again. */
  recheckSeconds: number;
  /** Resumes the onboardings an allocation pass served (sends their resume messages). */
  resume: (reservations: Reservation[]) => Promise<void>;
}

const ALREADY_MEMBER = /added object references already exist/i;
const NO_SEAT = /does not have any available licenses/i;

/** A Graph error as a step outcome: transient ones are thrown (retried with back-off), others fail the step. */
function failedOrThrow(err: unknown): ProvisionOutcome {
  if (err instanceof GraphError) {
    if (err.isTransient)
      throw new TransientError(`Microsoft Graph ${err.status} ${err.code}: ${err.message}`, err.retryAfterSeconds);
    return { kind: 'failed', code: err.code, message: err.message };
  }
  throw err;
}

/** The Microsoft Graph connectors: VPN group membership, Microsoft 365 licence, laptop via Windows Autopilot. */
export function createGraphProvisioners(o: GraphProvisionersOptions): Provisioners {
  const { graph } = o;

  /** The user, or a transient error while directory sync has not brought the account over yet. */
  async function findUser(onboarding: Onboarding): Promise<GraphUser> {
    try {
      return await graph.call<GraphUser>(
        'GET',
        `/users/${encodeURIComponent(onboarding.userPrincipalName)}?$select=id,userPrincipalName,assignedLicenses`,
      );
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) {
        throw new TransientError(`user ${onboarding.userPrincipalName} is not in the directory yet (directory sync)`);
      }
      throw err;
    }
  }

  /** The user, or null when there is none (nothing to revert). */
  async function findUserForRevert(onboarding: Onboarding): Promise<GraphUser | null> {
    try {
      return await findUser(onboarding);
    } catch (err) {
      if (err instanceof TransientError && /not in the directory/.test(err.message)) return null;
      throw err;
    }
  }

  function rethrowTransient(err: unknown): never {
    if (err instanceof GraphError && err.isTransient) {
      throw new TransientError(`Microsoft Graph ${err.status} ${err.code}: ${err.message}`, err.retryAfterSeconds);
    }
    throw err;
  }

  const vpn: Provisioner = {
    step: 'vpn',
    async provision(onboarding) {
      try {
        const user = await findUser(onboarding);
        await graph.call('POST', `/groups/${o.vpnGroupId}/members/$ref`, {
          '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user.id}`,
        });
        return { kind: 'done' };
      } catch (err) {
        if (err instanceof GraphError && err.status === 400 && ALREADY_MEMBER.test(err.message))
          return { kind: 'done' };
        return failedOrThrow(err);
      }
    },
    async revert(onboarding) {
      try {
        const user = await findUserForRevert(onboarding);
        if (!user) return;
        await graph.call('DELETE', `/groups/${o.vpnGroupId}/members/${user.id}/$ref`);
      } catch (err) {
        if (err instanceof GraphError && err.status === 404) return; // not a member: nothing to undo
        rethrowTransient(err);
      }
    },
  };

  const officeLicense: Provisioner = {
    step: 'officeLicense',
    async provision(onboarding) {
      const waiting = (detail: string): ProvisionOutcome => ({
        kind: 'waiting',
        detail,
        recheckAfterSeconds: o.recheckSeconds,
      });
      try {
        const user = await findUser(onboarding);
        if (user.assignedLicenses?.some((l) => l.skuId === o.licenseSkuId)) return { kind: 'done' };
        const { value } = await graph.call<{ value: SubscribedSku[] }>('GET', '/subscribedSkus');
        const sku = value.find((s) => s.skuId === o.licenseSkuId);
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
        if (err instanceof GraphError && err.status === 400 && NO_SEAT.test(err.message))
          return waiting('no licence seat free');
        return failedOrThrow(err);
      }
    },
    async revert(onboarding) {
      try {
        const user = await findUserForRevert(onboarding);
        if (!user?.assignedLicenses?.some((l) => l.skuId === o.licenseSkuId)) return;
        await graph.call('POST', `/users/${user.id}/assignLicense`, {
          addLicenses: [],
          removeLicenses: [o.licenseSkuId],
        });
      } catch (err) {
        rethrowTransient(err);
      }
    },
  };

  async function autopilotIdentity(serialNumber: string): Promise<AutopilotIdentity | undefined> {
    const filter = encodeURIComponent(`contains(serialNumber,'${serialNumber.replace(/'/g, "''")}')`);
    const { value } = await graph.call<{ value: AutopilotIdentity[] }>(
      'GET',
      `/deviceManagement/windowsAutopilotDeviceIdentities?$filter=${filter}`,
    );
    return value.find((d) => d.serialNumber === serialNumber);
  }

  /** Sets the Autopilot user of a device to whoever holds it in the pool now (or to nobody). */
  async function reconcileDevice(serialNumber: string): Promise<void> {
    try {
      const [identity, inPool] = await Promise.all([autopilotIdentity(serialNumber), o.laptops.find(serialNumber)]);
      if (!identity) return;
      const holder = inPool && inPool.status !== 'available' ? (inPool.userPrincipalName ?? '') : '';
      const current = (identity.userPrincipalName ?? '').toLowerCase();
      if (holder && current !== holder.toLowerCase()) {
        await graph.call(
          'POST',
          `/deviceManagement/windowsAutopilotDeviceIdentities/${identity.id}/assignUserToDevice`,
          {
            userPrincipalName: holder,
            addressableUserName: holder,
          },
        );
      } else if (!holder && current) {
        await graph.call(
          'POST',
          `/deviceManagement/windowsAutopilotDeviceIdentities/${identity.id}/unassignUserFromDevice`,
        );
      }
    } catch (err) {
      rethrowTransient(err);
    }
  }

  const laptop: Provisioner = {
    step: 'laptop',
    async provision(onboarding) {
      const { held, reservations } = await o.laptops.request(laptopRequestFor(onboarding, o.clock.now().toISOString()));
      await o.resume(reservations.filter((r) => r.onboardingId !== onboarding.id));
      // No recheck timer: the onboarding is resumed when laptops are added or come back to stock.
      if (!held) return { kind: 'waiting', detail: 'no laptop in stock' };
      try {
        const identity = await autopilotIdentity(held.serialNumber);
        if (!identity) {
          return {
            kind: 'failed',
            code: 'AutopilotDeviceNotFound',
            message: `no Windows Autopilot identity for serial ${held.serialNumber}`,
          };
        }
        const upn = onboarding.userPrincipalName.toLowerCase();
        if ((identity.userPrincipalName ?? '').toLowerCase() !== upn) {
          await graph.call(
            'POST',
            `/deviceManagement/windowsAutopilotDeviceIdentities/${identity.id}/assignUserToDevice`,
            {
              userPrincipalName: onboarding.userPrincipalName,
              addressableUserName: onboarding.displayName,
            },
          );
        }
      } catch (err) {
        return failedOrThrow(err);
      }
      if (!(await o.laptops.markAssigned(onboarding.id, held.serialNumber))) {
        // Released while we assigned it (the hire was cancelled): Autopilot must follow the pool, not us.
        await reconcileDevice(held.serialNumber);
        return {
          kind: 'failed',
          code: 'LaptopReleased',
          message: `laptop ${held.serialNumber} was released during its assignment`,
        };
      }
      return { kind: 'done', serialNumber: held.serialNumber };
    },
    async revert(onboarding) {
      const held = await o.laptops.heldBy(onboarding.id);
      if (held) {
        try {
          const identity = await autopilotIdentity(held.serialNumber);
          if (
            identity &&
            (identity.userPrincipalName ?? '').toLowerCase() === onboarding.userPrincipalName.toLowerCase()
          ) {
            await graph.call(
              'POST',
              `/deviceManagement/windowsAutopilotDeviceIdentities/${identity.id}/unassignUserFromDevice`,
            );
          }
        } catch (err) {
          rethrowTransient(err);
        }
      }
      const { reservations } = await o.laptops.release(onboarding.id);
      await o.resume(reservations);
    },
  };

  return { vpn, officeLicense, laptop };
}
