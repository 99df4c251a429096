import type { Provisioner } from '../../ports/provisioners';
import { GraphError, type GraphClient } from './graph-client';
import { asTransient, failedOrThrow } from './graph-errors';
import { findUser } from './graph-users';

/** The team of a department, from `Provisioning__departmentTeams` (department → the team's group id). */
export type TeamOf = (department: string) => string | undefined;

interface ConversationMember {
  id: string;
}

/**
 * Teams: the agent becomes a member of their department's team (`POST /teams/{id}/members` with an
 * aadUserConversationMember, 201 with the membership; application permission TeamMember.ReadWriteNonOwnerRole.All,
 * the least one for adding and removing a member who is not an owner:
 * https://learn.microsoft.com/graph/api/team-post-members), once it knows the agent is not a member already
 * (TeamMember.Read.All to list: two narrow permissions rather than TeamMember.ReadWrite.All, which could change
 * owners too). Only a membership this step made is removed by an undo
 * or a move (`DELETE /teams/{id}/members/{membership-id}`, https://learn.microsoft.com/graph/api/team-delete-members),
 * by the id the addition answered. A department
 * without a team: the step has nothing to do. A move first joins the new department's team, then leaves the old.
 */
export function createTeamsConnector(graph: GraphClient, options: { teamOf: TeamOf }): Provisioner {
  async function leave(groupId: string, membershipId: string): Promise<void> {
    try {
      await graph.call('DELETE', `/teams/${groupId}/members/${encodeURIComponent(membershipId)}`);
    } catch (err) {
      // Gone already (removed in Teams, or an undo run twice): nothing to undo.
      if (!(err instanceof GraphError && err.status === 404)) throw asTransient(err);
    }
  }
  return {
    step: 'teams',
    async provision(onboarding) {
      const step = onboarding.steps.teams;
      const groupId = options.teamOf(onboarding.department);
      // A move: the membership of the former department's team, left once the new one is joined (or at once when
      // the new department has none).
      const previous =
        step.previousGroupId !== undefined && step.groupId === step.previousGroupId && step.membershipId
          ? { groupId: step.previousGroupId, membershipId: step.membershipId }
          : null;
      if (!groupId) {
        if (previous) await leave(previous.groupId, previous.membershipId);
        return { kind: 'not-needed', detail: `no team for the department ${onboarding.department}` };
      }
      if (previous?.groupId === groupId) return { kind: 'done', groupId, membershipId: previous.membershipId };
      const user = await findUser(graph, onboarding);
      let membershipId: string | undefined;
      if (step.groupId === groupId && step.membershipId) {
        membershipId = step.membershipId;
      } else {
        try {
          // A member already (an agent in post in their department's team) keeps that membership: nothing is
          // added, so an undo removes nothing. Graph answers 201 again for a member already there, so it is
          // asked first (TeamMember.Read.All: https://learn.microsoft.com/graph/api/team-list-members).
          const filter = encodeURIComponent(`(microsoft.graph.aadUserConversationMember/userId eq '${user.id}')`);
          const { value } = await graph.call<{ value: ConversationMember[] }>(
            'GET',
            `/teams/${groupId}/members?$filter=${filter}`,
          );
          const existing = value[0];
          if (existing) {
            if (previous) await leave(previous.groupId, previous.membershipId);
            return {
              kind: 'done',
              groupId,
              membershipId: existing.id,
              detail: 'already a member of the team',
              preExisting: true,
            };
          }
          const member = await graph.call<ConversationMember>('POST', `/teams/${groupId}/members`, {
            '@odata.type': '#microsoft.graph.aadUserConversationMember',
            roles: [],
            'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${user.id}')`,
          });
          membershipId = member.id;
        } catch (err) {
          return failedOrThrow(err);
        }
      }
      if (previous) await leave(previous.groupId, previous.membershipId);
      return { kind: 'done', groupId, membershipId };
    },
    async revert(onboarding) {
      const { groupId, membershipId } = onboarding.steps.teams;
      if (groupId && membershipId) await leave(groupId, membershipId);
      return undefined;
    },
  };
}
