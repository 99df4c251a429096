import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalHost } from '../../local/host';
import {
  DEFAULT_ACCESS_PASS_POLICY,
  SimulatedTenant,
  type OperatorView,
  type TenantRecord,
} from '../../local/simulated-tenant';
import { GRAPH_APPLICATION_PERMISSIONS } from '../../shared/adapters/graph/graph-permissions';
import { graphToken, wire } from '../support/graph-wire';

// Temporary Access Passes as Graph v1.0 answers them, over HTTPS against the simulated tenant seeded with the
// Région's agents. Each behaviour cites its page.

const PERMISSIONS = [...GRAPH_APPLICATION_PERMISSIONS, 'UserAuthenticationMethod.ReadWrite.All', 'Policy.Read.All'];
const UPN = 'agent0042@example.org';
const methods = (who: string) => `/v1.0/users/${encodeURIComponent(who)}/authentication/temporaryAccessPassMethods`;
const POLICY = '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/temporaryAccessPass';
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

let tenant: SimulatedTenant;
let token: string;
const journal: TenantRecord[] = [];
beforeAll(async () => {
  tenant = new SimulatedTenant(
    { region: { agents: 100 }, grantedPermissions: PERMISSIONS },
    { append: (r) => journal.push(r), flush: () => Promise.resolve() },
  );
  await tenant.start();
  tenant.seedRegion();
  token = await graphToken(tenant);
});
afterAll(() => tenant.stop());
afterEach(() => tenant.configure({ accessPassPolicy: DEFAULT_ACCESS_PASS_POLICY }));

const create = (body: unknown, who = UPN, on = tenant, bearer = token) =>
  wire(on, 'POST', methods(who), { token: bearer, body: JSON.stringify(body) });
const get = (p: string, on = tenant, bearer = token) => wire(on, 'GET', p, { token: bearer });
const del = (p: string, on = tenant, bearer = token) => wire(on, 'DELETE', p, { token: bearer });

describe('creating a pass (https://learn.microsoft.com/graph/api/authentication-post-temporaryaccesspassmethods)', () => {
  it('when a one-time pass is created to start later, then 201 with the pass once, its id, times and lifetime, not usable yet (NotYetValid)', async () => {
    const start = inHours(20);
    const answer = await create({ startDateTime: start, lifetimeInMinutes: 480, isUsableOnce: true });
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({
      '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethod',
      id: expect.any(String) as unknown,
      temporaryAccessPass: expect.stringMatching(/^\S{8}$/) as unknown,
      createdDateTime: expect.any(String) as unknown,
      startDateTime: start,
      lifetimeInMinutes: 480,
      isUsableOnce: true,
      isUsable: false,
      methodUsabilityReason: 'NotYetValid',
    });
    expect(Math.abs(Date.parse(String(answer.json.createdDateTime)) - Date.now())).toBeLessThan(5000);
  });

  it('when the pass is read again, then it is null: Graph shows it only on creation (https://learn.microsoft.com/graph/api/resources/temporaryaccesspassauthenticationmethod)', async () => {
    const created = await create({ lifetimeInMinutes: 120 });
    const list = await get(methods(UPN));
    expect(list.status).toBe(200);
    expect(list.json.value).toEqual([
      expect.objectContaining({
        id: created.json.id,
        temporaryAccessPass: null,
        lifetimeInMinutes: 120,
        isUsable: true,
        methodUsabilityReason: 'EnabledByPolicy',
      }),
    ]);
    const one = await get(`${methods(UPN)}/${String(created.json.id)}`);
    expect(one.json).toMatchObject({ id: created.json.id, temporaryAccessPass: null });
  });

  it('when a second pass is created while the first is valid, then the first is deleted and the new one created, as Graph says: one pass per user, the old one no longer signs in', async () => {
    const first = await create({ lifetimeInMinutes: 60 });
    const second = await create({ lifetimeInMinutes: 60 });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.json.temporaryAccessPass).not.toBe(first.json.temporaryAccessPass);
    expect((await get(methods(UPN))).json.value).toEqual([expect.objectContaining({ id: second.json.id })]);
    expect((await get(`${methods(UPN)}/${String(first.json.id)}`)).status).toBe(404);
    expect(tenant.signInWithAccessPass(UPN, String(first.json.temporaryAccessPass))).toBe(false);
    expect(tenant.signInWithAccessPass(UPN, String(second.json.temporaryAccessPass))).toBe(true);
    expect(tenant.effectsOf('access-pass-deleted')).toContainEqual(
      expect.objectContaining({ detail: `${String(first.json.id)} (replaced)` }),
    );
  });

  it('when the body gives nothing, then the policy’s defaults: 60 minutes, from now, reusable', async () => {
    const answer = await create({});
    expect(answer.json).toMatchObject({ lifetimeInMinutes: 60, isUsableOnce: false, isUsable: true });
    expect(Math.abs(Date.parse(String(answer.json.startDateTime)) - Date.now())).toBeLessThan(5000);
  });

  it('when the lifetime is outside the policy (59, 481 minutes), then 400 badRequest "Invalid LifetimeInMinutes specified. The valid range between 60 and 480." and the pass in place stays (microsoftgraph/microsoft-graph-docs#12187)', async () => {
    const kept = await create({ lifetimeInMinutes: 90 });
    for (const lifetimeInMinutes of [59, 481, 43_200]) {
      const refused = await create({ lifetimeInMinutes });
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({
        error: {
          code: 'badRequest',
          message: 'Invalid LifetimeInMinutes specified. The valid range between 60 and 480.',
        },
      });
    }
    expect((await get(methods(UPN))).json.value).toEqual([expect.objectContaining({ id: kept.json.id })]);
  });

  it('when the policy enforces one-time use, then a multi-use pass is refused and one without isUsableOnce is usable once', async () => {
    tenant.configure({ accessPassPolicy: { isUsableOnce: true } });
    expect((await create({ isUsableOnce: false })).status).toBe(400);
    const once = await create({});
    expect(once.json.isUsableOnce).toBe(true);
    expect(tenant.signInWithAccessPass(UPN, String(once.json.temporaryAccessPass))).toBe(true);
    expect(tenant.signInWithAccessPass(UPN, String(once.json.temporaryAccessPass))).toBe(false);
    expect((await get(methods(UPN))).json.value).toEqual([
      expect.objectContaining({ isUsable: false, methodUsabilityReason: 'OneTimeUsed' }),
    ]);
  });

  it('when the method is disabled in the policy, then creation is refused (400); a pass whose time is over is Expired', async () => {
    const past = await create({ startDateTime: inHours(-48), lifetimeInMinutes: 60 });
    expect(past.json).toMatchObject({ isUsable: false, methodUsabilityReason: 'Expired' });
    tenant.configure({ accessPassPolicy: { state: 'disabled' } });
    const refused = await create({});
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('does not allow creating');
  });

  it('when the user is unknown, then 404 and nothing is created', async () => {
    const answer = await create({}, 'nobody@example.org');
    expect(answer.status).toBe(404);
    expect(tenant.accessPassOf('nobody@example.org')).toBeUndefined();
  });

  it('when the policy sets a longer length, then the pass is that long, and two passes are never alike (node:crypto)', async () => {
    tenant.configure({ accessPassPolicy: { defaultLength: 16 } });
    const a = await create({}, 'agent0010@example.org');
    const b = await create({}, 'agent0011@example.org');
    expect(String(a.json.temporaryAccessPass)).toHaveLength(16);
    expect(a.json.temporaryAccessPass).not.toBe(b.json.temporaryAccessPass);
  });
});

describe('deleting a pass (https://learn.microsoft.com/graph/api/temporaryaccesspassauthenticationmethod-delete)', () => {
  it('when the pass is deleted, then 204, the list is empty, the pass no longer signs in, and deleting it again is 404', async () => {
    const created = await create({}, 'agent0020@example.org');
    const path = `${methods('agent0020@example.org')}/${String(created.json.id)}`;
    expect((await del(path)).status).toBe(204);
    expect((await get(methods('agent0020@example.org'))).json.value).toEqual([]);
    expect(tenant.signInWithAccessPass('agent0020@example.org', String(created.json.temporaryAccessPass))).toBe(false);
    expect((await del(path)).status).toBe(404);
  });
});

describe('the policy (https://learn.microsoft.com/graph/api/temporaryaccesspassauthenticationmethodconfiguration-get)', () => {
  it('when the tenant’s policy is read, then a new tenant’s: enabled, 60 to 480 minutes, 60 by default, length 8, one-time use not enforced', async () => {
    const answer = await get(POLICY);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration',
      id: 'TemporaryAccessPass',
      state: 'enabled',
      defaultLifetimeInMinutes: 60,
      defaultLength: 8,
      minimumLifetimeInMinutes: 60,
      maximumLifetimeInMinutes: 480,
      isUsableOnce: false,
    });
  });
});

describe('permissions (each page’s "Permissions" table)', () => {
  it('when the token holds no UserAuthenticationMethod or UserAuthMethod-TAP permission, then 403; Read.All lists but cannot create; UserAuthMethod-TAP.ReadWrite.All (the least privileged) creates', async () => {
    const tenantWith = async (permissions: string[]) => {
      const t = new SimulatedTenant({ region: { agents: 50 }, grantedPermissions: permissions });
      await t.start();
      t.seedRegion();
      return { t, bearer: await graphToken(t) };
    };
    // The product's other permissions, without those of authentication methods.
    const others = GRAPH_APPLICATION_PERMISSIONS.filter((p) => !/^UserAuth(entication)?Method/.test(p));
    const none = await tenantWith(others);
    const reader = await tenantWith([...others, 'UserAuthenticationMethod.Read.All']);
    const tap = await tenantWith([...others, 'UserAuthMethod-TAP.ReadWrite.All']);
    try {
      const refused = await create({}, UPN, none.t, none.bearer);
      expect(refused.status).toBe(403);
      expect(refused.json).toMatchObject({ error: { code: 'Authorization_RequestDenied' } });
      expect((await get(POLICY, none.t, none.bearer)).status).toBe(403);
      expect((await get(methods(UPN), reader.t, reader.bearer)).status).toBe(200);
      expect((await create({}, UPN, reader.t, reader.bearer)).status).toBe(403);
      expect((await create({}, UPN, tap.t, tap.bearer)).status).toBe(201);
    } finally {
      await Promise.all([none.t.stop(), reader.t.stop(), tap.t.stop()]);
    }
  });
});

describe('the pass is kept nowhere', () => {
  it('when passes were created, then neither the journal, the snapshot nor the operator view holds one; the view lists userId, startDateTime, lifetimeInMinutes, isUsableOnce, createdAt', async () => {
    const passes: string[] = [];
    for (const who of ['agent0030@example.org', 'agent0031@example.org']) {
      passes.push(String((await create({ lifetimeInMinutes: 480, isUsableOnce: true }, who)).json.temporaryAccessPass));
    }
    const written = JSON.stringify([journal, tenant.snapshot(), tenant.operatorView()]);
    for (const pass of passes) expect(written).not.toContain(pass);
    const id = tenant.userId('agent0030@example.org');
    const listed = tenant.operatorView().accessPasses.find((p) => p.userId === id);
    expect(listed && Object.keys(listed).sort()).toEqual([
      'createdAt',
      'isUsableOnce',
      'lifetimeInMinutes',
      'startDateTime',
      'userId',
    ]);
    expect(listed).toMatchObject({ lifetimeInMinutes: 480, isUsableOnce: true });
  });

  it('when the tenant is restored from its snapshot, then the pass’s validity is there, but the pass no longer signs in (only a hash was ever kept, in memory)', async () => {
    const created = await create({ lifetimeInMinutes: 240 }, 'agent0040@example.org');
    const restored = new SimulatedTenant({ grantedPermissions: PERMISSIONS });
    restored.restore(tenant.snapshot());
    expect(restored.accessPassOf('agent0040@example.org')).toMatchObject({
      id: created.json.id,
      lifetimeInMinutes: 240,
    });
    expect(restored.signInWithAccessPass('agent0040@example.org', String(created.json.temporaryAccessPass))).toBe(
      false,
    );
    expect(tenant.signInWithAccessPass('agent0040@example.org', String(created.json.temporaryAccessPass))).toBe(true);
  });

  it('when a pass is created through the local host’s tenant, then GET /.local/simulated-tenant shows its validity and not the pass', async () => {
    const host = await startLocalHost({
      port: 0,
      stateDir: mkdtempSync(path.join(tmpdir(), 'passes-')),
      laptopStock: 0,
      env: { ...process.env, LOCAL_AGENTS: '60' },
      tenant: { grantedPermissions: PERMISSIONS },
      logHandler: () => undefined,
    });
    try {
      const start = inHours(12);
      const created = await create(
        { startDateTime: start, lifetimeInMinutes: 480, isUsableOnce: true },
        'agent0007@example.org',
        host.tenant,
        await graphToken(host.tenant),
      );
      expect(created.status).toBe(201);
      const res = await fetch(`${host.url}/.local/simulated-tenant`, {
        headers: { authorization: `Bearer ${host.adminToken}` },
      });
      const text = await res.text();
      expect(text).not.toContain(String(created.json.temporaryAccessPass));
      const view = JSON.parse(text) as OperatorView;
      expect(view.users).toHaveLength(60);
      expect(view.accessPasses).toEqual([
        {
          userId: host.tenant.userId('agent0007@example.org'),
          startDateTime: start,
          lifetimeInMinutes: 480,
          isUsableOnce: true,
          createdAt: created.json.createdDateTime,
        },
      ]);
    } finally {
      await host.stop();
    }
  });
});
