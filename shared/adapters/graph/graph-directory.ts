import type { Directory } from '../../ports/directory';
import { TransientError } from '../../ports/provisioners';
import { GraphClient, GraphError, withCallPriority } from './graph-client';
import { asTransient } from './graph-errors';
import { devicePath, findAutopilotIdentity, findSubscribedSku } from './graph-provisioners';

/**
 * The directory through Microsoft Graph: `GET /users/{upn}?$select=id` (404: no such account), the licence's
 * seats (`GET /subscribedSkus`), a laptop's Autopilot user. A person waits for each answer: first in line when
 * the budget is short.
 */
export class GraphDirectory implements Directory {
  constructor(
    private readonly graph: GraphClient,
    private readonly options: { licenseSkuId: string },
  ) {}

  async objectIdOf(userPrincipalName: string): Promise<string | null> {
    try {
      const user = await withCallPriority('interactive', () =>
        this.graph.call<{ id: string }>('GET', `/users/${encodeURIComponent(userPrincipalName)}?$select=id`),
      );
      return user.id;
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) return null;
      if (err instanceof GraphError && err.isTransient) {
        throw new TransientError(`Microsoft Graph ${err.status} ${err.code}: ${err.message}`, err.retryAfterSeconds);
      }
      throw err;
    }
  }

  async freeSeats(): Promise<number> {
    try {
      const sku = await withCallPriority('interactive', () => findSubscribedSku(this.graph, this.options.licenseSkuId));
      return sku ? Math.max(0, sku.prepaidUnits.enabled - sku.consumedUnits) : 0;
    } catch (err) {
      throw asTransient(err);
    }
  }

  async unassignDevice(serialNumber: string): Promise<void> {
    try {
      await withCallPriority('interactive', async () => {
        const identity = await findAutopilotIdentity(this.graph, serialNumber);
        if (identity?.userPrincipalName) {
          await this.graph.call('POST', devicePath(identity, 'unassignUserFromDevice'));
        }
      });
    } catch (err) {
      throw asTransient(err);
    }
  }
}
