import { z } from 'zod';
import type { Directory, TenantUser } from './directory';
import { badRequest, GraphHttpError } from './graph-errors';

/**
 * Microsoft Teams membership through Graph v1.0, as the simulated tenant answers it:
 * - POST /teams/{team-id}/members with an `aadUserConversationMember` (`roles`, `user@odata.bind` to
 *   `…/users('{id | upn}')`) → 201 and the conversationMember; its `id` is the membership id, opaque to clients
 *   (https://learn.microsoft.com/graph/api/team-post-members). A member added again is answered 201 with the
 *   membership it has: Graph reports no "already a member" error (microsoftgraph/microsoft-graph-docs-contrib
 *   #4799: "This is the response no matter how many times I add member to the Team").
 *   Without the bind: 400 "The navigation bind for the user was missing in request" (the error client projects
 *   met, microsoftgraph/microsoft-graph-docs-contrib #4178). A user the directory does not know: 404, as Graph
 *   answers for a disabled or blocked one ("The response code 404 Not Found is returned when you attempt to add a
 *   disabled/blocked user"). An unknown team: 404 NotFound. The addition takes time to be reflected: a new member
 *   shows in the list a replication lag later.
 * - A user without a licence: Graph documents no refusal (a user needs a Teams licence to *use* Teams,
 *   https://learn.microsoft.com/microsoftteams/user-access, not to be made a member), so the membership is made;
 *   the ledger's detail says `unlicensed`, so that a test can see the product asked too early.
 * - GET /teams/{team-id}/members takes `$filter` on the aadUserConversationMember's `userId`, `email` and
 *   `displayName` (`(microsoft.graph.aadUserConversationMember/userId eq '…')`) and `$select`
 *   (https://learn.microsoft.com/graph/api/team-list-members); a collection comes a page at a time with
 *   `@odata.nextLink` (https://learn.microsoft.com/graph/paging).
 * - GET and DELETE /teams/{team-id}/members/{membership-id} → 200 / 204, 404 for an unknown membership
 *   (https://learn.microsoft.com/graph/api/team-get-members, https://learn.microsoft.com/graph/api/team-delete-members).
 * - Permissions: TeamMember.ReadWriteNonOwnerRole.All (least privileged) adds and removes members but not owners;
 *   TeamMember.ReadWrite.All any (the pages' "Permissions" tables; local/simulated-tenant/permissions.ts).
 */
export const teamStateSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  description: z.string().nullable(),
  members: z.array(z.object({ userId: z.string(), roles: z.array(z.string()) })),
});
export type TeamState = z.infer<typeof teamStateSchema>;

const MEMBER_TYPE = '#microsoft.graph.aadUserConversationMember';
const MEMBER_PROPERTY = /^microsoft\.graph\.aadUserConversationMember\/(userId|email|displayName)$/;

interface Membership {
  userId: string;
  roles: string[];
  /** A new member shows in lists and reads from this instant (Teams reflects an addition after a while). */
  visibleAt: number;
}

interface Team {
  id: string;
  displayName: string;
  description: string | null;
  /** By the user's object id. */
  members: Map<string, Membership>;
}

export interface TeamsBehaviour {
  replicationLagMs: () => number;
  pageSize: () => number;
}

function notFound(message: string): GraphHttpError {
  return new GraphHttpError(404, 'NotFound', message);
}

function forbidden(): GraphHttpError {
  return new GraphHttpError(403, 'Forbidden', 'You do not have permission to perform this operation.');
}

/** The user an `user@odata.bind` names: `…/users('{id | upn}')` or `…/users/{id | upn}`. */
function boundUser(bind: unknown): string | undefined {
  if (typeof bind !== 'string') return undefined;
  const m = /\/users\('([^']+)'\)$/.exec(bind) ?? /\/users\/([^/()']+)$/.exec(bind);
  return m?.[1];
}

export class Teams {
  private readonly teams = new Map<string, Team>();

  constructor(
    private readonly directory: Directory,
    private readonly tenantId: string,
    private readonly behaviour: TeamsBehaviour,
    /** Whether the user holds a licence (Teams comes with it). */
    private readonly licensed: (user: TenantUser) => boolean,
  ) {}

  /** The membership id of a user in a team: opaque to clients, stable (the same member keeps it). */
  static membershipId(teamId: string, userId: string): string {
    return Buffer.from(`${teamId}##${userId}`, 'utf8').toString('base64');
  }

  /** Puts a team with its members as saved or seeded (they are visible at once). */
  put(state: TeamState): void {
    this.teams.set(state.id, {
      id: state.id,
      displayName: state.displayName,
      description: state.description,
      members: new Map(state.members.map((m) => [m.userId, { userId: m.userId, roles: [...m.roles], visibleAt: 0 }])),
    });
  }

  /** A team as the tenant's state keeps it. */
  state(teamId: string): TeamState | undefined {
    const team = this.teams.get(teamId);
    return (
      team && {
        id: team.id,
        displayName: team.displayName,
        description: team.description,
        members: [...team.members.values()].map((m) => ({ userId: m.userId, roles: [...m.roles] })),
      }
    );
  }

  all(): TeamState[] {
    return [...this.teams.keys()].map((id) => this.state(id)).filter((t): t is TeamState => t !== undefined);
  }

  /** Display name → team id (a department's team is named after it). */
  byDisplayName(): Record<string, string> {
    return Object.fromEntries([...this.teams.values()].map((t) => [t.displayName, t.id]));
  }

  isMember(teamId: string, userId: string): boolean {
    return this.teams.get(teamId)?.members.has(userId) ?? false;
  }

  private team(teamId: string): Team {
    const team = this.teams.get(teamId);
    if (!team) throw notFound(`No team found with Group Id ${teamId}`);
    return team;
  }

  private view(team: Team, m: Membership, select: string[] | null): Record<string, unknown> {
    const user = this.directory.byObjectId(m.userId);
    const all: Record<string, unknown> = {
      '@odata.type': MEMBER_TYPE,
      id: Teams.membershipId(team.id, m.userId),
      roles: [...m.roles],
      displayName: user?.displayName ?? null,
      visibleHistoryStartDateTime: '0001-01-01T00:00:00Z',
      userId: m.userId,
      email: user?.userPrincipalName ?? null,
      tenantId: this.tenantId,
    };
    if (!select) return all;
    return Object.fromEntries(
      Object.entries(all).filter(([k]) => k === '@odata.type' || k === 'id' || select.includes(k)),
    );
  }

  /**
   * POST /teams/{team-id}/members. `mayAddOwners`: the token holds TeamMember.ReadWrite.All (the NonOwnerRole
   * permission adds members only). Answers the conversationMember, whether it was created, and whether the user
   * held no licence.
   */
  add(
    teamId: string,
    body: unknown,
    now: number,
    mayAddOwners: boolean,
  ): { member: Record<string, unknown>; created: boolean; userId: string; unlicensed: boolean } {
    const team = this.team(teamId);
    const req = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (req['@odata.type'] !== MEMBER_TYPE) {
      throw badRequest(
        `Unsupported conversation member type '${String(req['@odata.type'])}'; expected ${MEMBER_TYPE}.`,
        'BadRequest',
      );
    }
    const roles = req.roles ?? [];
    if (!Array.isArray(roles) || roles.some((r) => r !== 'owner')) {
      // Guests cannot be added with application permissions, and `owner` is the only other qualifier.
      throw badRequest(`Invalid roles: ${JSON.stringify(roles)}.`, 'BadRequest');
    }
    const who = boundUser(req['user@odata.bind']);
    if (!who) throw badRequest('The navigation bind for the user was missing in request', 'BadRequest');
    let user: TenantUser;
    try {
      user = this.directory.resolve(who, now);
    } catch {
      throw notFound(`User '${decodeURIComponent(who)}' was not found.`);
    }
    const wanted = roles.length > 0 ? ['owner'] : [];
    const existing = team.members.get(user.id);
    if ((wanted.length > 0 || existing?.roles.includes('owner') === true) && !mayAddOwners) throw forbidden();
    if (existing)
      return { member: this.view(team, existing, null), created: false, userId: user.id, unlicensed: false };
    const membership = { userId: user.id, roles: wanted, visibleAt: now + this.behaviour.replicationLagMs() };
    team.members.set(user.id, membership);
    return {
      member: this.view(team, membership, null),
      created: true,
      userId: user.id,
      unlicensed: !this.licensed(user),
    };
  }

  /** GET /teams/{team-id}/members: a page from `skip`, filtered and selected as asked. */
  list(
    teamId: string,
    query: { filter: string | null; select: string[] | null; skip: number },
    now: number,
  ): { value: Record<string, unknown>[]; count: number; more: boolean } {
    const team = this.team(teamId);
    const match = this.filter(query.filter);
    const members = [...team.members.values()].filter((m) => m.visibleAt <= now && match(team, m));
    const size = Math.max(1, this.behaviour.pageSize());
    return {
      value: members.slice(query.skip, query.skip + size).map((m) => this.view(team, m, query.select)),
      count: members.length,
      more: query.skip + size < members.length,
    };
  }

  /** GET /teams/{team-id}/members/{membership-id}. */
  get(teamId: string, membershipId: string, select: string[] | null, now: number): Record<string, unknown> {
    const team = this.team(teamId);
    const membership = this.membership(team, membershipId);
    if (membership.visibleAt > now) throw notFound(`Membership ${membershipId} was not found.`);
    return this.view(team, membership, select);
  }

  /** DELETE /teams/{team-id}/members/{membership-id}; answers the user removed. */
  remove(teamId: string, membershipId: string, mayRemoveOwners: boolean): string {
    const team = this.team(teamId);
    const membership = this.membership(team, membershipId);
    if (membership.roles.includes('owner') && !mayRemoveOwners) throw forbidden();
    team.members.delete(membership.userId);
    return membership.userId;
  }

  private membership(team: Team, membershipId: string): Membership {
    let decoded = '';
    try {
      decoded = Buffer.from(decodeURIComponent(membershipId), 'base64').toString('utf8');
    } catch {
      // not base64: not a membership of this team
    }
    const [teamPart, userId] = decoded.split('##');
    const membership = teamPart === team.id && userId ? team.members.get(userId) : undefined;
    if (!membership) throw notFound(`Membership ${membershipId} was not found.`);
    return membership;
  }

  /** `$filter` as the list takes it: clauses `microsoft.graph.aadUserConversationMember/<property> eq '…'` joined by `or`. */
  private filter(filter: string | null): (team: Team, m: Membership) => boolean {
    if (filter === null) return () => true;
    let text = filter.trim();
    while (text.startsWith('(') && text.endsWith(')')) text = text.slice(1, -1).trim();
    const clauses = text.split(/\s+or\s+/i).map((clause) => {
      const c = clause.trim().replace(/^\((.*)\)$/, '$1');
      const m = /^(\S+)\s+eq\s+'((?:[^']|'')*)'$/i.exec(c.trim());
      const property = m?.[1] && MEMBER_PROPERTY.exec(m[1])?.[1];
      if (!m || !property) throw badRequest(`Invalid filter clause: ${filter}`, 'BadRequest');
      return { property, value: (m[2] ?? '').replace(/''/g, "'").toLowerCase() };
    });
    return (team, m) => {
      const user = this.directory.byObjectId(m.userId);
      const values: Record<string, string> = {
        userId: m.userId,
        email: user?.userPrincipalName ?? '',
        displayName: user?.displayName ?? '',
      };
      return clauses.some((c) => (values[c.property] ?? '').toLowerCase() === c.value);
    };
  }
}
