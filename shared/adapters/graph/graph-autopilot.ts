import type { Autopilot, AutopilotDevice } from '../../ports/autopilot';
import type { CallPriority } from './graph-budget';
import { GraphError, withCallPriority, type GraphClient } from './graph-client';
import { TenantRefusal } from '../../ports/provisioners';
import { asTransient } from './graph-errors';

export interface AutopilotIdentity {
  id: string;
  serialNumber: string;
  userPrincipalName?: string | null;
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

/**
 * Windows Autopilot through Microsoft Graph (windowsAutopilotDeviceIdentity: assignUserToDevice,
 * unassignUserFromDevice, https://learn.microsoft.com/graph/api/intune-enrollment-windowsautopilotdeviceidentity-assignusertodevice).
 * Each call goes at the priority it is given when the Graph budget is short; transient faults are thrown as
 * TransientError, Graph's other refusals as TenantRefusal.
 */
export class GraphAutopilot implements Autopilot {
  constructor(private readonly graph: GraphClient) {}

  private at<T>(priority: CallPriority, call: () => Promise<T>): Promise<T> {
    return withCallPriority(priority, async () => {
      try {
        return await call();
      } catch (err) {
        const transient = asTransient(err);
        if (transient === err && err instanceof GraphError) throw new TenantRefusal(err.code, err.message);
        throw transient;
      }
    });
  }

  find(serialNumber: string, priority: CallPriority): Promise<AutopilotDevice | null> {
    return this.at(priority, async () => {
      const identity = await findAutopilotIdentity(this.graph, serialNumber);
      return identity ? { serialNumber, userPrincipalName: identity.userPrincipalName ?? null } : null;
    });
  }

  assign(
    serialNumber: string,
    user: { userPrincipalName: string; displayName: string },
    priority: CallPriority,
    options: { evenIfShown?: boolean } = {},
  ): Promise<'assigned' | 'unknown-device'> {
    return this.at(priority, async () => {
      const identity = await findAutopilotIdentity(this.graph, serialNumber);
      if (!identity) return 'unknown-device';
      const shown = (identity.userPrincipalName ?? '').toLowerCase() === user.userPrincipalName.toLowerCase();
      if (options.evenIfShown || !shown) {
        await this.graph.call('POST', devicePath(identity, 'assignUserToDevice'), {
          userPrincipalName: user.userPrincipalName,
          addressableUserName: user.displayName,
        });
      }
      return 'assigned';
    });
  }

  unassign(serialNumber: string, priority: CallPriority): Promise<void> {
    return this.at(priority, async () => {
      // Whatever the identity shows: an assignment that Intune accepted may not show yet, and would land after
      // an undo that trusted the view (a device left with a cancelled agent).
      const identity = await findAutopilotIdentity(this.graph, serialNumber);
      if (identity) await this.graph.call('POST', devicePath(identity, 'unassignUserFromDevice'));
    });
  }
}
