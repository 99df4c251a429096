import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONTAINERS } from '../../shared/adapters/cosmos/containers';
import { Roles } from '../../shared/domain/roles';
import { STEP_NAMES, type Onboarding } from '../../shared/schemas/onboarding';
import { person } from '../support/factories';
import { callHttp, functionsOver } from '../support/functions';
import { eventually } from '../support/http-client';
import { startTestServices, type TestServices } from '../support/test-services';

// Documents as the release of 1 December 2026 stored them (three steps, no kind, no schema version:
// test/fixtures/release-2026-11/), put back in Cosmos DB as they were and read by today's code: every one is
// read, listed, reported and exported, and those still under way go on as they would have.

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'release-2026-11');
const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>[];

let t: TestServices;
const earlier = fixture('onboardings.json');
beforeAll(async () => {
  t = await startTestServices({ laptopStock: 0 });
  for (const doc of earlier) await t.cosmos.database.container(CONTAINERS.onboardings.id).items.create(doc);
  for (const doc of fixture('laptops.json')) await t.cosmos.database.container(CONTAINERS.laptops.id).items.create(doc);
});
afterAll(() => t.stop());

const byId = (id: string) => earlier.find((d) => d.id === id)!;

describe('documents written by the previous release', () => {
  it('when each is read, then it is the same onboarding, a hire whose Teams and accessories steps were not needed', async () => {
    expect(earlier.map((d) => d.schemaVersion)).toEqual(earlier.map(() => undefined));
    for (const doc of earlier) {
      const read = await t.services.onboardings.get(doc.id as string);
      expect(read).not.toBeNull();
      const o = read!;
      expect(o).toMatchObject({ id: doc.id, status: doc.status, kind: 'hire', managerUpn: null, replaces: null });
      expect(o.history).toEqual(doc.history);
      for (const step of ['laptop', 'vpn', 'officeLicense'] as const) {
        expect(o.steps[step]).toEqual((doc.steps as Onboarding['steps'])[step]);
      }
      expect([o.steps.teams.status, o.steps.accessories.status]).toEqual(['skipped', 'skipped']);
      expect(o.needs.teams).toBe(false);
    }
    // The needs the hire recorded at its creation: the one without a laptop still needs none.
    expect((await t.services.onboardings.get('FIX-NO-SEAT.1'))!.needs).toMatchObject({ laptop: false, vpn: true });
  });

  it('when they are listed, reported on and exported, then every one is there, with its audit chain intact', async () => {
    const listed = await t.services.onboardings.list({}, 200);
    expect(listed.items.map((o) => o.id).sort()).toEqual(earlier.map((d) => d.id).sort());
    const fns = functionsOver(t.services);
    const auditor = await t.token('audit@example.org', [Roles.onboardingRead]);
    const history = await callHttp(fns.http('onboardings-history'), {
      token: auditor,
      params: { id: 'FIX-COMPLETED.1' },
      query: 'verify=true',
    });
    expect(history.json.verification).toEqual({ intact: true, brokenAt: null });
    const summary = await t.services.reports.summary(undefined, undefined);
    expect(Object.values(summary.byStatus).reduce((a, b) => a + b, 0)).toBe(earlier.length);
    const exported = await callHttp(fns.http('onboardings-export'), { token: auditor });
    expect(exported.status).toBe(200);
    for (const d of earlier) expect(exported.body).toContain(d.id as string);
  });

  it('when one awaiting approval is approved, and one in line gets a laptop, then they go on as they would have, written in the new shape', async () => {
    // Its account, as HR's provisioning made it when the agent was hired (the laptop goes in line at once).
    t.tenant.provisionFromHr({ userPrincipalName: byId('FIX-AWAITING.1').userPrincipalName as string });
    const approved = await t.services.onboardings.decide(
      'FIX-AWAITING.1',
      { decision: 'approve' },
      person('adjoint.dsi@example.org'),
    );
    expect(approved.status).toBe('provisioning');
    expect(approved.steps.laptop.status).toBe('waiting');
    expect(approved.schemaVersion).toBe(2);
    const raw = await t.cosmos.database
      .container(CONTAINERS.onboardings.id)
      .item('FIX-AWAITING.1', 'FIX-AWAITING')
      .read();
    expect((raw.resource as { schemaVersion?: number }).schemaVersion).toBe(2);
    expect(Object.keys((raw.resource as Onboarding).steps).sort()).toEqual([...STEP_NAMES].sort());

    // The one that was in line when the earlier release stopped is served by the next pass, before the one approved now.
    expect(byId('FIX-IN-LINE.1').status).toBe('provisioning');
    await t.services.laptops.add({ laptops: [{ serialNumber: 'NEW-1', model: 'Latitude 5440' }] });
    await t.services.laptops.pass();
    expect((await t.ports.laptops.heldBy('FIX-IN-LINE.1'))?.serialNumber).toBe('NEW-1');
    await eventually(
      () => Promise.resolve(t.sent('laptop-steps')),
      (sent) => sent.some((m) => (m.body as { onboardingId?: string }).onboardingId === 'FIX-IN-LINE.1'),
    );
  });
});

describe('searching documents of the previous release', () => {
  it('when the sweeper has given them their search keys, then a search ignoring case and accents finds them, each written once', async () => {
    const completed = 'FIX-COMPLETED.1';
    // Not written since the release: no folded text yet, so a search does not see it.
    expect((await t.services.onboardings.list({ q: 'fix-completed' }, 50)).total).toBe(0);
    const before = (await t.ports.store.get(completed))!;
    let written = 0;
    for (let n = await t.ports.store.addSearchKeys(20); n > 0; n = await t.ports.store.addSearchKeys(20)) written += n;
    expect(written).toBeGreaterThan(0);
    expect(await t.ports.store.addSearchKeys(20)).toBe(0);
    const found = await t.services.onboardings.list({ q: 'FIX-COMPLETED MARTIN' }, 50);
    expect(found.items.map((o) => o.id)).toEqual([completed]);
    expect(found.total).toBe(1);
    // Written as it was: the same onboarding, history and all.
    const after = (await t.ports.store.get(completed))!;
    expect(after.value).toEqual(before.value);
    expect(after.etag).not.toBe(before.etag);
  });
});
