import { syncDirectoryFromHr } from '../../local/hr-directory-sync';
import { objectIdFor } from '../../local/dev-issuer';
import { Roles } from '../../shared/domain/roles';
import { buildHireJson } from '../support/factories';
import { callHttp, functionsOver, queueContext } from '../support/functions';
import { startTestServices, type TestServices, type TokenOptions } from '../support/test-services';

// Entra ID access tokens as the API must read them:
// - claims (oid, azp, idtyp, roles, preferred_username): https://learn.microsoft.com/entra/identity-platform/access-tokens
// - `idtyp` ("app" for app-only tokens) is an optional claim: https://learn.microsoft.com/entra/identity-platform/optional-claims-reference
// - authorize on `oid`, never on the mutable `preferred_username`: https://learn.microsoft.com/entra/identity-platform/claims-validation
// - lifetimes: 60 to 90 minutes by default, a policy up to one day, CAE up to 28 hours:
//   https://learn.microsoft.com/entra/identity-platform/configurable-token-lifetimes

let t: TestServices;
let fns: ReturnType<typeof functionsOver>;

beforeAll(async () => {
  t = await startTestServices();
  fns = functionsOver(t.services);
});
afterAll(() => t.stop());

const HR_APP = { app: 'sirh' };

async function hired(json = buildHireJson()) {
  syncDirectoryFromHr(t.tenant, json); // as HR-driven provisioning does on the local host
  await fns.queue('hr-events-queue').handler(json, queueContext('hr-events-queue'));
  const employeeId = (json.employee as { employeeId: string }).employeeId;
  const [o] = await t.ports.store.listForEmployee(employeeId);
  return o!.value;
}

describe('application tokens (client credentials), as the HR system calls', () => {
  it('when the HR system posts an event with its app token, then 202', async () => {
    const json = buildHireJson();
    const res = await callHttp(fns.http('hr-events-http'), {
      token: await t.token(HR_APP, [Roles.hrEventsSend]),
      body: JSON.stringify(json),
    });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ eventId: json.eventId });
  });

  it('when an application reads with Onboarding.Read, then 200', async () => {
    const res = await callHttp(fns.http('onboardings-list'), {
      token: await t.token({ app: 'audit-export' }, [Roles.onboardingRead]),
    });
    expect(res.status).toBe(200);
  });

  it.each([
    ['decide', 'onboardings-decision', '{"decision":"approve"}'],
    ['retry', 'onboardings-retry', undefined],
  ])(
    'when an application token holding Onboarding.Approve tries to %s, then 403: it needs a person',
    async (_, name, body) => {
      const o = await hired();
      const res = await callHttp(fns.http(name), {
        token: await t.token({ app: 'rogue' }, [Roles.onboardingApprove, Roles.onboardingRead]),
        params: { id: o.id },
        ...(body ? { body } : {}),
      });
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ code: 'PERSON_REQUIRED' });
      expect((await t.ports.store.get(o.id))?.value.status).toBe('awaiting-approval');
    },
  );

  // Entra ID adds idtyp only when the registration asks for that optional claim; a client-credentials token without it
  // has no scp either (e.g. https://learn.microsoft.com/answers/questions/256281: aud, azp, oid, roles, no scp).
  it('when the token of an application lacks idtyp (optional claim not configured), then it is still an application: it posts HR events, and may not decide', async () => {
    const noIdtyp = { claims: { idtyp: undefined } };
    const json = buildHireJson();
    const posted = await callHttp(fns.http('hr-events-http'), {
      token: await t.token(HR_APP, [Roles.hrEventsSend], noIdtyp),
      body: JSON.stringify(json),
    });
    expect(posted.status).toBe(202);
    const o = await hired();
    const decided = await callHttp(fns.http('onboardings-decision'), {
      token: await t.token({ app: 'rogue' }, [Roles.onboardingApprove], noIdtyp),
      params: { id: o.id },
      body: '{"decision":"approve"}',
    });
    expect(decided.status).toBe(403);
    expect(decided.json).toMatchObject({ code: 'PERSON_REQUIRED' });
  });

  it("when a person's token lacks idtyp, then its scp still makes it a person's", async () => {
    const res = await callHttp(fns.http('me'), {
      token: await t.token('lucie.moreau@example.org', [Roles.onboardingRead], { claims: { idtyp: undefined } }),
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: 'person', name: 'lucie.moreau@example.org' });
  });

  it('when an application holds a role applications may not hold, then it grants nothing (403)', async () => {
    const list = await callHttp(fns.http('onboardings-list'), {
      token: await t.token({ app: 'rogue' }, [Roles.onboardingApprove]),
    });
    expect(list.status).toBe(403);
    const add = await callHttp(fns.http('laptops-add'), {
      token: await t.token({ app: 'rogue' }, [Roles.inventoryManage]),
      body: JSON.stringify({ laptops: [{ serialNumber: 'APP-1', model: 'x' }] }),
    });
    expect(add.status).toBe(403);
  });
});

describe('identity claims are checked, not trusted', () => {
  const now = Math.floor(Date.now() / 1000);
  const cases: [string, string | { app: string }, TokenOptions][] = [
    ['an empty oid', 'chef@example.org', { claims: { oid: '' } }],
    ['no oid', 'chef@example.org', { claims: { oid: undefined } }],
    ['an oid that is not an object id', 'chef@example.org', { claims: { oid: 'chef' } }],
    ['an empty preferred_username', 'chef@example.org', { claims: { preferred_username: '' } }],
    ['a username posing as the service ("system")', 'chef@example.org', { claims: { preferred_username: 'system' } }],
    ['a username posing as HR ("hr")', 'chef@example.org', { claims: { preferred_username: 'hr' } }],
    ['a username posing as an application', 'chef@example.org', { claims: { preferred_username: 'app:x' } }],
    ['an iat in the future', 'chef@example.org', { issuedAt: new Date(Date.now() + 3600_000), claims: { nbf: now } }],
    ['a lifetime longer than Entra ID issues (29 hours)', 'chef@example.org', { lifetimeSeconds: 29 * 3600 }],
    ['an application token without azp', { app: 'sirh' }, { claims: { azp: undefined } }],
  ];
  it.each(cases)('when a validly signed token has %s, then 401', async (_name, who, options) => {
    const res = await callHttp(fns.http('onboardings-list'), {
      token: await t.token(who, [Roles.onboardingApprove, Roles.onboardingRead], options),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('when an attacker approves with an empty username, then 401, nothing is stored, and everyone else can still read', async () => {
    const o = await hired();
    const forged = await t.token('chef@example.org', [Roles.onboardingApprove], {
      claims: { preferred_username: '' },
    });
    const res = await callHttp(fns.http('onboardings-decision'), {
      token: forged,
      params: { id: o.id },
      body: '{"decision":"approve"}',
    });
    expect(res.status).toBe(401);
    const chef = await t.token('chef@example.org', [Roles.onboardingApprove]);
    expect((await callHttp(fns.http('onboardings-list'), { token: chef })).status).toBe(200);
    const history = await callHttp(fns.http('onboardings-history'), { token: chef, params: { id: o.id } });
    expect(history.status).toBe(200);
    expect(history.json.items).toHaveLength(1);
  });

  it('when a document would be written with an actor that is not a person, an application or the service, then the store refuses it', async () => {
    const o = await hired();
    const stored = (await t.ports.store.get(o.id))!;
    const forged = { ...stored.value, history: [...stored.value.history, { ...stored.value.history[0]!, actor: '' }] };
    await expect(t.ports.store.replace(forged, stored.etag)).rejects.toThrow();
    expect((await t.ports.store.get(o.id))?.value.history).toHaveLength(1);
  });
});

describe('actors are recorded by object id; four-eyes compares object ids', () => {
  it('when a person decides, then the decision and the history carry their oid beside their upn', async () => {
    const o = await hired();
    const res = await callHttp(fns.http('onboardings-decision'), {
      token: await t.token('chef@example.org', [Roles.onboardingApprove]),
      params: { id: o.id },
      body: '{"decision":"reject","comment":"poste gelé"}',
    });
    expect(res.status).toBe(200);
    expect(res.json.decision).toMatchObject({ by: 'chef@example.org', byId: objectIdFor('chef@example.org') });
    const history = await t.ports.store.get(o.id);
    expect(history?.value.history.find((h) => h.type === 'onboarding.rejected')).toMatchObject({
      actor: 'chef@example.org',
      actorId: objectIdFor('chef@example.org'),
    });
    expect(history?.value.history[0]).toEqual(expect.not.objectContaining({ actorId: expect.anything() as unknown }));
  });

  it("when the approver signs in with an alias upn but the agent's object id, then 403: self-approval", async () => {
    const o = await hired(buildHireJson({ employee: { userPrincipalName: 'camille.martin.alias-test@example.org' } }));
    // The agent's account exists in the directory; their token carries its object id under another username.
    const agentId = objectIdFor(o.userPrincipalName);
    const alias = await t.token('c.martin@example.org', [Roles.onboardingApprove], { claims: { oid: agentId } });
    const res = await callHttp(fns.http('onboardings-decision'), {
      token: alias,
      params: { id: o.id },
      body: '{"decision":"approve"}',
    });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ code: 'ONBOARDING.SELF_APPROVAL' });
    expect((await t.ports.store.get(o.id))?.value.status).toBe('awaiting-approval');
  });
});
