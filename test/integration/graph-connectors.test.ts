import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { TransientError } from '../../shared/ports/provisioners';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { decide } from '../../shared/domain/decide';
import { DEFAULT_SKU, TLS_CERT_FILE } from '../../local/simulated-tenant';
import { buildOnboarding, person } from '../support/factories';
import { startTestServices, type TestServices } from '../support/test-services';

let t: TestServices;
beforeAll(async () => {
  t = await startTestServices({ laptopStock: 2 });
});
afterAll(() => t.stop());
afterEach(() => {
  t.tenant.configure({ throttle: undefined, failureRate: 0, userSyncDelayMs: 0 });
  t.tenant.injectFault('assignLicense', null);
});

function approved(overrides: Parameters<typeof buildOnboarding>[0] = {}): Onboarding {
  return decide(buildOnboarding(overrides), {
    type: 'decided',
    at: new Date().toISOString(),
    by: person('chef@example.org'),
    decision: 'approve',
  }).state;
}

describe('VPN connector against the simulated tenant', () => {
  it('when provisioned twice, then the user is a member, added once ("already exist" counts as done); revert removes it once', async () => {
    const o = approved();
    const vpn = t.services.provisioners.vpn;
    expect(await vpn.provision(o)).toEqual({ kind: 'done' });
    expect(await vpn.provision(o)).toEqual({ kind: 'done' });
    const userId = t.tenant.userId(o.userPrincipalName)!;
    expect(t.tenant.isVpnMember(o.userPrincipalName)).toBe(true);
    expect(t.tenant.effectsOf('member-added').filter((e) => e.target === userId)).toHaveLength(1);
    await vpn.revert(o);
    await vpn.revert(o);
    expect(t.tenant.isVpnMember(o.userPrincipalName)).toBe(false);
    expect(t.tenant.effectsOf('member-removed').filter((e) => e.target === userId)).toHaveLength(1);
  });

  it('when the user is not in the directory yet (sync lag), then it is a transient error, and done once the account appears', async () => {
    t.tenant.configure({ userSyncDelayMs: 300 });
    const o = approved();
    await expect(t.services.provisioners.vpn.provision(o)).rejects.toBeInstanceOf(TransientError);
    await new Promise((r) => setTimeout(r, 350));
    expect(await t.services.provisioners.vpn.provision(o)).toEqual({ kind: 'done' });
  });
});

describe('licence connector against the simulated tenant', () => {
  it('when provisioned, then the configured SKU is assigned once; revert removes it', async () => {
    const o = approved();
    const lic = t.services.provisioners.officeLicense;
    const before = t.tenant.consumedUnits(DEFAULT_SKU.skuId);
    expect(await lic.provision(o)).toEqual({ kind: 'done' });
    expect(await lic.provision(o)).toEqual({ kind: 'done' });
    expect(t.tenant.consumedUnits(DEFAULT_SKU.skuId)).toBe(before + 1);
    expect(
      t.tenant.effectsOf('license-assigned').filter((e) => e.target === t.tenant.userId(o.userPrincipalName)),
    ).toHaveLength(1);
    await lic.revert(o);
    expect(t.tenant.hasLicense(o.userPrincipalName)).toBe(false);
    expect(t.tenant.consumedUnits(DEFAULT_SKU.skuId)).toBe(before);
  });

  it('when no seat is free, then the step waits with a re-check, and nothing is assigned', async () => {
    t.tenant.setSeats(DEFAULT_SKU.skuId, t.tenant.consumedUnits(DEFAULT_SKU.skuId));
    try {
      const outcome = await t.services.provisioners.officeLicense.provision(approved());
      expect(outcome).toMatchObject({
        kind: 'waiting',
        recheckAfterSeconds: t.services.config.Provisioning__waitingRecheckSeconds,
      });
      expect(outcome.kind === 'waiting' && outcome.detail).toMatch(/no ENTERPRISEPACK seat free/);
    } finally {
      t.tenant.setSeats(DEFAULT_SKU.skuId, 1000);
    }
  });

  it("when Graph answers 403, then the step fails with Graph's code and message", async () => {
    t.tenant.injectFault('assignLicense', {
      status: 403,
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    expect(await t.services.provisioners.officeLicense.provision(approved())).toEqual({
      kind: 'failed',
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
  });
});

describe('laptop connector against the pool and Windows Autopilot', () => {
  it('when a laptop is in stock, then it is reserved, assigned to the user in Autopilot, and marked assigned; revert gives it back', async () => {
    const o = approved();
    const outcome = await t.services.provisioners.laptop.provision(o);
    expect(outcome).toMatchObject({ kind: 'done', serialNumber: expect.stringMatching(/^LOCAL-/) as unknown });
    const serial = outcome.kind === 'done' ? outcome.serialNumber! : '';
    expect(t.tenant.deviceUser(serial)).toBe(o.userPrincipalName.toLowerCase());
    expect((await t.services.laptopStock.list('assigned')).map((l) => [l.serialNumber, l.onboardingId])).toContainEqual(
      [serial, o.id],
    );
    expect(await t.services.provisioners.laptop.provision(o)).toEqual(outcome);
    expect(
      t.tenant.effectsOf('device-user-assigned').filter((e) => e.detail === o.userPrincipalName.toLowerCase()),
    ).toHaveLength(1);

    await t.services.provisioners.laptop.revert(o);
    expect(t.tenant.deviceUser(serial)).toBe('');
    expect((await t.services.laptopStock.list()).find((l) => l.serialNumber === serial)).toMatchObject({
      status: 'available',
      onboardingId: null,
    });
  });

  it('when the stock is empty, then the step waits with no re-check timer (it is resumed when stock comes back)', async () => {
    const holders = [approved(), approved()];
    for (const h of holders) await t.services.provisioners.laptop.provision(h);
    const waiter = approved();
    const outcome = await t.services.provisioners.laptop.provision(waiter);
    expect(outcome).toEqual({ kind: 'waiting', detail: 'no laptop in stock' });
    for (const h of [...holders, waiter]) await t.services.provisioners.laptop.revert(h);
  });

  it('when Autopilot has no identity for the serial, then the step fails with a clear code', async () => {
    const empty = await startTestServices({ laptopStock: 0 });
    try {
      await empty.services.laptopStock.add({ laptops: [{ serialNumber: 'GHOST-1', model: 'X' }] });
      empty.tenant.unregisterSerial('GHOST-1');
      const outcome = await empty.services.provisioners.laptop.provision(approved());
      expect(outcome).toMatchObject({ kind: 'failed', code: 'AutopilotDeviceNotFound' });
    } finally {
      await empty.stop();
    }
  });
});

describe('laptop assignment racing a cancellation', () => {
  it('when the laptop is released (and given to another) while its Autopilot assignment is in flight, then Autopilot ends with the new holder', async () => {
    const race = await startTestServices({ laptopStock: 0 });
    try {
      const a = approved({ employee: { priority: 'continuity' } });
      const b = approved();
      const laptop = race.services.provisioners.laptop;
      expect(await laptop.provision(b)).toEqual({ kind: 'waiting', detail: 'no laptop in stock' });
      expect(await laptop.provision(a)).toEqual({ kind: 'waiting', detail: 'no laptop in stock' });
      await race.services.laptopStock.add({ laptops: [{ serialNumber: 'LOCAL-0001', model: 'Latitude' }] }); // A first: continuity
      race.tenant.delayNext('assignUserToDevice', 600);
      const slowA = laptop.provision(a); // A resumed: its Autopilot call hangs
      await new Promise((r) => setTimeout(r, 200));
      await laptop.revert(a); // the hire is cancelled: LOCAL-0001 goes back to stock
      expect(await laptop.provision(b)).toEqual({ kind: 'done', serialNumber: 'LOCAL-0001' }); // and to B
      expect(await slowA).toMatchObject({ kind: 'failed', code: 'LaptopReleased' });
      expect(race.tenant.deviceUser('LOCAL-0001')).toBe(b.userPrincipalName.toLowerCase());
      expect((await race.services.laptopStock.list('assigned')).map((l) => l.onboardingId)).toEqual([b.id]);
    } finally {
      await race.stop();
    }
  });
});

describe('the simulated tenant speaks Graph', () => {
  it('when a family is over 80 % of its budget, then answers carry x-ms-throttle-limit-percentage; over it, 429 with Retry-After', async () => {
    t.tenant.configure({ throttle: { limit: 5, windowMs: 60_000 } });
    const token = (await (await fetchToken()).json()) as { access_token: string };
    const answers: { status: number; pct?: string; retryAfter?: string; body: string }[] = [];
    for (let i = 0; i < 6; i++) answers.push(await rawGet('/v1.0/subscribedSkus', token.access_token));
    expect(answers.slice(0, 4).every((a) => a.status === 200 && a.pct === undefined)).toBe(true);
    expect(answers[4]).toMatchObject({ status: 200, pct: '1.00' });
    expect(answers[5]).toMatchObject({ status: 429, retryAfter: expect.stringMatching(/^\d+$/) as unknown });
    expect(JSON.parse(answers[5]!.body)).toMatchObject({ error: { code: 'TooManyRequests' } });
  });

  it('when the token is missing, then 401 InvalidAuthenticationToken in the Graph error shape', async () => {
    const answer = await rawGet('/v1.0/subscribedSkus');
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({
      error: { code: 'InvalidAuthenticationToken', message: expect.any(String) as unknown },
    });
  });
});

const ca = readFileSync(TLS_CERT_FILE);
function fetchToken() {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: t.tenant.clientId,
    client_secret: t.tenant.clientSecret,
    scope: 'https://graph.microsoft.com/.default',
  }).toString();
  return rawPost(`/${t.tenant.tenantId}/oauth2/v2.0/token`, body);
}
function rawPost(path: string, body: string): Promise<{ json(): Promise<unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${t.tenant.authorityHost}${path}`,
      { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ json: () => Promise.resolve(JSON.parse(text) as unknown) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
function rawGet(
  path: string,
  token?: string,
): Promise<{ status: number; pct?: string; retryAfter?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${t.tenant.authorityHost}${path}`,
      { ca, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          const pct = res.headers['x-ms-throttle-limit-percentage'];
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            body: text,
            ...(typeof pct === 'string' ? { pct } : {}),
            ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
