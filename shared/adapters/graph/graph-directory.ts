import type { Directory, DirectoryAgent } from '../../ports/directory';
import { TransientError } from '../../ports/provisioners';
import { GraphClient, GraphError, withCallPriority } from './graph-client';
import { asTransient } from './graph-errors';
import { findSubscribedSku } from './licence-connector';

/**
 * The directory through Microsoft Graph: `GET /users/{upn}?$select=id` (404: no such account), the licence's
 * seats (`GET /subscribedSkus`). A person waits for each answer: first in line when
 * the budget is short.
 */
export class GraphDirectory implements Directory {
  constructor(
    private readonly graph: GraphClient,
    private readonly options: { licenseSkuId: string },
  ) {}

  async agent(userPrincipalName: string): Promise<DirectoryAgent | null> {
    try {
      const user = await withCallPriority('interactive', () =>
        this.graph.call<{
          id: string;
          displayName?: string | null;
          department?: string | null;
          officeLocation?: string | null;
          manager?: { userPrincipalName?: string | null } | null;
        }>(
          'GET',
          `/users/${encodeURIComponent(userPrincipalName)}?$select=id,displayName,department,officeLocation` +
            '&$expand=manager($select=userPrincipalName)',
        ),
      );
      return {
        objectId: user.id,
        displayName: user.displayName ?? userPrincipalName,
        department: user.department ?? null,
        site: user.officeLocation ?? null,
        managerUpn: user.manager?.userPrincipalName ?? null,
      };
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) return null;
      throw asTransient(err);
    }
  }

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
}
