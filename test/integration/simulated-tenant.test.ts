import {
  DEFAULT_SKU,
  GRAPH_OPERATIONS,
  graphOperationOf,
  LICENCE_MESSAGES,
  scaledLimits,
  SimulatedTenant,
} from '../../local/simulated-tenant';
import { GRAPH_APPLICATION_PERMISSIONS, GRAPH_CALLS } from '../../shared/adapters/graph/graph-permissions';
import { graphToken, tokenRequest, wire } from '../support/graph-wire';

// The simulated tenant must refuse what Microsoft Graph and Entra ID refuse. Each behaviour cites its reference.

let tenant: SimulatedTenant;
let token: string;
const upn = 'jeanne.dupont@example.org';

beforeAll(async () => {
  tenant = new SimulatedTenant({ skus: [{ ...DEFAULT_SKU, seats: 10 }] });
  await tenant.start();
  token = await graphToken(tenant);
  tenant.provisionFromHr({ userPrincipalName: upn, givenName: 'Jeanne', surname: 'Dupont' });
});
afterAll(() => tenant.stop());
afterEach(() => tenant.configure({ limits: null }));

const get = (path: string) => wire(tenant, 'GET', path, { token });
const post = (path: string, body: unknown) => wire(tenant, 'POST', path, { token, body: JSON.stringify(body) });

describe('users (https://learn.microsoft.com/graph/api/user-get)', () => {
  it('when a user does not exist, then 404 Request_ResourceNotFound: no account is invented on lookup', async () => {
    const answer = await get('/v1.0/users/nobody%40example.org');
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ error: { code: 'Request_ResourceNotFound' } });
    expect(tenant.userId('nobody@example.org')).toBeUndefined();
  });

  it('when HR-driven provisioning gets a upn outside the verified domains, then no account appears', () => {
    expect(tenant.provisionFromHr({ userPrincipalName: 'jeanne.dupont@exemple.org' })).toBe(false);
    expect(tenant.userId('jeanne.dupont@exemple.org')).toBeUndefined();
  });

  it('when no $select is given, then only the default properties come back (no licences, no usageLocation); with $select, exactly those', async () => {
    // "Returned only on $select": https://learn.microsoft.com/graph/api/resources/user
    const plain = await get(`/v1.0/users/${upn}`);
    expect(plain.status).toBe(200);
    expect(plain.json).toMatchObject({ id: tenant.userId(upn), userPrincipalName: upn, displayName: 'Jeanne Dupont' });
    expect(plain.json).not.toHaveProperty('assignedLicenses');
    expect(plain.json).not.toHaveProperty('usageLocation');
    const selected = await get(`/v1.0/users/${upn}?$select=id,usageLocation`);
    expect(Object.keys(selected.json).sort()).toEqual(['@odata.context', 'id', 'usageLocation']);
  });
});

describe('licences (https://learn.microsoft.com/graph/api/user-assignlicense)', () => {
  const assign = (id: string, add: string[], remove: string[] = []) =>
    post(`/v1.0/users/${id}/assignLicense`, { addLicenses: add.map((skuId) => ({ skuId })), removeLicenses: remove });

  it('when the user has no usageLocation, then assignLicense is 400 "invalid usage location"', async () => {
    const answer = await assign(tenant.userId(upn)!, [DEFAULT_SKU.skuId]);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: { message: LICENCE_MESSAGES.invalidUsageLocation } });
    expect(tenant.hasLicense(upn)).toBe(false);
  });

  it('when a parameter is missing, then 400 naming it', async () => {
    const answer = await post(`/v1.0/users/${tenant.userId(upn)!}/assignLicense`, { removeLicenses: [] });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.json)).toContain('The missing parameters are: addLicenses');
  });

  it('when a licence is inherited from a group, then removing it from the user directly is 400, and licenseAssignmentStates names the group', async () => {
    const heir = 'heir@example.org';
    tenant.provisionFromHr({ userPrincipalName: heir });
    tenant.licenseGroup('0a0b0c0d-0000-4000-8000-000000000001', DEFAULT_SKU.skuId);
    tenant.addToGroup('0a0b0c0d-0000-4000-8000-000000000001', heir);
    const states = await get(`/v1.0/users/${heir}?$select=licenseAssignmentStates`);
    expect(states.json.licenseAssignmentStates).toEqual([
      expect.objectContaining({ skuId: DEFAULT_SKU.skuId, assignedByGroup: '0a0b0c0d-0000-4000-8000-000000000001' }),
    ]);
    const answer = await assign(tenant.userId(heir)!, [], [DEFAULT_SKU.skuId]);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: { message: LICENCE_MESSAGES.inherited } });
  });

  it('when subscribedSkus is asked with $filter, then 400: it supports $select only (https://learn.microsoft.com/graph/api/subscribedsku-list)', async () => {
    expect((await get(`/v1.0/subscribedSkus?$filter=skuId eq '${DEFAULT_SKU.skuId}'`)).status).toBe(400);
    const selected = await get('/v1.0/subscribedSkus?$select=skuId');
    expect(selected.json.value).toEqual([{ skuId: DEFAULT_SKU.skuId }]);
  });
});

describe('group members (https://learn.microsoft.com/graph/api/group-post-members, group-delete-members)', () => {
  it('when a member is added twice, then the second is 400 "already exist"; removing a non-member is 400 "do not exist"', async () => {
    const id = tenant.userId(upn)!;
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` };
    expect((await post(`/v1.0/groups/${tenant.vpnGroupId}/members/$ref`, ref)).status).toBe(204);
    const again = await post(`/v1.0/groups/${tenant.vpnGroupId}/members/$ref`, ref);
    expect(again.status).toBe(400);
    expect(again.body).toContain('One or more added object references already exist');
    const path = `/v1.0/groups/${tenant.vpnGroupId}/members/${id}/$ref`;
    expect((await wire(tenant, 'DELETE', path, { token })).status).toBe(204);
    const twice = await wire(tenant, 'DELETE', path, { token });
    expect(twice.status).toBe(400);
    expect(twice.body).toContain('One or more removed object references do not exist');
  });
});

describe('throttling (https://learn.microsoft.com/graph/throttling-limits)', () => {
  it('when calls spend resource units, then every answer says its cost; subscribedSkus costs 3 and $select takes one off', async () => {
    tenant.configure({ limits: scaledLimits(1) });
    expect((await get(`/v1.0/users/${upn}`)).headers['x-ms-resource-unit']).toBe('1');
    expect((await get('/v1.0/subscribedSkus')).headers['x-ms-resource-unit']).toBe('3');
    expect((await get('/v1.0/subscribedSkus?$select=skuId')).headers['x-ms-resource-unit']).toBe('2');
    expect((await get('/v1.0/users/nobody%40example.org')).headers['x-ms-resource-unit']).toBe('1');
  });

  it('when the resource-unit budget is past 0.8, then successes say x-ms-throttle-limit-percentage; over it, 429 with Retry-After, scope and information', async () => {
    tenant.configure({ limits: scaledLimits(800) }); // 10 resource units per 10 s
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await get('/v1.0/subscribedSkus')); // 3 units each
    expect(answers[0]?.headers['x-ms-throttle-limit-percentage']).toBeUndefined();
    expect(answers[2]).toMatchObject({
      status: 200,
      headers: { 'x-ms-throttle-limit-percentage': expect.stringMatching(/^0\.(8[1-9]|9\d)$/) as unknown },
    });
    const refused = answers[3]!;
    expect(refused.status).toBe(429);
    expect(refused.headers['x-ms-throttle-limit-percentage']).toBeUndefined();
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.headers['x-ms-throttle-scope']).toBe(
      `Tenant_Application/Read/${tenant.clientId}/${tenant.tenantId}`,
    );
    expect(refused.headers['x-ms-throttle-information']).toBe('ResourceUnitLimitExceeded');
    expect(refused.json).toMatchObject({ error: { code: 'TooManyRequests' } });
  });

  it('when writes exceed the write quota of 2 min 30 s, then 429 WriteLimitExceeded, reads still pass', async () => {
    tenant.configure({
      limits: { ...scaledLimits(1), identity: { ...scaledLimits(1).identity, writes: 2 } },
    });
    const id = tenant.userId(upn)!;
    const patch = () => wire(tenant, 'PATCH', `/v1.0/users/${id}`, { token, body: '{"jobTitle":"x"}' });
    expect((await patch()).status).toBe(204);
    expect((await patch()).status).toBe(204);
    const refused = await patch();
    expect(refused.status).toBe(429);
    expect(refused.headers['x-ms-throttle-information']).toBe('WriteLimitExceeded');
    expect(refused.headers['x-ms-throttle-scope']).toMatch(/^Tenant_Application\/ReadWrite\//);
    expect((await get(`/v1.0/users/${upn}`)).status).toBe(200);
  });

  it('when Intune calls pass its own limit, then Autopilot answers 429 while identity calls still pass', async () => {
    tenant.configure({ limits: { ...scaledLimits(1), intune: { requests: 2, writes: 1, windowMs: 20_000 } } });
    const list = () =>
      get("/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$filter=contains(serialNumber,'S1')");
    expect((await list()).status).toBe(200);
    expect((await list()).status).toBe(200);
    expect((await list()).status).toBe(429);
    expect((await get(`/v1.0/users/${upn}`)).status).toBe(200);
  });
});

describe('Windows Autopilot (https://learn.microsoft.com/graph/api/intune-enrollment-windowsautopilotdeviceidentity-list)', () => {
  const list = '/v1.0/deviceManagement/windowsAutopilotDeviceIdentities';
  afterEach(() => tenant.configure({ autopilotPageSize: 100, autopilotAssignmentDelayMs: 0 }));

  it('when a search matches more identities than a page holds, then it answers a page and an @odata.nextLink to the rest, the last page without one (https://learn.microsoft.com/graph/paging)', async () => {
    tenant.configure({ autopilotPageSize: 2 });
    tenant.registerDevices(['PAGE-1', 'PAGE-10', 'PAGE-11', 'PAGE-12', 'OTHER-1']);
    const serials: string[] = [];
    let path: string | undefined = `${list}?$filter=${encodeURIComponent("contains(serialNumber,'PAGE-1')")}`;
    let pages = 0;
    while (path) {
      const answer = await get(path);
      expect(answer.status).toBe(200);
      const body = answer.json as { value: { serialNumber: string }[]; '@odata.nextLink'?: string };
      expect(body.value.length).toBeLessThanOrEqual(2);
      serials.push(...body.value.map((d) => d.serialNumber));
      const next = body['@odata.nextLink'];
      // An absolute URL under the same base, as Graph gives it.
      if (next) expect(next.startsWith(tenant.graphBaseUrl)).toBe(true);
      path = next?.slice(tenant.graphBaseUrl.length - '/v1.0'.length);
      pages += 1;
    }
    expect(pages).toBe(2);
    expect(serials.sort()).toEqual(['PAGE-1', 'PAGE-10', 'PAGE-11', 'PAGE-12']);
  });

  it('when a user is assigned to a device, then Intune shows it only once it has applied it (after the configured delay)', async () => {
    tenant.configure({ autopilotAssignmentDelayMs: 300 });
    const [device] = (
      (await get(`${list}?$filter=${encodeURIComponent("contains(serialNumber,'SLOW-1')")}`)).json as {
        value: { id: string }[];
      }
    ).value;
    const assigned = await post(`${list}/${device!.id}/assignUserToDevice`, {
      userPrincipalName: upn,
      addressableUserName: 'Jeanne Dupont',
    });
    expect(assigned.status).toBe(204);
    expect(tenant.deviceUser('SLOW-1')).toBe('');
    await new Promise((r) => setTimeout(r, 350));
    expect(tenant.deviceUser('SLOW-1')).toBe(upn);
  });
});

describe('permissions (each API page\'s "Permissions" table)', () => {
  it('when the token lacks LicenseAssignment.Read.All (ReadWrite.All alone does not list seats), then subscribedSkus is 403', async () => {
    const narrow = new SimulatedTenant({ grantedPermissions: ['LicenseAssignment.ReadWrite.All', 'User.Read.All'] });
    await narrow.start();
    try {
      const answer = await wire(narrow, 'GET', '/v1.0/subscribedSkus', { token: await graphToken(narrow) });
      expect(answer.status).toBe(403);
      expect(answer.json).toMatchObject({ error: { code: 'Authorization_RequestDenied' } });
    } finally {
      await narrow.stop();
    }
  });

  it("when the product's permission table is read against Graph's, then each call is one the tenant serves, and its permission the least privileged Graph lists for it", () => {
    // Each call is routed as the tenant routes a request, its placeholders ({id}, {upn}, {membership-id}…) filled in.
    const operationOf = (call: string) => {
      const [method = '', route = ''] = call.split(' ');
      return graphOperationOf(method, route.replace(/\{[^}]+\}/g, 'x'));
    };
    expect(operationOf('GET /users/{upn}')).toBe('getUser');
    expect(operationOf('POST /teams/{team-id}/members')).toBe('addTeamMember');
    expect(operationOf('POST /users/{id}/authentication/temporaryAccessPassMethods')).toBe('createAccessPass');
    for (const c of GRAPH_CALLS) {
      const name = operationOf(c.call);
      expect([c.call, name]).toEqual([c.call, expect.any(String)]);
      const operation = GRAPH_OPERATIONS[name!];
      // The table names the least privileged permission, the first one Graph lists.
      expect([c.call, operation.accepted[0]]).toEqual([c.call, c.permission]);
      expect(c.reference).toBe(operation.reference);
    }
    expect(new Set(GRAPH_APPLICATION_PERMISSIONS).size).toBe(GRAPH_APPLICATION_PERMISSIONS.length);
  });
});

describe('the token endpoint answers in OAuth form (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow)', () => {
  it('when the client secret is wrong, then 401 invalid_client with error_codes [7000215]', async () => {
    const answer = await tokenRequest(tenant, {
      grant_type: 'client_credentials',
      client_id: tenant.clientId,
      client_secret: 'wrong',
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({
      error: 'invalid_client',
      error_codes: [7000215],
      error_description: expect.stringContaining('AADSTS7000215') as unknown,
      trace_id: expect.any(String) as unknown,
      correlation_id: expect.any(String) as unknown,
    });
    expect(answer.json).not.toHaveProperty('error.code');
  });

  it('when the grant is not client credentials, then 400 unsupported_grant_type', async () => {
    const answer = await tokenRequest(tenant, { grant_type: 'password', client_id: tenant.clientId });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: 'unsupported_grant_type', error_codes: [70003] });
  });
});
