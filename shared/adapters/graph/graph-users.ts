import type { Onboarding } from '../../schemas/onboarding';
import { TransientError } from '../../ports/provisioners';
import type { GraphClient } from './graph-client';
import { asTransient, isNotFound } from './graph-errors';

/** An account as the connectors read it (`GET /users/{upn}`, with the properties they select). */
export interface GraphUser {
  id: string;
  userPrincipalName: string;
  usageLocation?: string | null;
  assignedLicenses?: { skuId: string }[];
  licenseAssignmentStates?: { skuId: string; assignedByGroup: string | null }[];
}

const USER_SELECT = 'id,userPrincipalName,usageLocation,assignedLicenses,licenseAssignmentStates';

/**
 * The agent's account. Not there (yet): a transient fault, since HR-driven provisioning creates it after a
 * sync delay; once retries are exhausted the step fails as UserNotFound, naming the upn.
 */
export async function findUser(graph: GraphClient, onboarding: Onboarding): Promise<GraphUser> {
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
export async function findUserForRevert(graph: GraphClient, onboarding: Onboarding): Promise<GraphUser | null> {
  try {
    return await findUser(graph, onboarding);
  } catch (err) {
    if (err instanceof TransientError && err.code === 'UserNotFound') return null;
    throw err;
  }
}
