import { createOnboardingWriter } from '../../shared/app/onboarding/onboarding-writer';
import { sealHistory, verifyChain } from '../../shared/audit/history-chain';
import { decide } from '../../shared/domain/decide';
import { CONTAINERS } from '../../shared/adapters/cosmos/containers';
import { AlreadyExists, ConcurrencyConflict, InvalidContinuationToken } from '../../shared/ports/onboarding-store';
import { DomainError } from '../../shared/domain/errors';
import { onboardingDocumentSchema, type Onboarding } from '../../shared/schemas/onboarding';
import { approvedOnboarding, buildOnboarding, person, withSteps } from '../support/factories';
import { callHttp, functionsOver } from '../support/functions';
import { eventually } from '../support/http-client';
import { Roles } from '../../shared/domain/roles';
import { startTestServices, type TestServices } from '../support/test-services';

let t: TestServices;
beforeAll(async () => {
  t = await startTestServices();
});
afterAll(() => t.stop());

const at = '2026-11-30T09:00:00.000Z';

describe('CosmosOnboardingStore against the embedded Cosmos DB endpoint', () => {
  it('when an onboarding is created and read back, then it is parsed again, carries an etag, and its history is sealed', async () => {
    const o = buildOnboarding();
    const created = await t.ports.store.create(o);
    const read = await t.ports.store.get(o.id);
    expect(read?.value).toEqual({ ...o, history: sealHistory(o.history) });
    expect(read?.etag).toBe(created.etag);
    expect(verifyChain(read!.value.history)).toEqual({ intact: true, brokenAt: null });
  });

  it('when the same id is created twice, then the second is AlreadyExists', async () => {
    const o = buildOnboarding();
    await t.ports.store.create(o);
    await expect(t.ports.store.create(o)).rejects.toBeInstanceOf(AlreadyExists);
  });

  it('when a replace carries a stale etag, then it is a ConcurrencyConflict and the stored document is unchanged', async () => {
    const o = buildOnboarding();
    const v1 = await t.ports.store.create(o);
    const v2 = await t.ports.store.replace({ ...o, department: 'DSI' }, v1.etag);
    await expect(t.ports.store.replace({ ...o, department: 'Finances' }, v1.etag)).rejects.toBeInstanceOf(
      ConcurrencyConflict,
    );
    expect((await t.ports.store.get(o.id))?.value.department).toBe('DSI');
    expect(v2.etag).not.toBe(v1.etag);
  });

  it('when a stored document no longer matches the schema, then reading it fails loudly instead of returning it', async () => {
    const o = buildOnboarding();
    await t.cosmos.database.container(CONTAINERS.onboardings.id).items.create({ ...o, status: 'teleported' });
    await expect(t.ports.store.get(o.id)).rejects.toThrow(/status/);
  });

  it('when the id is not an onboarding id, then get answers null', async () => {
    expect(await t.ports.store.get('../etc')).toBeNull();
    expect(await t.ports.store.get('E404.1')).toBeNull();
  });

  it('when two approvers decide at once, then exactly one decision wins and the other gets ALREADY_DECIDED', async () => {
    const o = buildOnboarding();
    await t.ports.store.create(o);
    const results = await Promise.allSettled([
      t.services.onboardings.decide(o.id, { decision: 'approve' }, person('a.dsi@example.org')),
      t.services.onboardings.decide(o.id, { decision: 'reject' }, person('b.dsi@example.org')),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(DomainError);
    const stored = (await t.ports.store.get(o.id))!.value;
    const winner = (won[0] as PromiseFulfilledResult<Onboarding>).value;
    expect(stored.decision).toEqual(winner.decision);
    expect(
      stored.history.filter((h) => h.type === 'onboarding.approved' || h.type === 'onboarding.rejected'),
    ).toHaveLength(1);
  });

  it('when writers race on one document, then the 412 path re-reads and every change lands once', async () => {
    const writer = createOnboardingWriter({
      store: t.ports.store,
      bus: t.ports.bus,
      clock: t.ports.clock,
      requestAllocation: () => Promise.resolve(),
    });
    const o = buildOnboarding();
    await t.ports.store.create(o);
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        writer.apply(o.id, () => ({
          type: 'start-date-changed',
          eventId: `race-${i}`,
          at,
          startDate: `2027-01-0${i + 1}`,
        })),
      ),
    );
    const stored = (await t.ports.store.get(o.id))!.value;
    expect(stored.eventIds.filter((e) => e.startsWith('race-')).sort()).toEqual([
      'race-0',
      'race-1',
      'race-2',
      'race-3',
      'race-4',
      'race-5',
    ]);
    expect(stored.history.filter((h) => h.type === 'start-date.changed')).toHaveLength(6);
  });
});

describe('querying onboardings', () => {
  let mine: Onboarding[];
  beforeAll(async () => {
    mine = [];
    for (let i = 0; i < 13; i++) {
      let o = buildOnboarding({
        employee: {
          department: 'Service des archives',
          priority: i % 3 === 0 ? 'continuity' : 'standard',
          startDate: `2027-02-${String(i + 1).padStart(2, '0')}`,
        },
      });
      if (i % 2 === 0)
        o = decide(o, {
          type: 'decided',
          at,
          by: person(i % 4 === 0 ? 'Chef.A@example.org' : 'chef.b@example.org'),
          decision: 'approve',
        }).state;
      await t.ports.store.create(o);
      mine.push(o);
    }
  });

  async function all(filter: Parameters<TestServices['ports']['store']['query']>[0], limit: number): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await t.ports.store.query(filter, limit, token);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      ids.push(...page.items.map((o) => o.id));
      token = page.continuationToken ?? undefined;
    } while (token);
    return ids;
  }

  it('when following continuation tokens, then every match comes exactly once', async () => {
    const ids = await all({ department: 'Service des archives' }, 4);
    expect(ids.sort()).toEqual(mine.map((o) => o.id).sort());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when filters are combined, then they apply with AND (status, priority, dates, decidedBy case-insensitively)', async () => {
    const expected = mine
      .filter((o) => o.status === 'provisioning' && o.startDate >= '2027-02-03' && o.startDate <= '2027-02-11')
      .filter((o) => o.decision?.by.toLowerCase() === 'chef.a@example.org')
      .map((o) => o.id);
    const ids = await all(
      {
        department: 'Service des archives',
        status: 'provisioning',
        startDateFrom: '2027-02-03',
        startDateTo: '2027-02-11',
        decidedBy: 'CHEF.A@example.org',
      },
      2,
    );
    expect(ids.sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(0);
    const continuity = await all({ department: 'Service des archives', priority: 'continuity' }, 50);
    expect(continuity.sort()).toEqual(
      mine
        .filter((o) => o.priority === 'continuity')
        .map((o) => o.id)
        .sort(),
    );
  });

  it('when a continuation token was not made by the API, then it is refused', async () => {
    await expect(t.ports.store.query({}, 5, 'bm90LWEtdG9rZW4')).rejects.toBeInstanceOf(InvalidContinuationToken);
  });
});

describe('the stuck-step search', () => {
  it('when many onboardings are stuck in one way, then the others still come in the same pass (taken in turns)', async () => {
    const long = (o: Onboarding, day: number): Onboarding => ({ ...o, updatedAt: `2001-01-0${day}T00:00:00.000Z` });
    const provisioning = [1, 2, 3].map((day) => long(approvedOnboarding(), day));
    const cancelled = long(
      {
        ...withSteps(approvedOnboarding(), { vpn: 'done', officeLicense: 'skipped', laptop: 'skipped' }),
        status: 'cancelled',
      },
      4,
    );
    for (const o of [...provisioning, cancelled]) await t.ports.store.create(o);
    const found = await t.ports.store.withStuckSteps('2001-02-01T00:00:00.000Z', 2, at);
    expect(found.map((v) => v.value.status).sort()).toEqual(['cancelled', 'provisioning']);
  });
});

describe('one bad document never takes the service down', () => {
  it('when a stored onboarding fails its schema, then lists, the sweeper and the other onboardings go on; reading it is a clear 500; it is set aside with its reason', async () => {
    // Both hold a command not yet known to be sent, from long ago: the outbox sweep's query meets both.
    const withOutbox = (o: Onboarding): Onboarding => ({
      ...o,
      updatedAt: '2001-01-01T00:00:00.000Z',
      outbox: [{ type: 'run-step', onboardingId: o.id, employeeId: o.employeeId, step: 'vpn', attempt: 1 }],
    });
    const good = withOutbox(approvedOnboarding());
    await t.ports.store.create(good);
    // Written behind the service's back (an old version, a hand edit): an empty actor.
    const bad = withOutbox(approvedOnboarding());
    bad.history = [{ ...bad.history[0]!, actor: '' }];
    await t.cosmos.database.container('onboardings').items.create(bad);

    const listed = await t.ports.store.query({}, 200);
    expect(listed.items.map((o) => o.id)).toContain(good.id);
    expect(listed.items.map((o) => o.id)).not.toContain(bad.id);
    const swept = await t.ports.store.withPendingOutbox(new Date(Date.now() + 60_000).toISOString(), 100);
    expect(swept.map((v) => v.value.id)).toContain(good.id);
    expect(swept.map((v) => v.value.id)).not.toContain(bad.id);
    const fns = functionsOver(t.services);
    const chef = await t.token('chef@example.org', [Roles.onboardingApprove]);
    expect((await callHttp(fns.http('onboardings-get'), { token: chef, params: { id: good.id } })).status).toBe(200);
    const unreadable = await callHttp(fns.http('onboardings-get'), { token: chef, params: { id: bad.id } });
    expect(unreadable.status).toBe(500);
    expect(unreadable.json).toMatchObject({
      code: 'UNREADABLE_DOCUMENT',
      detail: expect.stringContaining(bad.id) as unknown,
    });
    expect((await callHttp(fns.http('onboardings-list'), { token: chef })).status).toBe(200);
    const setAside = await eventually(
      () => t.services.operations.rejectedMessages.list({ queue: 'store:onboardings' }),
      (l) => l.some((r) => r.messageId.startsWith(`${bad.id}@`)),
    );
    expect(setAside.find((r) => r.messageId.startsWith(`${bad.id}@`))).toMatchObject({
      reason: 'UnreadableDocument',
      description: expect.stringContaining('history.0.actor') as unknown,
    });
  });
});

describe('the list, newest first, served from the indexes', () => {
  const departments = ['Lycées NF-A', 'Lycées NF-B'];
  beforeAll(async () => {
    for (let i = 0; i < 24; i++) {
      // Some share a creation time: the id breaks the tie (newest first, then the greater id).
      const createdAt = `2026-10-${String(1 + Math.floor(i / 2)).padStart(2, '0')}T08:00:00.000Z`;
      let o = buildOnboarding(
        {
          employee: {
            department: departments[i % 2],
            priority: i % 3 === 0 ? 'continuity' : 'standard',
            startDate: `2027-03-${String((i % 9) + 1).padStart(2, '0')}`,
          },
        },
        createdAt,
      );
      if (i % 4 !== 3)
        o = decide(o, {
          type: 'decided',
          at: createdAt,
          by: approverOf(i),
          decision: i % 5 === 0 ? 'reject' : 'approve',
        }).state;
      await t.ports.store.create(o);
    }
  });
  const approverOf = (i: number) => person(i % 2 ? 'Chef.A@example.org' : 'chef.b@example.org');

  /** Every onboarding stored, straight from the container: the oracle the filtered lists are checked against. */
  async function everything(): Promise<Onboarding[]> {
    const { resources } = await t.cosmos.database
      .container(CONTAINERS.onboardings.id)
      .items.query<Onboarding>("SELECT * FROM c WHERE c.docType = 'onboarding'")
      .fetchAll();
    // Less those set aside by the test above (they fail their schema: lists skip them).
    return resources.filter((o) => onboardingDocumentSchema.safeParse(o).success);
  }

  async function pages(filter: Parameters<TestServices['ports']['store']['query']>[0], limit: number) {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await t.ports.store.query(filter, limit, token);
      ids.push(...page.items.map((o) => o.id));
      token = page.continuationToken ?? undefined;
    } while (token);
    return ids;
  }

  const newestFirst = (a: Onboarding, b: Onboarding) =>
    a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

  it('when every combination of filters is listed page by page, then each returns exactly its matches, newest first', async () => {
    const all = await everything();
    const options = {
      status: ['provisioning', 'rejected', 'awaiting-approval'] as const,
      priority: ['continuity', 'standard'] as const,
      department: departments,
    };
    let combinations = 0;
    for (const status of [undefined, ...options.status])
      for (const priority of [undefined, ...options.priority])
        for (const department of [undefined, ...options.department])
          for (const dates of [{}, { startDateFrom: '2027-03-03', startDateTo: '2027-03-06' }] as {
            startDateFrom?: string;
            startDateTo?: string;
          }[])
            for (const decidedBy of [undefined, 'CHEF.A@example.org']) {
              const filter = {
                ...(status ? { status } : {}),
                ...(priority ? { priority } : {}),
                ...(department ? { department } : {}),
                ...dates,
                ...(decidedBy ? { decidedBy } : {}),
              };
              const expected = all
                .filter((o) => !status || o.status === status)
                .filter((o) => !priority || o.priority === priority)
                .filter((o) => !department || o.department === department)
                .filter(
                  (o) =>
                    !dates.startDateFrom ||
                    (o.startDate >= dates.startDateFrom && o.startDate <= (dates.startDateTo ?? '')),
                )
                .filter((o) => !decidedBy || o.decision?.by.toLowerCase() === decidedBy.toLowerCase())
                .sort(newestFirst)
                .map((o) => o.id);
              expect({ filter, ids: await pages(filter, 3) }).toEqual({ filter, ids: expected });
              combinations += 1;
            }
    expect(combinations).toBe(4 * 3 * 3 * 2 * 2);
  }, 120_000);

  it('when onboardings arrive while a client pages through, then each match that was there comes exactly once', async () => {
    const before = (await everything()).filter((o) => o.department === departments[0]).sort(newestFirst);
    const seen: string[] = [];
    let token: string | undefined;
    let arrivals = 0;
    do {
      const page = await t.ports.store.query({ department: departments[0] }, 2, token);
      seen.push(...page.items.map((o) => o.id));
      token = page.continuationToken ?? undefined;
      // New onboardings land between pages, newer than all, and one as old as the page just read.
      await t.ports.store.create(
        buildOnboarding({ employee: { department: departments[0] } }, new Date().toISOString()),
      );
      arrivals += 1;
    } while (token);
    expect(arrivals).toBeGreaterThan(3);
    expect(seen).toEqual(before.map((o) => o.id));
  });

  it('when a query orders by properties without their composite index, then the endpoint refuses it as Cosmos DB does', async () => {
    const container = t.cosmos.database.container(CONTAINERS.onboardings.id);
    await expect(
      container.items.query('SELECT * FROM c ORDER BY c.department, c.startDate DESC').fetchAll(),
    ).rejects.toMatchObject({ code: 400, message: expect.stringContaining('composite index') as unknown });
    // The list's order has its index: served.
    await container.items.query('SELECT * FROM c ORDER BY c.createdAt DESC, c.id DESC').fetchAll();
    // One property outside the laptops' included paths: no range index.
    await expect(
      t.cosmos.database.container(CONTAINERS.laptops.id).items.query('SELECT * FROM c ORDER BY c.model').fetchAll(),
    ).rejects.toMatchObject({ code: 400, message: expect.stringContaining('range index') as unknown });
  });
});
