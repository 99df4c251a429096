import { GraphClient } from '../../shared/adapters/graph/graph-client';
import { TransientError } from '../../shared/ports/provisioners';
import type { Onboarding } from '../../shared/schemas/onboarding';
import { decide, IN_LINE } from '../../shared/domain/decide';
import { DEFAULT_SKU } from '../../local/simulated-tenant';
import { emptyCosmosStats } from '../../local/embedded-cosmos';
import { buildOnboarding, person } from '../support/factories';
import { startTestServices, type TestServices } from '../support/test-services';

let t: TestServices;
beforeAll(async () => {
  t = await startTestServices({ laptopStock: 2 });
});
afterAll(() => t.stop());
afterEach(() => {
  t.tenant.configure({ failureRate: 0, userSyncDelayMs: 0, replicationLagMs: 0 });
  t.tenant.injectFault('assignLicense', null);
});

/** An approved onboarding whose account HR-driven provisioning created (unless `account: false`). */
function approved(
  overrides: Parameters<typeof buildOnboarding>[0] = {},
  on: TestServices = t,
  account = true,
): Onboarding {
  const o = decide(buildOnboarding(overrides), {
    type: 'decided',
    at: new Date().toISOString(),
    by: person('chef@example.org'),
    decision: 'approve',
  }).state;
  if (account) on.tenant.provisionFromHr({ userPrincipalName: o.userPrincipalName });
  return o;
}

describe('VPN connector against the simulated tenant', () => {
  it('when provisioned twice, then the user is a member, added once ("already exist" counts as done); revert removes it once', async () => {
    const o = approved();
    const vpn = t.ports.connectors.vpn;
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

  it('when the account is not in the directory yet (sync lag), then it is a transient UserNotFound, and done once it appears', async () => {
    t.tenant.configure({ userSyncDelayMs: 300 });
    const o = approved();
    await expect(t.ports.connectors.vpn.provision(o)).rejects.toMatchObject({ code: 'UserNotFound' });
    await new Promise((r) => setTimeout(r, 350));
    expect(await t.ports.connectors.vpn.provision(o)).toEqual({ kind: 'done' });
  });

  it('when the account never appears (a mistyped upn), then every step is a transient UserNotFound naming the upn, and Graph is not changed', async () => {
    const o = approved({ employee: { userPrincipalName: 'camille.martin@exemple.org' } }, t, false);
    const before = t.tenant.effects.length;
    for (const step of ['vpn', 'officeLicense'] as const) {
      const err = await t.ports.connectors[step].provision(o).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientError);
      expect(err).toMatchObject({
        code: 'UserNotFound',
        message: expect.stringContaining('camille.martin@exemple.org') as unknown,
      });
    }
    expect(t.tenant.effects.length).toBe(before);
    expect((await t.services.laptops.list({ status: 'reserved', limit: 10 })).items).toEqual([]);
  });

  it('when the account was just found but the group replica does not know it yet, then the add is transient; later it is added once', async () => {
    // "A newly created object [can] return a 'Not Found'": https://devblogs.microsoft.com/identity/designing-for-eventual-consistency-for-microsoft-entra/
    t.tenant.configure({ replicationLagMs: 300 });
    const o = approved();
    await expect(t.ports.connectors.vpn.provision(o)).rejects.toMatchObject({ code: 'UserNotFound' });
    expect(t.tenant.isVpnMember(o.userPrincipalName)).toBe(false);
    await new Promise((r) => setTimeout(r, 350));
    expect(await t.ports.connectors.vpn.provision(o)).toEqual({ kind: 'done' });
    expect(
      t.tenant.effectsOf('member-added').filter((e) => e.target === t.tenant.userId(o.userPrincipalName)),
    ).toHaveLength(1);
  });
});

describe('licence connector against the simulated tenant', () => {
  it('when provisioned, then the configured SKU is assigned once; revert removes it', async () => {
    const o = approved();
    const lic = t.ports.connectors.officeLicense;
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
      const outcome = await t.ports.connectors.officeLicense.provision(approved());
      expect(outcome).toMatchObject({
        kind: 'waiting',
        recheckAfterSeconds: t.services.config.Provisioning__waitingRecheckSeconds,
      });
      expect(outcome.kind === 'waiting' && outcome.detail).toMatch(/no ENTERPRISEPACK seat free/);
    } finally {
      t.tenant.setSeats(DEFAULT_SKU.skuId, 1000);
    }
  });

  it('when 200 licence steps wait for a seat and are re-checked, then a re-check that finds nothing writes nothing', async () => {
    t.tenant.setSeats(DEFAULT_SKU.skuId, t.tenant.consumedUnits(DEFAULT_SKU.skuId));
    try {
      // The vpn step still under way (as when the licence waits first): a write would read again first.
      const waiting = Array.from({ length: 200 }, () =>
        approved({ needs: { laptop: false, vpn: true, officeLicense: true } }),
      );
      await Promise.all(waiting.map((o) => t.ports.store.create(o)));
      const command = (o: Onboarding) => ({
        type: 'run-step' as const,
        onboardingId: o.id,
        employeeId: o.employeeId,
        step: 'officeLicense' as const,
        attempt: o.steps.officeLicense.attempt,
      });
      const ctx = { deliveryCount: 1, maxDeliveryCount: 10 };
      // The first look records the wait (one write each); the next ones find the same and write nothing:
      // one read each (is this run still current?).
      for (const o of waiting) await t.services.provisioning.runStepCommand(command(o), ctx);
      t.cosmos.stats = emptyCosmosStats();
      for (const o of waiting) await t.services.provisioning.runStepCommand({ ...command(o), recheck: 1 }, ctx);
      const stats = t.cosmos.stats;
      t.cosmos.stats = undefined;
      // Of the onboardings (the Graph budget's own document is written as its leases come and go).
      const onboardings = Object.entries(stats.byKind).filter(([kind]) => kind.startsWith('onboardings '));
      expect(onboardings.map(([kind, { count }]) => [kind, count])).toEqual([['onboardings pointRead', 200]]);
      for (const o of waiting)
        expect((await t.ports.store.get(o.id))?.value.steps.officeLicense.status).toBe('waiting');
    } finally {
      t.tenant.setSeats(DEFAULT_SKU.skuId, 1000);
    }
  });

  it('when the account has no usageLocation, then the step sets the HR one (else FR) and assigns the licence; each once', async () => {
    const o = approved({ employee: { usageLocation: 'BE' } });
    const d = approved();
    expect(t.tenant.user(o.userPrincipalName)?.usageLocation).toBeNull();
    expect(await t.ports.connectors.officeLicense.provision(o)).toEqual({ kind: 'done' });
    expect(await t.ports.connectors.officeLicense.provision(d)).toEqual({ kind: 'done' });
    expect(await t.ports.connectors.officeLicense.provision(o)).toEqual({ kind: 'done' });
    expect(t.tenant.user(o.userPrincipalName)?.usageLocation).toBe('BE');
    expect(t.tenant.user(d.userPrincipalName)?.usageLocation).toBe('FR');
    const id = t.tenant.userId(o.userPrincipalName);
    expect(t.tenant.effectsOf('user-updated').filter((e) => e.target === id)).toEqual([
      expect.objectContaining({ detail: 'usageLocation=BE' }),
    ]);
    expect(t.tenant.effectsOf('license-assigned').filter((e) => e.target === id)).toHaveLength(1);
  });

  it('when the usageLocation just set has not reached licensing, then the licence is a transient fault, assigned on the next run', async () => {
    t.tenant.configure({ replicationLagMs: 300 });
    const o = approved();
    await new Promise((r) => setTimeout(r, 350)); // the account itself is replicated
    await expect(t.ports.connectors.officeLicense.provision(o)).rejects.toMatchObject({
      code: 'UsageLocationMissing',
    });
    await new Promise((r) => setTimeout(r, 350));
    expect(await t.ports.connectors.officeLicense.provision(o)).toEqual({ kind: 'done' });
    const id = t.tenant.userId(o.userPrincipalName);
    expect(t.tenant.effectsOf('user-updated').filter((e) => e.target === id)).toHaveLength(1);
    expect(t.tenant.effectsOf('license-assigned').filter((e) => e.target === id)).toHaveLength(1);
  });

  it('when the agent inherits the licence from a group, then the step is done without a direct assignment, and the undo leaves it and says so', async () => {
    const o = approved();
    const group = 'a1b2c3d4-0000-4000-8000-00000000e3e3';
    t.tenant.licenseGroup(group, DEFAULT_SKU.skuId);
    t.tenant.addToGroup(group, o.userPrincipalName);
    const id = t.tenant.userId(o.userPrincipalName);
    expect(await t.ports.connectors.officeLicense.provision(o)).toEqual({
      kind: 'done',
      detail: `inherited from group ${group}`,
    });
    expect(t.tenant.effectsOf('license-assigned').filter((e) => e.target === id)).toHaveLength(0);
    const reverted = await t.ports.connectors.officeLicense.revert(o);
    expect(reverted?.note).toContain(`inherited from group ${group}`);
    expect(t.tenant.hasLicense(o.userPrincipalName)).toBe(true);
    expect(t.tenant.effectsOf('license-removed').filter((e) => e.target === id)).toHaveLength(0);
  });

  it("when Graph answers 403, then the step fails with Graph's code and message", async () => {
    t.tenant.injectFault('assignLicense', {
      status: 403,
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    expect(await t.ports.connectors.officeLicense.provision(approved())).toEqual({
      kind: 'failed',
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
  });
});

describe('laptop connector against the stock and Windows Autopilot', () => {
  /** An approved onboarding, stored: its laptop step waits in line (the pass reads the line from the store). */
  async function inLine(on: TestServices, overrides: Parameters<typeof buildOnboarding>[0] = {}): Promise<Onboarding> {
    const o = approved({ ...overrides, needs: { laptop: true, vpn: false, officeLicense: false } }, on);
    await on.ports.store.create(o);
    return o;
  }
  const held = async (on: TestServices, status: 'assigned' | 'available' | 'reserved' | 'repair') =>
    (await on.services.laptops.list({ status, limit: 200 })).items;

  it('when the step runs before a pass served it, then it stays in line; once a pass reserved a laptop, it is assigned in Autopilot and marked assigned; revert gives it back', async () => {
    const o = await inLine(t);
    expect(await t.laptopStep.provision(o)).toEqual({ kind: 'waiting', detail: IN_LINE });
    expect(await t.services.laptops.pass()).toMatchObject({ reserved: 1 });
    const outcome = await t.laptopStep.provision(o);
    expect(outcome).toMatchObject({ kind: 'done', serialNumber: expect.stringMatching(/^LOCAL-/) as unknown });
    const serial = outcome.kind === 'done' ? outcome.serialNumber! : '';
    expect(t.tenant.deviceUser(serial)).toBe(o.userPrincipalName.toLowerCase());
    expect((await held(t, 'assigned')).map((l) => [l.serialNumber, l.onboardingId])).toContainEqual([serial, o.id]);
    expect(await t.laptopStep.provision(o)).toEqual(outcome);
    expect(
      t.tenant.effectsOf('device-user-assigned').filter((e) => e.detail === o.userPrincipalName.toLowerCase()),
    ).toHaveLength(1);

    await t.laptopStep.revert(o);
    expect(t.tenant.deviceUser(serial)).toBe('');
    expect(await t.ports.laptops.find(serial)).toMatchObject({ status: 'available', onboardingId: null });
  });

  it('when the stock is empty, then a pass reserves nothing and the step waits in line, with no re-check timer', async () => {
    const empty = await startTestServices({ laptopStock: 0 });
    try {
      const o = await inLine(empty);
      expect(await empty.services.laptops.pass()).toMatchObject({ reserved: 0, waiting: 1 });
      expect(await empty.laptopStep.provision(o)).toEqual({ kind: 'waiting', detail: IN_LINE });
    } finally {
      await empty.stop();
    }
  });

  it('when Autopilot has no identity for the serial, then the step fails with a clear code and the laptop is set aside for repair', async () => {
    const empty = await startTestServices({ laptopStock: 0 });
    try {
      await empty.services.laptops.add({ laptops: [{ serialNumber: 'GHOST-1', model: 'X' }] });
      empty.tenant.unregisterSerial('GHOST-1');
      const o = await inLine(empty);
      await empty.services.laptops.pass();
      const outcome = await empty.laptopStep.provision(o);
      expect(outcome).toMatchObject({ kind: 'failed', code: 'AutopilotDeviceNotFound' });
      expect((await held(empty, 'repair')).map((l) => l.serialNumber)).toEqual(['GHOST-1']);
    } finally {
      await empty.stop();
    }
  });
});

describe('laptop connector against Graph as it pages and Intune as it applies', () => {
  /** An approved onboarding, stored, waiting for a laptop. */
  async function waiting(on: TestServices): Promise<Onboarding> {
    const o = approved({ needs: { laptop: true, vpn: false, officeLicense: false } }, on);
    await on.ports.store.create(o);
    return o;
  }

  it('when Graph links to a next page, then the client follows it under its base URL only (the token is not sent elsewhere)', () => {
    const graph = new GraphClient({
      baseUrl: 'https://graph.microsoft.com/v1.0',
      credential: { getToken: () => Promise.resolve({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }) },
    });
    const next = 'https://graph.microsoft.com/v1.0/deviceManagement/windowsAutopilotDeviceIdentities?$skiptoken=2';
    expect(graph.pathOf(next)).toBe('/deviceManagement/windowsAutopilotDeviceIdentities?$skiptoken=2');
    expect(() => graph.pathOf('https://graph.example.net/v1.0/deviceManagement?$skiptoken=2')).toThrow(/outside/);
    expect(() => graph.pathOf('https://graph.microsoft.com/v1.0.evil/x')).toThrow(/outside/);
  });

  it("when the laptop's Autopilot identity is on a later page of its search (longer serials match contains() too), then the step follows @odata.nextLink and assigns it", async () => {
    const paged = await startTestServices({ laptopStock: 0, tenant: { autopilotPageSize: 2 } });
    try {
      // Registered first, so that they fill the first page: the OEM uploaded them before this laptop.
      paged.tenant.registerDevices(['PC-77-A', 'PC-77-B', 'PC-77-C']);
      await paged.services.laptops.add({ laptops: [{ serialNumber: 'PC-77', model: 'Latitude' }] });
      const o = await waiting(paged);
      await paged.services.laptops.pass();
      expect(await paged.laptopStep.provision(o)).toEqual({ kind: 'done', serialNumber: 'PC-77' });
      expect(paged.tenant.deviceUser('PC-77')).toBe(o.userPrincipalName.toLowerCase());
      expect(paged.tenant.deviceUser('PC-77-A')).toBe('');
    } finally {
      await paged.stop();
    }
  });

  it('when Intune has not applied an assignment yet, then a second run assigns nothing more, and an undo made before it shows still leaves the device with nobody', async () => {
    const slow = await startTestServices({ laptopStock: 1, tenant: { autopilotAssignmentDelayMs: 400 } });
    try {
      const o = await waiting(slow);
      await slow.services.laptops.pass();
      const outcome = await slow.laptopStep.provision(o);
      expect(outcome).toEqual({ kind: 'done', serialNumber: 'LOCAL-0001' });
      expect(slow.tenant.deviceUser('LOCAL-0001')).toBe(''); // accepted, not applied yet
      expect(await slow.laptopStep.provision(o)).toEqual(outcome);
      expect(slow.tenant.effectsOf('device-user-assigned')).toHaveLength(1);
      await slow.laptopStep.revert(o); // the hire is cancelled at once
      await new Promise((r) => setTimeout(r, 500));
      expect(slow.tenant.deviceUser('LOCAL-0001')).toBe('');
      expect(await slow.ports.laptops.find('LOCAL-0001')).toMatchObject({ status: 'available' });
    } finally {
      await slow.stop();
    }
  });

  it('when the laptop goes back to stock while an assignment Intune accepted has not shown yet, then the reconciliation unassigns it anyway', async () => {
    const slow = await startTestServices({ laptopStock: 0, tenant: { autopilotAssignmentDelayMs: 400 } });
    try {
      const laptop = slow.laptopStep;
      await slow.services.laptops.add({ laptops: [{ serialNumber: 'LOCAL-0001', model: 'Latitude' }] });
      const a = await waiting(slow);
      await slow.services.laptops.pass();
      slow.tenant.delayNext('assignUserToDevice', 400);
      const slowA = laptop.provision(a); // its Autopilot call hangs, then Intune takes its time to apply it
      await new Promise((r) => setTimeout(r, 150));
      await laptop.revert(a); // cancelled: the laptop is back in stock, nobody else waits
      expect(await slowA).toEqual({ kind: 'waiting', detail: IN_LINE });
      await new Promise((r) => setTimeout(r, 500));
      expect(slow.tenant.deviceUser('LOCAL-0001')).toBe('');
    } finally {
      await slow.stop();
    }
  });
});

describe('laptop assignment racing a cancellation', () => {
  it('when the laptop is released (and given to another) while its Autopilot assignment is in flight, then Autopilot ends with the new holder', async () => {
    const race = await startTestServices({ laptopStock: 0 });
    try {
      const store = race.ports.store;
      const a = approved(
        { employee: { priority: 'continuity' }, needs: { laptop: true, vpn: false, officeLicense: false } },
        race,
      );
      const b = approved({ needs: { laptop: true, vpn: false, officeLicense: false } }, race);
      await store.create(a);
      await store.create(b);
      const laptop = race.laptopStep;
      await race.services.laptops.add({ laptops: [{ serialNumber: 'LOCAL-0001', model: 'Latitude' }] });
      await race.services.laptops.pass(); // A first: continuity
      race.tenant.delayNext('assignUserToDevice', 600);
      const slowA = laptop.provision(a); // A resumed: its Autopilot call hangs
      await new Promise((r) => setTimeout(r, 200));
      await laptop.revert(a); // the hire is cancelled: LOCAL-0001 goes back to stock
      const cancelledA = (await store.get(a.id))!;
      await store.replace({ ...cancelledA.value, status: 'cancelled' }, cancelledA.etag);
      await race.services.laptops.pass(); // and to B
      expect(await laptop.provision(b)).toEqual({ kind: 'done', serialNumber: 'LOCAL-0001' });
      // A's step goes back in line (its onboarding, cancelled, takes no laptop from there).
      expect(await slowA).toEqual({ kind: 'waiting', detail: IN_LINE });
      expect(race.tenant.deviceUser('LOCAL-0001')).toBe(b.userPrincipalName.toLowerCase());
      expect(
        (await race.services.laptops.list({ status: 'assigned', limit: 10 })).items.map((l) => l.onboardingId),
      ).toEqual([b.id]);
    } finally {
      await race.stop();
    }
  });
});
