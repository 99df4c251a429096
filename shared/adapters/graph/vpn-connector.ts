import { TransientError, type Provisioner } from '../../ports/provisioners';
import type { GraphClient } from './graph-client';
import { asTransient, failedOrThrow, isNotFound, means } from './graph-errors';
import { findUser, findUserForRevert } from './graph-users';

/**
 * The VPN: membership of the VPN access group (`POST /groups/{id}/members/$ref`; "already exist" counts as
 * done, https://learn.microsoft.com/graph/api/group-post-members), removed by `DELETE …/members/{id}/$ref`.
 */
export function createVpnConnector(graph: GraphClient, options: { vpnGroupId: string }): Provisioner {
  const { vpnGroupId } = options;
  return {
    step: 'vpn',
    async provision(onboarding) {
      const user = await findUser(graph, onboarding);
      try {
        await graph.call('POST', `/groups/${vpnGroupId}/members/$ref`, {
          '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user.id}`,
        });
        return { kind: 'done' };
      } catch (err) {
        // A member already (an agent in post, or a step run twice): nothing to add.
        if (means(err, 'alreadyMember')) {
          return onboarding.kind === 'equipment'
            ? { kind: 'done', detail: 'already a member of the VPN group', preExisting: true }
            : { kind: 'done' };
        }
        if (isNotFound(err, vpnGroupId)) return failedOrThrow(err);
        // The user was just found, but this replica does not know it yet (eventual consistency).
        if (isNotFound(err))
          throw new TransientError(`account ${user.id} not replicated yet`, undefined, 'UserNotFound');
        return failedOrThrow(err);
      }
    },
    async revert(onboarding) {
      const user = await findUserForRevert(graph, onboarding);
      if (!user) return undefined;
      try {
        await graph.call('DELETE', `/groups/${vpnGroupId}/members/${user.id}/$ref`);
      } catch (err) {
        // Not a member (404, or 400 "removed object references do not exist"): nothing to undo.
        if (!means(err, 'notMember')) throw asTransient(err);
      }
      return undefined;
    },
  };
}
