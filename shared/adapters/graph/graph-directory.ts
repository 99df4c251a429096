import type { Directory } from '../../ports/directory';
import { TransientError } from '../../ports/provisioners';
import { GraphClient, GraphError, withCallPriority } from './graph-client';

/** The directory through Microsoft Graph: `GET /users/{upn}?$select=id` (404: no such account). */
export class GraphDirectory implements Directory {
  constructor(private readonly graph: GraphClient) {}

  async objectIdOf(userPrincipalName: string): Promise<string | null> {
    try {
      // An approver waits for the answer: first in line when the budget is short.
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
}
