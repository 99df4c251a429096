import { InvocationContext } from '@azure/functions';
import type { TokenCredential } from '@azure/identity';
import { createCosmosClient, ensureDatabase } from '../../shared/adapters/cosmos/cosmos-setup';
import { createAzurePorts } from '../../shared/composition/azure-services';
import type { Ports } from '../../shared/app/services';
import { errorResponse } from '../../shared/http/http-handler';
import { TransientError } from '../../shared/ports/provisioners';
import { EmbeddedCosmos } from '../../local/embedded-cosmos';
import { buildOnboarding } from '../support/factories';
import { CosmosFront, isManagementOperation } from '../support/cosmos-front';

// The Azure composition root (shared/app/azure-services.ts) against a Cosmos DB endpoint as strict as Azure's:
// Microsoft Entra tokens only, data-plane RBAC (database, container and throughput operations refused), and 429s
// with x-ms-retry-after-ms when asked (test/support/cosmos-front.ts). Locally the embedded endpoint signs with the
// master key and never throttles; these tests hold the Azure path to what Azure does.

const DATABASE = 'onboarding';

/** What the managed identity would give: a token the front reads as Entra's (it checks its form, not its signature). */
const credential: TokenCredential = {
  getToken: () =>
    Promise.resolve({ token: 'eyJhbGciOiJub25lIn0.eyJvaWQiOiJtaSJ9.', expiresOnTimestamp: Date.now() + 3600_000 }),
};

/** The settings infra/main.bicep gives the Function App, with Cosmos DB's endpoint the front's. */
function settings(cosmosEndpoint: string): NodeJS.ProcessEnv {
  return {
    CosmosDb__accountEndpoint: cosmosEndpoint,
    CosmosDb__databaseName: DATABASE,
    ServiceBusConnection__fullyQualifiedNamespace: 'sb-test.servicebus.windows.net',
    Auth__issuer: 'https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000a1/v2.0',
    Auth__audience: '00000000-0000-0000-0000-0000000000a2',
    Auth__jwksUri: 'https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000a1/discovery/v2.0/keys',
    Graph__vpnGroupId: '00000000-0000-0000-0000-0000000000a3',
    Graph__licenseSkuId: '6fd2c87f-b296-42f0-b197-1e91e994b900',
  };
}

let cosmos: EmbeddedCosmos;
beforeAll(async () => {
  // The database and containers exist, as the Bicep creates them before the app runs.
  cosmos = await EmbeddedCosmos.start(DATABASE);
});
afterAll(() => cosmos.stop());

describe('the Azure path under data-plane RBAC (local auth disabled)', () => {
  let front: CosmosFront;
  let services: Ports;
  beforeAll(async () => {
    front = await CosmosFront.start(cosmos, { auth: 'data-plane-rbac' });
    services = createAzurePorts(settings(front.endpoint), { credential, cosmosAgent: front.agent });
  });
  afterAll(() => front.stop());

  it('when the composition root reads and writes onboardings, laptops, deliveries and set-aside messages, then every request is a data-plane one (no database, container or throughput operation)', async () => {
    const o = buildOnboarding({ employee: { employeeId: 'RBAC1' } });
    const created = await services.store.create(o);
    await services.store.replace({ ...created.value, priority: 'continuity' }, created.etag);
    expect((await services.store.get(o.id))?.value.priority).toBe('continuity');
    expect(await services.store.listForEmployee('RBAC1')).toHaveLength(1);
    expect((await services.store.query({ employeeId: 'RBAC1' }, 10)).items).toHaveLength(1);
    await services.laptops.add([{ serialNumber: 'RBAC-1', model: 'Latitude' }]);
    expect(await services.laptops.count('available')).toBeGreaterThanOrEqual(1);
    const delivery = await services.laptops.addDelivery({ expectedOn: '2026-12-20', count: 5 });
    expect(await services.laptops.removeDelivery(delivery.id)).toBe(true);
    await services.rejected.record({
      id: 'hr-events-rbac-1',
      docType: 'rejected-message',
      rejectedAt: new Date().toISOString(),
      resubmissions: [],
      queue: 'hr-events',
      messageId: 'rbac-1',
      reason: 'InvalidHrEvent',
      description: 'test',
      body: {},
      deliveryCount: 1,
    });
    expect(await services.rejected.list({ queue: 'hr-events', limit: 10 })).toHaveLength(1);

    expect(front.requests.length).toBeGreaterThan(10);
    expect(front.requests.filter((r) => r.status === 401 || r.status === 403)).toEqual([]);
    expect(front.requests.filter((r) => isManagementOperation(r.method, r.path))).toEqual([]);
  });

  it('when a container the code uses is not deployed, then the Azure path fails its requests and never tries to create it', async () => {
    const bare = await EmbeddedCosmos.start('bare');
    await bare.database.container('laptops').delete();
    const bareFront = await CosmosFront.start(bare, { auth: 'data-plane-rbac' });
    try {
      const onBare = createAzurePorts(
        { ...settings(bareFront.endpoint), CosmosDb__databaseName: 'bare' },
        { credential, cosmosAgent: bareFront.agent },
      );
      await expect(onBare.laptops.count('available')).rejects.toMatchObject({ code: 404 });
      expect(bareFront.requests.filter((r) => isManagementOperation(r.method, r.path))).toEqual([]);
    } finally {
      await bareFront.stop();
      await bare.stop();
    }
  });

  it('when the database or a container would be created (createIfNotExists), then data-plane RBAC refuses it 403: the front is as strict as Azure', async () => {
    const client = createCosmosClient({
      endpoint: front.endpoint,
      databaseName: 'missing',
      credential,
      agent: front.agent,
    });
    await expect(ensureDatabase(client, 'missing')).rejects.toMatchObject({ code: 403 });
    expect(front.refused.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /dbs']);
    client.dispose();
  });

  it('when a request is signed with the account key, then 401: local authentication is disabled', async () => {
    const client = createCosmosClient({
      endpoint: front.endpoint,
      databaseName: DATABASE,
      key: cosmos.key,
      agent: front.agent,
    });
    await expect(client.database(DATABASE).container('onboardings').item('x', 'x').read()).rejects.toMatchObject({
      code: 401,
    });
    client.dispose();
  });
});

describe('the Azure path without its Cosmos DB data role', () => {
  it("when the identity has no data role assignment, then the composition root's readiness check of Cosmos DB fails (403), so GET /api/health/ready answers 503", async () => {
    const front = await CosmosFront.start(cosmos, { auth: 'data-plane-rbac', dataRole: false });
    try {
      const services = createAzurePorts(settings(front.endpoint), { credential, cosmosAgent: front.agent });
      const check = services.readiness.find((c) => c.name === 'cosmos');
      await expect(check?.check(AbortSignal.timeout(5000))).rejects.toMatchObject({ code: 403 });
      const withRole = await CosmosFront.start(cosmos, { auth: 'data-plane-rbac' });
      try {
        const granted = createAzurePorts(settings(withRole.endpoint), { credential, cosmosAgent: withRole.agent });
        await expect(
          granted.readiness.find((c) => c.name === 'cosmos')?.check(AbortSignal.timeout(5000)),
        ).resolves.toBeUndefined();
      } finally {
        await withRole.stop();
      }
    } finally {
      await front.stop();
    }
  });
});

describe('the Azure path when Cosmos DB throttles (429)', () => {
  const WAIT_MS = 300;

  it('when Cosmos DB answers 429 with x-ms-retry-after-ms, then the SDK waits that long and tries again, and the read succeeds', async () => {
    const o = buildOnboarding({ employee: { employeeId: 'THROT1' } });
    const docPath = `/dbs/${DATABASE}/colls/onboardings/docs/${o.id}`;
    let refusals = 2;
    const front = await CosmosFront.start(cosmos, {
      auth: 'data-plane-rbac',
      throttle: ({ method, path }) => (method === 'GET' && path === docPath && refusals-- > 0 ? WAIT_MS : null),
    });
    try {
      const services = createAzurePorts(settings(front.endpoint), { credential, cosmosAgent: front.agent });
      await services.store.create(o);
      const started = Date.now();
      expect((await services.store.get(o.id))?.value.id).toBe(o.id);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2 * WAIT_MS - 20);
      expect(front.requests.filter((r) => r.path === docPath).map((r) => r.status)).toEqual([429, 429, 200]);
    } finally {
      await front.stop();
    }
  });

  it("when it still throttles once the retries are spent, then the store throws a TransientError with Cosmos DB's wait, and the API answers 503 with Retry-After (not 500)", async () => {
    const front = await CosmosFront.start(cosmos, {
      auth: 'data-plane-rbac',
      throttle: ({ path }) => (path.includes('/docs') ? 1500 : null),
    });
    try {
      const services = createAzurePorts(settings(front.endpoint), {
        credential,
        cosmosAgent: front.agent,
        cosmosThrottleRetry: { maxRetryAttemptCount: 1, maxWaitTimeInSeconds: 5 },
      });
      const err = await services.store.get('THROT2.1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientError);
      expect(err).toMatchObject({ retryAfterSeconds: 2 });
      const response = errorResponse(
        err,
        new InvocationContext({ invocationId: 't', functionName: 'onboardings-get' }),
      );
      expect(response.status).toBe(503);
      expect(response.headers).toMatchObject({ 'retry-after': '2' });
      expect(front.requests.filter((r) => r.status === 429).length).toBe(2);
    } finally {
      await front.stop();
    }
  });
});
