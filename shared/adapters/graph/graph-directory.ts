import type { Directory, DirectoryAgent } from '../../ports/directory';
import { TransientError } from '../../ports/provisioners';
import { GraphClient, GraphError, withCallPriority } from './graph-client';
import { asTransient } from './graph-errors';
import { findSubscribedSku } from './licence-connector';

interface GraphUser {
  id: string;
  userPrincipalName?: string | null;
  employeeId?: string | null;
  displayName?: string | null;
  department?: string | null;
  officeLocation?: string | null;
  manager?: { id?: string | null; userPrincipalName?: string | null } | null;
}

const AGENT_QUERY =
  '$select=id,userPrincipalName,employeeId,displayName,department,officeLocation' +
  '&$expand=manager($select=id,userPrincipalName)';

function agentOf(user: GraphUser, asked: string): DirectoryAgent {
  return {
    objectId: user.id,
    userPrincipalName: user.userPrincipalName ?? asked,
    employeeId: user.employeeId ?? null,
    displayName: user.displayName ?? asked,
    department: user.department ?? null,
    site: user.officeLocation ?? null,
    managerUpn: user.manager?.userPrincipalName ?? null,
    managerObjectId: user.manager?.id ?? null,
  };
}

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
        this.graph.call<GraphUser>('GET', `/users/${encodeURIComponent(userPrincipalName)}?${AGENT_QUERY}`),
      );
      return agentOf(user, userPrincipalName);
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) return null;
      throw asTransient(err);
    }
  }

  /**
   * `GET /users?$filter=employeeId eq '…'` (the user resource: employeeId "Supports $filter (eq, ne, not, ge,
   * le, in, startsWith, and eq on null values)", no advanced query needed), then the agent by upn for the
   * manager ($expand on a single user).
   */
  async agentByEmployeeId(employeeId: string): Promise<DirectoryAgent | null> {
    try {
      const found = await withCallPriority('interactive', () =>
        this.graph.call<{ value: { userPrincipalName: string }[] }>(
          'GET',
          `/users?$filter=${encodeURIComponent(`employeeId eq '${employeeId.replace(/'/g, "''")}'`)}` +
            '&$select=id,userPrincipalName&$top=2',
        ),
      );
      const [only, ...others] = found.value;
      if (!only || others.length > 0) return null;
      return await this.agent(only.userPrincipalName);
    } catch (err) {
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
