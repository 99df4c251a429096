import { localSettings, simulatedTenantOptions } from '../../local/local-settings';
import { acceleratedLimits, regionSeed, scaledLimits, SimulatedTenant } from '../../local/simulated-tenant';
import { GRAPH_APPLICATION_PERMISSIONS } from '../../shared/adapters/graph/graph-permissions';
import { graphToken, wire, type WireAnswer } from '../support/graph-wire';

// Microsoft Teams membership as Graph v1.0 answers it, over HTTPS against the simulated tenant seeded with the
// Région's agents (one team per department). Each behaviour cites its page.

const REGION = { agents: 950 };
const seed = regionSeed(REGION);
const teamOf = (department: string) => seed.teams.find((t) => t.department === department)!;
const NUMERIQUE = teamOf('Direction du numérique');
const LYCEES = teamOf('Direction des lycées');
/** An agent in post who is not in the Direction du numérique. */
const outsider = seed.agents.find((a) => a.department !== 'Direction du numérique' && a.index > 100)!;
const bind = (who: string) => `https://graph.microsoft.com/v1.0/users('${who}')`;
const member = (who: string, roles: string[] = []) => ({
  '@odata.type': '#microsoft.graph.aadUserConversationMember',
  roles,
  'user@odata.bind': bind(who),
});

let tenant: SimulatedTenant;
let token: string;
beforeAll(async () => {
  tenant = new SimulatedTenant({
    region: REGION,
    grantedPermissions: [...GRAPH_APPLICATION_PERMISSIONS, 'TeamMember.ReadWrite.All'],
  });
  await tenant.start();
  tenant.seedRegion();
  token = await graphToken(tenant);
});
afterAll(() => tenant.stop());
afterEach(() => tenant.configure({ limits: null, replicationLagMs: 0 }));

const post = (path: string, body: unknown, on = tenant, bearer = token) =>
  wire(on, 'POST', path, { token: bearer, body: JSON.stringify(body) });
const get = (path: string, on = tenant, bearer = token) => wire(on, 'GET', path, { token: bearer });
const del = (path: string, on = tenant, bearer = token) => wire(on, 'DELETE', path, { token: bearer });
const members = (teamId: string) => `/v1.0/teams/${teamId}/members`;

describe('adding a member (https://learn.microsoft.com/graph/api/team-post-members)', () => {
  it('when an agent is added to a team, then 201 with the aadUserConversationMember: its membership id, userId, roles, name and email; the team holds them and the ledger says so', async () => {
    const answer = await post(members(NUMERIQUE.id), member(outsider.id));
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({
      '@odata.type': '#microsoft.graph.aadUserConversationMember',
      id: expect.any(String) as unknown,
      userId: outsider.id,
      roles: [],
      displayName: outsider.displayName,
      email: outsider.userPrincipalName,
    });
    expect(answer.json.id).not.toBe(outsider.id);
    expect(tenant.teamMembers(NUMERIQUE.id)).toContain(outsider.id);
    expect(tenant.effectsOf('team-member-added')).toContainEqual(
      expect.objectContaining({ target: outsider.id, detail: NUMERIQUE.id }),
    );
  });

  it('when the same agent is added again, then 201 with the same membership and nothing changes: Graph reports no "already a member" (microsoftgraph/microsoft-graph-docs-contrib#4799)', async () => {
    const again = await post(members(NUMERIQUE.id), member(outsider.id));
    const once = await post(members(NUMERIQUE.id), member(outsider.id));
    expect([again.status, once.status]).toEqual([201, 201]);
    expect(once.json.id).toBe(again.json.id);
    expect(tenant.effectsOf('team-member-added').filter((e) => e.target === outsider.id)).toHaveLength(1);
    expect(tenant.teamMembers(NUMERIQUE.id).filter((id) => id === outsider.id)).toHaveLength(1);
  });

  it('when the user is bound by upn, then it is added as by id (the page’s example 2)', async () => {
    const other = seed.agents.find((a) => a.department !== 'Direction du numérique' && a.index > 200)!;
    const answer = await post(members(NUMERIQUE.id), member(other.userPrincipalName));
    expect(answer.status).toBe(201);
    expect(answer.json.userId).toBe(other.id);
  });

  it('when the user is unknown, then 404; the team unknown, 404 NotFound; the bind missing, 400 "The navigation bind for the user was missing in request"', async () => {
    const unknownUser = await post(members(NUMERIQUE.id), member('nobody@example.org'));
    expect(unknownUser.status).toBe(404);
    const unknownTeam = await post(members('00000000-0000-4000-8000-000000000000'), member(outsider.id));
    expect(unknownTeam.status).toBe(404);
    expect(unknownTeam.json).toMatchObject({ error: { code: 'NotFound' } });
    const noBind = await post(members(NUMERIQUE.id), { '@odata.type': '#microsoft.graph.aadUserConversationMember' });
    expect(noBind.status).toBe(400);
    expect(noBind.body).toContain('The navigation bind for the user was missing in request');
  });

  it('when a hire without a licence yet is added, then Graph makes the membership (it documents no refusal; a licence is needed to use Teams, https://learn.microsoft.com/microsoftteams/user-access), and the ledger marks it unlicensed', async () => {
    tenant.provisionFromHr({
      userPrincipalName: 'camille.martin@example.org',
      givenName: 'Camille',
      surname: 'Martin',
    });
    const id = tenant.userId('camille.martin@example.org')!;
    const answer = await post(members(NUMERIQUE.id), member(id));
    expect(answer.status).toBe(201);
    expect(tenant.effectsOf('team-member-added').find((e) => e.target === id)?.detail).toBe(
      `${NUMERIQUE.id} unlicensed`,
    );
    expect(tenant.effectsOf('team-member-added').find((e) => e.target === outsider.id)?.detail).toBe(NUMERIQUE.id);
  });

  it('when a member was just added, then the list shows them a replication lag later ("it might take some time for the addition to be reflected")', async () => {
    tenant.configure({ replicationLagMs: 300 });
    const late = seed.agents.find((a) => a.department !== 'Direction du numérique' && a.index > 300)!;
    expect((await post(members(NUMERIQUE.id), member(late.id))).status).toBe(201);
    const filter = `$filter=${encodeURIComponent(`(microsoft.graph.aadUserConversationMember/userId eq '${late.id}')`)}`;
    expect((await get(`${members(NUMERIQUE.id)}?${filter}`)).json.value).toEqual([]);
    await new Promise((r) => setTimeout(r, 350));
    expect((await get(`${members(NUMERIQUE.id)}?${filter}`)).json.value).toEqual([
      expect.objectContaining({ userId: late.id }),
    ]);
  });
});

describe('listing and removing (https://learn.microsoft.com/graph/api/team-list-members, team-delete-members)', () => {
  it('when the list is filtered on the member’s userId, then exactly that membership; on email, that one too; an unsupported filter is 400', async () => {
    const director = LYCEES.members.find((m) => m.roles.includes('owner'))!;
    const byUser = await get(
      `${members(LYCEES.id)}?$filter=${encodeURIComponent(`(microsoft.graph.aadUserConversationMember/userId eq '${director.userId}')`)}`,
    );
    expect(byUser.status).toBe(200);
    expect(byUser.json.value).toEqual([expect.objectContaining({ userId: director.userId, roles: ['owner'] })]);
    const upn = seed.agents.find((a) => a.id === director.userId)!.userPrincipalName;
    const byEmail = await get(
      `${members(LYCEES.id)}?$filter=${encodeURIComponent(`microsoft.graph.aadUserConversationMember/email eq '${upn}'`)}`,
    );
    expect((byEmail.json.value as { userId: string }[]).map((m) => m.userId)).toEqual([director.userId]);
    expect(
      (await get(`${members(LYCEES.id)}?$filter=${encodeURIComponent("startsWith(displayName,'A')")}`)).status,
    ).toBe(400);
  });

  it('when a team has more members than a page holds, then @odata.nextLink leads to the rest, each member once, and @odata.count says how many (https://learn.microsoft.com/graph/paging)', async () => {
    expect(LYCEES.members.length).toBeGreaterThan(100);
    const seen: string[] = [];
    let path: string | undefined = members(LYCEES.id);
    let pages = 0;
    while (path) {
      const page: WireAnswer = await get(path);
      expect(page.json['@odata.count']).toBe(LYCEES.members.length);
      seen.push(...(page.json.value as { userId: string }[]).map((m) => m.userId));
      const next = page.json['@odata.nextLink'] as string | undefined;
      if (next) expect(next.startsWith(tenant.graphBaseUrl)).toBe(true);
      path = next?.slice(tenant.authorityHost.length);
      pages += 1;
    }
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual(LYCEES.members.map((m) => m.userId).sort());
  });

  it('when a membership is deleted, then 204, the team no longer holds the agent, and the same delete again is 404', async () => {
    const added = await post(members(NUMERIQUE.id), member(outsider.id));
    const path = `${members(NUMERIQUE.id)}/${encodeURIComponent(String(added.json.id))}`;
    expect((await get(path)).json).toMatchObject({ userId: outsider.id });
    expect((await del(path)).status).toBe(204);
    expect(tenant.teamMembers(NUMERIQUE.id)).not.toContain(outsider.id);
    expect(tenant.effectsOf('team-member-removed')).toContainEqual(
      expect.objectContaining({ target: outsider.id, detail: NUMERIQUE.id }),
    );
    expect((await del(path)).status).toBe(404);
    expect((await get(path)).status).toBe(404);
  });
});

describe('permissions (each page’s "Permissions" table)', () => {
  it('when the token holds no TeamMember permission, then 403 Authorization_RequestDenied and the team is unchanged', async () => {
    const narrow = new SimulatedTenant({
      region: REGION,
      grantedPermissions: GRAPH_APPLICATION_PERMISSIONS.filter((p) => !p.startsWith('TeamMember.')),
    });
    await narrow.start();
    try {
      narrow.seedRegion();
      const t = await graphToken(narrow);
      const refused = await post(members(NUMERIQUE.id), member(outsider.id), narrow, t);
      expect(refused.status).toBe(403);
      expect(refused.json).toMatchObject({ error: { code: 'Authorization_RequestDenied' } });
      expect(narrow.teamMembers(NUMERIQUE.id)).not.toContain(outsider.id);
      expect((await get(members(NUMERIQUE.id), narrow, t)).status).toBe(403);
    } finally {
      await narrow.stop();
    }
  });

  it('when the token holds TeamMember.ReadWriteNonOwnerRole.All (the least privileged), then members are added, but an owner is neither added nor removed: 403', async () => {
    const nonOwner = new SimulatedTenant({
      region: REGION,
      grantedPermissions: [...GRAPH_APPLICATION_PERMISSIONS, 'TeamMember.ReadWriteNonOwnerRole.All'],
    });
    await nonOwner.start();
    try {
      nonOwner.seedRegion();
      const t = await graphToken(nonOwner);
      expect((await post(members(NUMERIQUE.id), member(outsider.id), nonOwner, t)).status).toBe(201);
      expect((await post(members(NUMERIQUE.id), member(outsider.id, ['owner']), nonOwner, t)).status).toBe(403);
      const director = NUMERIQUE.members.find((m) => m.roles.includes('owner'))!;
      const owner = encodeURIComponent(Buffer.from(`${NUMERIQUE.id}##${director.userId}`).toString('base64'));
      expect((await del(`${members(NUMERIQUE.id)}/${owner}`, nonOwner, t)).status).toBe(403);
      expect(nonOwner.teamMembers(NUMERIQUE.id)).toContain(director.userId);
    } finally {
      await nonOwner.stop();
    }
  });
});

describe('Teams throttling (https://learn.microsoft.com/graph/throttling-limits#microsoft-teams-service-limits)', () => {
  it('when a fifth call reaches one team within a second, then 429 with Retry-After ("4 requests per second per app … on a given team"); another team still answers', async () => {
    tenant.configure({ limits: scaledLimits(1) });
    const director = NUMERIQUE.members.find((m) => m.roles.includes('owner'))!;
    const one = `${members(NUMERIQUE.id)}/${encodeURIComponent(Buffer.from(`${NUMERIQUE.id}##${director.userId}`).toString('base64'))}`;
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await get(one));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 429]);
    expect(answers[4]?.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(answers[4]?.json).toMatchObject({ error: { code: 'TooManyRequests' } });
    expect((await get(members(LYCEES.id))).status).toBe(200);
  });

  it('when the calls on every team pass the per-app-and-tenant rate, then 429 too; member reads have their own, larger rate', async () => {
    const limits = scaledLimits(1);
    tenant.configure({ limits: { ...limits, teams: { memberReads: 3, requests: 2, perTeam: 4, windowMs: 1000 } } });
    const teams = seed.teams.slice(0, 4);
    const director = (t: (typeof teams)[number]) =>
      `${members(t.id)}/${encodeURIComponent(Buffer.from(`${t.id}##${t.members[0]!.userId}`).toString('base64'))}`;
    const reads = [];
    for (const t of teams.slice(0, 3)) reads.push((await get(director(t))).status);
    expect(reads).toEqual([200, 200, 429]);
    const lists = [];
    for (const t of teams) lists.push((await get(`${members(t.id)}?$select=userId`)).status);
    expect(lists).toEqual([200, 200, 200, 429]);
  });

  it('when SIM_THROTTLE_SCALE and SIM_TIME_SCALE are set, then the Teams limits are divided like the others', () => {
    expect(scaledLimits(1).teams).toEqual({ memberReads: 60, requests: 30, perTeam: 4, windowMs: 1000 });
    expect(scaledLimits(30).teams).toMatchObject({ memberReads: 2, requests: 1, perTeam: 1 });
    expect(acceleratedLimits(scaledLimits(1), 4).teams?.windowMs).toBe(250);
    const options = simulatedTenantOptions(localSettings({ SIM_THROTTLE_SCALE: '2', SIM_TIME_SCALE: '2' }));
    expect(options.limits?.teams).toEqual({ memberReads: 30, requests: 15, perTeam: 2, windowMs: 500 });
  });
});
