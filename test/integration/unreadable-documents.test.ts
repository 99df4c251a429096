import { CONTAINERS } from '../../shared/adapters/cosmos/containers';
import { CosmosBudgetStore } from '../../shared/adapters/cosmos/cosmos-budget-store';
import { DOCUMENTED_BUDGET, GraphBudget } from '../../shared/adapters/graph/graph-budget';
import { Roles } from '../../shared/domain/roles';
import { DEFAULT_POOL } from '../../shared/schemas/laptops';
import { callHttp, functionsOver } from '../support/functions';
import { startTestServices, type TestServices } from '../support/test-services';

// One document written behind the service's back (a hand edit, another version) in any container is set
// aside with its reason and skipped: it never fails everyone's list, and reading it alone is a clear problem.
// (Onboardings: cosmos-onboarding-store.test.ts.)

let t: TestServices;
beforeAll(async () => {
  t = await startTestServices({ laptopStock: 2 });
});
afterAll(() => t.stop());

const container = (id: string) => t.cosmos.database.container(id);
const setAsideFrom = async (queue: string) =>
  (await t.services.operations.rejectedMessages.list({ queue: `store:${queue}` })).map((r) => ({
    messageId: r.messageId,
    reason: r.reason,
    description: r.description,
  }));

describe('an unreadable document in any container', () => {
  it('when a laptop document fails its schema, then the stock is listed without it, the pass and the forecast go on, its return is a clear 500, and it is set aside', async () => {
    // A status no version of the service writes.
    await container(CONTAINERS.laptops.id).items.create({
      id: 'BROKEN-1',
      docType: 'laptop',
      pool: DEFAULT_POOL,
      serialNumber: 'BROKEN-1',
      model: 'Latitude 5440',
      site: null,
      status: 'lost-in-transit',
      onboardingId: null,
      userPrincipalName: null,
      addedAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-01T00:00:00.000Z',
    });
    const fns = functionsOver(t.services);
    const stock = await t.token('stock@example.org', [Roles.inventoryManage]);
    const list = await callHttp(fns.http('laptops-list'), { token: stock });
    expect(list.status).toBe(200);
    const serials = (list.json.items as { serialNumber: string }[]).map((l) => l.serialNumber);
    expect(serials).toEqual(['LOCAL-0001', 'LOCAL-0002']);
    expect((await callHttp(fns.http('forecast'), { token: stock })).status).toBe(200);
    await expect(t.services.laptops.pass()).resolves.toEqual({ waiting: 0, reserved: 0 });

    const returned = await callHttp(fns.http('laptops-return'), {
      token: stock,
      params: { serialNumber: 'BROKEN-1' },
      body: JSON.stringify({ condition: 'ok' }),
    });
    expect(returned.status).toBe(500);
    expect(returned.headers.get('content-type')).toContain('application/problem+json');
    expect(returned.json).toMatchObject({
      code: 'UNREADABLE_DOCUMENT',
      detail: expect.stringContaining('BROKEN-1') as unknown,
    });
    expect(await setAsideFrom(CONTAINERS.laptops.id)).toEqual([
      expect.objectContaining({
        messageId: expect.stringMatching(/^BROKEN-1@/) as unknown,
        reason: 'UnreadableDocument',
        description: expect.stringContaining('status') as unknown,
      }),
    ]);
  });

  it('when an expected delivery fails its schema, then the others are still counted by the forecast, and it is set aside', async () => {
    await t.ports.laptops.addDelivery({ expectedOn: '2027-01-04', count: 5 });
    await container(CONTAINERS.laptops.id).items.create({
      id: 'delivery-broken',
      docType: 'delivery',
      pool: DEFAULT_POOL,
      expectedOn: 'next tuesday',
      count: -3,
    });
    const fns = functionsOver(t.services);
    const stock = await t.token('stock@example.org', [Roles.inventoryManage]);
    const forecast = await callHttp(fns.http('forecast'), { token: stock });
    expect(forecast.status).toBe(200);
    expect((forecast.json.laptops as { expected: unknown[] }).expected).toEqual([{ on: '2027-01-04', count: 5 }]);
    expect((await setAsideFrom(CONTAINERS.laptops.id)).map((r) => r.messageId)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^delivery-broken@/)]),
    );
  });

  it('when a rejected message fails its schema, then the others are still listed, and it is reported', async () => {
    await container(CONTAINERS.rejectedMessages.id).items.create({
      id: 'broken-rejected',
      docType: 'rejected-message',
      queue: 'hr-events',
      rejectedAt: '2026-11-30T08:00:00.000Z',
      resubmissions: [],
      // no messageId, reason, description, body or deliveryCount
    });
    const listed = await t.services.operations.rejectedMessages.list({});
    expect(listed.map((r) => r.id)).not.toContain('broken-rejected');
    expect((await setAsideFrom(CONTAINERS.rejectedMessages.id)).map((r) => r.messageId)).toEqual([
      expect.stringMatching(/^broken-rejected@/),
    ]);
  });
});

describe('an unreadable Graph budget', () => {
  it('when the shared budget document fails its schema, then calls still get their tokens, the document is replaced with a fresh state, and it is set aside', async () => {
    const coordination = container(CONTAINERS.coordination.id);
    await coordination.items.upsert({ id: 'graph-budget', state: { buckets: 'full' } });
    const reports: string[] = [];
    const store = new CosmosBudgetStore(t.cosmos.database, (err) => {
      reports.push(err.reason);
    });
    const budget = new GraphBudget(store, { limits: DOCUMENTED_BUDGET });
    await budget.acquire({ identityUnits: 1 }, 'standard');
    expect(reports).toEqual([expect.stringContaining('buckets')]);
    const replaced = await store.read();
    expect(replaced?.state?.buckets.identityUnits.tokens).toBeGreaterThan(0);
  });
});
