import type { AccessPasses, IssuedAccessPass } from '../../ports/access-passes';
import { TenantRefusal } from '../../ports/provisioners';
import { GraphClient, GraphError, withCallPriority } from './graph-client';
import { asTransient } from './graph-errors';

/**
 * Temporary Access Passes through Microsoft Graph: `POST /users/{id}/authentication/temporaryAccessPassMethods`
 * (https://learn.microsoft.com/graph/api/authentication-post-temporaryaccesspassmethods): 201 with the pass,
 * which Graph shows this once; a user holds one pass, a new one replaces it. The tenant's policy refuses a
 * lifetime outside its bounds, or any pass when the method is disabled (400/403): a refusal, not a fault. A
 * person waits for it: first in line when the Graph budget is short.
 */
export class GraphAccessPasses implements AccessPasses {
  constructor(private readonly graph: GraphClient) {}

  async issue(
    user: { objectId?: string; userPrincipalName: string },
    pass: { startDateTime: string; lifetimeInMinutes: number; isUsableOnce: boolean },
  ): Promise<IssuedAccessPass> {
    const id = encodeURIComponent(user.objectId ?? user.userPrincipalName);
    try {
      const created = await withCallPriority('interactive', () =>
        this.graph.call<IssuedAccessPass>('POST', `/users/${id}/authentication/temporaryAccessPassMethods`, pass),
      );
      return {
        temporaryAccessPass: created.temporaryAccessPass,
        startDateTime: created.startDateTime,
        lifetimeInMinutes: created.lifetimeInMinutes,
        isUsableOnce: created.isUsableOnce,
      };
    } catch (err) {
      const transient = asTransient(err);
      if (transient === err && err instanceof GraphError) {
        throw new TenantRefusal(err.code, `the tenant refused the Temporary Access Pass: ${err.message}`);
      }
      throw transient;
    }
  }
}
