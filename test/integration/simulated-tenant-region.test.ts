import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalHost } from '../../local/host';
import { localSettings, simulatedTenantOptions } from '../../local/local-settings';
import {
  applyTenantRecord,
  DEFAULT_SKU,
  emptyTenantState,
  regionDepartmentTeams,
  regionDesktops,
  regionLaptops,
  regionSeed,
  SimulatedTenant,
  type OperatorView,
  type TenantRecord,
} from '../../local/simulated-tenant';
import { GRAPH_APPLICATION_PERMISSIONS } from '../../shared/adapters/graph/graph-permissions';
import { graphToken, wire } from '../support/graph-wire';

// The Région's agents in post, as the simulated tenant holds them at first start (contract: « The Région's
// directory, locally »), answered over HTTPS as Microsoft Graph v1.0 answers them. Each behaviour cites its page.

const REGION = { agents: 950 };
const PERMISSIONS = [...GRAPH_APPLICATION_PERMISSIONS, 'Directory.Read.All'];

let tenant: SimulatedTenant;
let token: string;
beforeAll(async () => {
  tenant = new SimulatedTenant({ region: REGION, grantedPermissions: PERMISSIONS });
  await tenant.start();
  tenant.seedRegion();
  token = await graphToken(tenant);
});
afterAll(() => tenant.stop());

const get = (path: string, on: SimulatedTenant = tenant, bearer = token) => wire(on, 'GET', path, { token: bearer });
const seed = regionSeed(REGION);
const agent = (index: number) => seed.agents[index - 1]!;

describe('the agents in post (https://learn.microsoft.com/graph/api/resources/user)', () => {
  it('when an agent is read by upn, then it has a French name, its site in officeLocation, and employeeId and department only when selected', async () => {
    const plain = await get('/v1.0/users/agent0042%40example.org');
    expect(plain.status).toBe(200);
    expect(plain.json).toMatchObject({
      id: agent(42).id,
      userPrincipalName: 'agent0042@example.org',
      displayName: `${agent(42).givenName} ${agent(42).surname}`,
      officeLocation: agent(42).site,
      jobTitle: expect.any(String) as unknown,
    });
    // "Returned only on $select".
    expect(plain.json).not.toHaveProperty('employeeId');
    expect(plain.json).not.toHaveProperty('department');
    const selected = await get(
      '/v1.0/users/agent0042%40example.org?$select=employeeId,department,officeLocation,usageLocation,assignedLicenses',
    );
    expect(selected.json).toMatchObject({
      employeeId: 'A0042',
      department: expect.stringMatching(/^Direction /) as unknown,
      usageLocation: 'FR',
      assignedLicenses: [{ skuId: DEFAULT_SKU.skuId, disabledPlans: [] }],
    });
    expect(['Orléans', 'Tours', 'Bourges', 'Chartres', 'Blois', 'Châteauroux']).toContain(selected.json.officeLocation);
  });

  it('when the whole directory is looked at, then 950 agents, agent0001 … agent0950 with ids A0001 … A0950, 12 to 15 departments and the six sites, Orléans the largest', () => {
    const users = tenant.operatorView().users;
    expect(users).toHaveLength(950);
    expect(users.map((u) => u.userPrincipalName).sort()).toEqual(
      Array.from({ length: 950 }, (_, i) => `agent${String(i + 1).padStart(4, '0')}@example.org`),
    );
    expect(new Set(users.map((u) => u.employeeId)).size).toBe(950);
    expect(users.find((u) => u.userPrincipalName === 'agent0950@example.org')?.employeeId).toBe('A0950');
    const departments = new Set(users.map((u) => u.department));
    expect(departments.size).toBeGreaterThanOrEqual(12);
    expect(departments.size).toBeLessThanOrEqual(15);
    for (const d of ['Direction des lycées', 'Direction des transports et de la mobilité', 'Direction du numérique'])
      expect(departments).toContain(d);
    const bySite = new Map<string, number>();
    for (const u of users) bySite.set(u.officeLocation ?? '', (bySite.get(u.officeLocation ?? '') ?? 0) + 1);
    expect([...bySite.keys()].sort()).toEqual(['Blois', 'Bourges', 'Chartres', 'Châteauroux', 'Orléans', 'Tours']);
    const largest = [...bySite].sort((a, b) => b[1] - a[1])[0];
    expect(largest?.[0]).toBe('Orléans');
    expect(largest?.[1]).toBeGreaterThan(950 / 2);
  });

  it('when GET /users is filtered on employeeId, then exactly that agent; a filter Graph does not take without advanced queries is 400 (https://learn.microsoft.com/graph/api/user-list)', async () => {
    const found = await get(`/v1.0/users?$filter=${encodeURIComponent("employeeId eq 'A0042'")}&$select=id,employeeId`);
    expect(found.status).toBe(200);
    expect(found.json.value).toEqual([{ id: agent(42).id, employeeId: 'A0042' }]);
    const none = await get(`/v1.0/users?$filter=${encodeURIComponent("employeeId eq 'A9999'")}`);
    expect(none.json.value).toEqual([]);
    expect((await get(`/v1.0/users?$filter=${encodeURIComponent("startsWith(displayName,'A')")}`)).status).toBe(400);
  });

  it('when GET /users lists everyone, then a page of 100 and an @odata.nextLink under the same base to the rest (https://learn.microsoft.com/graph/paging)', async () => {
    const first = await get('/v1.0/users?$select=id');
    expect((first.json.value as unknown[]).length).toBe(100);
    const next = first.json['@odata.nextLink'] as string;
    expect(next.startsWith(tenant.graphBaseUrl)).toBe(true);
    const second = await get(next.slice(tenant.authorityHost.length));
    expect((second.json.value as { id: string }[])[0]?.id).not.toBe((first.json.value as { id: string }[])[0]?.id);
  });
});

describe('managers (https://learn.microsoft.com/graph/api/user-list-manager)', () => {
  it('when an agent’s manager is asked, then it is another agent in post, as a directoryObject of type user', async () => {
    const answer = await get('/v1.0/users/agent0042%40example.org/manager');
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      '@odata.type': '#microsoft.graph.user',
      id: agent(42).managerId,
      userPrincipalName: expect.stringMatching(/^agent\d{4}@example\.org$/) as unknown,
    });
    expect(answer.json.id).not.toBe(agent(42).id);
  });

  it('when every agent but agent0001 is looked at, then each has a manager among the agents; agent0001 (the DGS) has none: 404 Request_ResourceNotFound', async () => {
    const users = tenant.operatorView().users;
    const ids = new Set(users.map((u) => u.id));
    const withoutManager = users.filter((u) => u.manager === null).map((u) => u.userPrincipalName);
    expect(withoutManager).toEqual(['agent0001@example.org']);
    expect(users.every((u) => u.manager === null || (ids.has(u.manager) && u.manager !== u.id))).toBe(true);
    const top = await get('/v1.0/users/agent0001%40example.org/manager');
    expect(top.status).toBe(404);
    expect(top.json).toMatchObject({ error: { code: 'Request_ResourceNotFound' } });
  });

  it('when a user is read with $expand=manager($levels=max;$select=id,userPrincipalName), then the chain up to agent0001; $expand costs one resource unit more (https://learn.microsoft.com/graph/throttling-limits)', async () => {
    const answer = await get(
      `/v1.0/users/agent0042%40example.org?$select=id&$expand=${encodeURIComponent('manager($levels=max;$select=id,userPrincipalName)')}`,
    );
    expect(answer.status).toBe(200);
    const chain: string[] = [];
    let node = answer.json as { manager?: { userPrincipalName: string; manager?: unknown } };
    while (node.manager) {
      chain.push(node.manager.userPrincipalName);
      node = node.manager as typeof node;
    }
    expect(chain.at(-1)).toBe('agent0001@example.org');
    expect(chain.length).toBeGreaterThanOrEqual(2);
    const plain = await get('/v1.0/users/agent0042%40example.org?$expand=manager');
    expect(plain.json).toMatchObject({ manager: { id: agent(42).managerId, '@odata.type': '#microsoft.graph.user' } });
    expect((await get('/v1.0/users/agent0001%40example.org?$expand=manager')).json).not.toHaveProperty('manager');
    const budgeted = new SimulatedTenant({ region: REGION, grantedPermissions: PERMISSIONS });
    await budgeted.start();
    try {
      budgeted.seedRegion();
      const t = await graphToken(budgeted);
      const cost = async (q: string) =>
        (await get(`/v1.0/users/agent0042%40example.org${q}`, budgeted, t)).headers['x-ms-resource-unit'];
      expect([await cost(''), await cost('?$expand=manager'), await cost('?$select=id&$expand=manager')]).toEqual([
        '1',
        '2',
        '1',
      ]);
    } finally {
      await budgeted.stop();
    }
  });
});

describe('licences (https://learn.microsoft.com/graph/api/subscribedsku-list)', () => {
  it('when the seats are read, then the agents hold theirs and the seats configured stay free: prepaidUnits = 950 + 1,000, consumedUnits = 950', async () => {
    const skus = await get('/v1.0/subscribedSkus');
    expect(skus.json.value).toEqual([
      expect.objectContaining({
        skuId: DEFAULT_SKU.skuId,
        consumedUnits: 950,
        prepaidUnits: expect.objectContaining({ enabled: 1950 }) as unknown,
      }),
    ]);
  });
});

describe('devices in post (https://learn.microsoft.com/graph/api/intune-enrollment-windowsautopilotdeviceidentity-list)', () => {
  const search = (serial: string) =>
    get(
      `/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$filter=${encodeURIComponent(`contains(serialNumber,'${serial}')`)}`,
    );

  it('when Autopilot is searched for PC-A0001 and DESKTOP-0713, then each identity is assigned to its agent; agent0712 holds the last laptop', async () => {
    const laptop = await search('PC-A0001');
    expect(laptop.json.value).toEqual([
      expect.objectContaining({ serialNumber: 'PC-A0001', userPrincipalName: 'agent0001@example.org' }),
    ]);
    const desktop = await search('DESKTOP-0713');
    expect(desktop.json.value).toEqual([
      expect.objectContaining({
        serialNumber: 'DESKTOP-0713',
        userPrincipalName: 'agent0713@example.org',
        model: 'OptiPlex 7010',
      }),
    ]);
    expect(tenant.deviceUser('PC-A0712')).toBe('agent0712@example.org');
    expect(tenant.deviceUser('PC-A0713')).toBeUndefined();
    expect(tenant.deviceUser('DESKTOP-0950')).toBe('agent0950@example.org');
  });

  it('when the local stack asks what its laptop stock holds at first start, then the 712 laptops of the agents in post with model, site and upn, as Autopilot shows them, and the 238 desktops', () => {
    const laptops = regionLaptops(REGION);
    expect(laptops).toHaveLength(712);
    expect(laptops[41]).toEqual({
      serialNumber: 'PC-A0042',
      model: expect.any(String) as unknown,
      site: agent(42).site,
      userPrincipalName: 'agent0042@example.org',
      employeeId: 'A0042',
    });
    const autopilot = new Map(tenant.operatorView().autopilot.map((a) => [a.serialNumber, a]));
    for (const l of laptops) {
      expect(autopilot.get(l.serialNumber)).toMatchObject({ userPrincipalName: l.userPrincipalName, model: l.model });
    }
    const desktops = regionDesktops(REGION);
    expect(desktops.map((d) => d.serialNumber)).toEqual(
      Array.from({ length: 238 }, (_, i) => `DESKTOP-${String(713 + i).padStart(4, '0')}`),
    );
    expect(regionLaptops(undefined)).toEqual([]);
  });
});

describe('VPN and teams', () => {
  it('when the VPN group is looked at, then 650 agents are members, and adding one of them again is 400 "already exist" (https://learn.microsoft.com/graph/api/group-post-members)', async () => {
    expect(tenant.operatorView().vpnGroup.members).toHaveLength(650);
    expect(tenant.isVpnMember('agent0650@example.org')).toBe(true);
    expect(tenant.isVpnMember('agent0651@example.org')).toBe(false);
    const again = await wire(tenant, 'POST', `/v1.0/groups/${tenant.vpnGroupId}/members/$ref`, {
      token,
      body: JSON.stringify({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${agent(1).id}` }),
    });
    expect(again.status).toBe(400);
  });

  it('when a department’s team is read as a group, then a Microsoft 365 group with resourceProvisioningOptions ["Team"]; the VPN group is a security group (https://learn.microsoft.com/graph/api/group-get)', async () => {
    const team = seed.teams.find((t) => t.department === 'Direction du numérique')!;
    const group = await get(`/v1.0/groups/${team.id}`);
    expect(group.status).toBe(200);
    expect(group.json).toMatchObject({
      id: team.id,
      displayName: 'Direction du numérique',
      groupTypes: ['Unified'],
      resourceProvisioningOptions: ['Team'],
    });
    expect((await get(`/v1.0/groups/${tenant.vpnGroupId}?$select=id,resourceProvisioningOptions`)).json).toEqual({
      '@odata.context': expect.any(String) as unknown,
      id: tenant.vpnGroupId,
      resourceProvisioningOptions: [],
    });
    expect((await get('/v1.0/groups/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('when the teams are looked at, then one per department, its members the department’s agents, and the department → team map for Provisioning__departmentTeams', () => {
    const view = tenant.operatorView();
    const departments = new Set(view.users.map((u) => u.department));
    expect(view.teams.map((t) => t.displayName).sort()).toEqual([...departments].sort());
    for (const team of view.teams) {
      const agents = view.users.filter((u) => u.department === team.displayName).map((u) => u.id);
      expect(team.members.sort()).toEqual(agents.sort());
    }
    const map = tenant.departmentTeams();
    expect(Object.keys(map)).toHaveLength(departments.size);
    expect(map['Direction des lycées']).toBe(view.teams.find((t) => t.displayName === 'Direction des lycées')?.id);
    expect(regionDepartmentTeams(REGION)).toEqual(map);
  });
});

describe('a seed tests can rely on', () => {
  it('when two tenants are seeded, then they hold the same agents, names, managers and devices', async () => {
    const other = new SimulatedTenant({ region: REGION });
    other.seedRegion();
    const strip = (v: OperatorView) => ({ users: v.users, teams: v.teams, autopilot: v.autopilot, vpn: v.vpnGroup });
    expect(strip(other.operatorView())).toEqual(strip(tenant.operatorView()));
    await other.stop();
  });

  it('when LOCAL_AGENTS is 0, then the directory is empty and the tenant behaves as before: agent0001 is 404, the seats are those configured', async () => {
    const empty = new SimulatedTenant({ region: { agents: 0 }, skus: [{ ...DEFAULT_SKU, seats: 1000 }] });
    await empty.start();
    try {
      empty.seedRegion();
      const t = await graphToken(empty);
      expect((await get('/v1.0/users/agent0001%40example.org', empty, t)).status).toBe(404);
      expect(empty.operatorView()).toMatchObject({ users: [], teams: [], autopilot: [], effects: [] });
      expect(empty.operatorView().licences).toEqual([
        expect.objectContaining({ prepaidUnits: 1000, consumedUnits: 0 }),
      ]);
    } finally {
      await empty.stop();
    }
  });

  it('when the settings are read, then LOCAL_AGENTS defaults to 950 with three in four holding a laptop (712); more laptops than agents is refused', () => {
    const options = simulatedTenantOptions(localSettings({}));
    expect(options.region).toEqual({ agents: 950 });
    expect(regionSeed(options.region!).laptops).toHaveLength(712);
    expect(simulatedTenantOptions(localSettings({ LOCAL_AGENTS: '20', LOCAL_AGENTS_WITH_LAPTOP: '5' })).region).toEqual(
      { agents: 20, withLaptop: 5 },
    );
    expect(() => localSettings({ LOCAL_AGENTS: '10', LOCAL_AGENTS_WITH_LAPTOP: '11' })).toThrow(
      /LOCAL_AGENTS_WITH_LAPTOP/,
    );
  });
});

describe('a seed that survives restarts', () => {
  it('when the seed is journaled, then it is one record, and replaying it restores the agents, managers, teams, devices and seats', async () => {
    const records: TenantRecord[] = [];
    const journaled = new SimulatedTenant(
      { region: REGION, grantedPermissions: PERMISSIONS },
      { append: (r) => records.push(r), flush: () => Promise.resolve() },
    );
    journaled.seedRegion();
    expect(records.filter((r) => r.op !== 'effect').map((r) => r.op)).toEqual(['seed']);
    const state = emptyTenantState();
    for (const r of records) applyTenantRecord(state, r);
    const restored = new SimulatedTenant({ grantedPermissions: PERMISSIONS });
    await restored.start();
    try {
      restored.restore(state);
      const t = await graphToken(restored);
      const manager = await get('/v1.0/users/agent0042%40example.org/manager', restored, t);
      expect(manager.json.id).toBe(agent(42).managerId);
      expect(restored.operatorView().teams).toEqual(tenant.operatorView().teams);
      expect(restored.deviceUser('PC-A0042')).toBe('agent0042@example.org');
      expect(restored.operatorView().licences[0]).toMatchObject({ prepaidUnits: 1950, consumedUnits: 950 });
      expect(restored.effectsOf('directory-seeded')).toHaveLength(1);
    } finally {
      await restored.stop();
    }
  });

  it('when the local host starts on saved state (its snapshot after a clean stop, or the journal alone as a kill -9 leaves it), then it does not seed again: 950 agents, seats grown once, one seed in the ledger', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'region-'));
    const options = {
      port: 0,
      persist: true,
      laptopStock: 0,
      logHandler: () => undefined,
      env: { ...process.env, LOCAL_AGENTS: '950' },
    };
    const view = async (h: Awaited<ReturnType<typeof startLocalHost>>) =>
      (await (
        await fetch(`${h.url}/.local/simulated-tenant`, { headers: { authorization: `Bearer ${h.adminToken}` } })
      ).json()) as OperatorView;
    const first = await startLocalHost({ ...options, stateDir });
    // A Graph answer waits until the tenant's journal is on disk: from then on the seed is in it.
    expect(
      (await get('/v1.0/users/agent0001%40example.org', first.tenant, await graphToken(first.tenant))).status,
    ).toBe(200);
    const killed = `${stateDir}-killed`;
    cpSync(stateDir, killed, { recursive: true });
    await first.stop();
    for (const dir of [stateDir, killed]) {
      const again = await startLocalHost({ ...options, stateDir: dir });
      try {
        const v = await view(again);
        expect(v.users).toHaveLength(950);
        expect(v.effects.filter((e) => e.kind === 'directory-seeded')).toHaveLength(1);
        expect(v.licences).toEqual([expect.objectContaining({ prepaidUnits: 1950, consumedUnits: 950 })]);
        expect(v.vpnGroup.members).toHaveLength(650);
      } finally {
        await again.stop();
      }
      // And once more after that stop, from its own snapshot.
      const third = await startLocalHost({ ...options, stateDir: dir });
      try {
        expect((await view(third)).effects.filter((e) => e.kind === 'directory-seeded')).toHaveLength(1);
      } finally {
        await third.stop();
      }
    }
  });

  it('when a state saved without agents (LOCAL_AGENTS=0, or a version before them) is started with the default 950, then the tenant stays as it was: a restart is not a first start', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'region-empty-'));
    const options = { port: 0, persist: true, laptopStock: 0, stateDir, logHandler: () => undefined };
    const empty = await startLocalHost({ ...options, env: { ...process.env, LOCAL_AGENTS: '0' } });
    expect(empty.tenant.operatorView().users).toHaveLength(0);
    await empty.stop();
    const again = await startLocalHost({ ...options, env: { ...process.env, LOCAL_AGENTS: '950' } });
    try {
      expect(again.tenant.operatorView().users).toHaveLength(0);
      expect(again.tenant.userId('agent0001@example.org')).toBeUndefined();
    } finally {
      await again.stop();
    }
  });
});
