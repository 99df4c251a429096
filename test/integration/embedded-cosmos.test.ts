import { Agent } from 'node:https';
import { createCosmosClient } from '../../shared/adapters/cosmos/cosmos-setup';
import { EmbeddedCosmos, MAX_ITEM_BYTES, stringToSign } from '../../local/embedded-cosmos';

// The embedded endpoint refuses what Cosmos DB refuses:
// - an item over 2 MB, 413 (https://learn.microsoft.com/azure/cosmos-db/concepts-limits,
//   https://learn.microsoft.com/rest/api/cosmos-db/http-status-codes-for-cosmosdb);
// - a request not signed with the account key, 401
//   (https://learn.microsoft.com/rest/api/cosmos-db/access-control-on-cosmosdb-resources).

let cosmos: EmbeddedCosmos;
beforeAll(async () => {
  cosmos = await EmbeddedCosmos.start('limits');
});
afterAll(() => cosmos.stop());

const container = () => cosmos.database.container('rejected-messages');
const item = (id: string, bytes: number) => ({ id, queue: 'q', docType: 'test', padding: 'x'.repeat(bytes) });

describe('the embedded Cosmos DB endpoint, as strict as Cosmos DB', () => {
  it('when an item is over 2 MB, then it is refused with 413 and not stored; just under, it is stored', async () => {
    const err = await container()
      .items.create(item('big', MAX_ITEM_BYTES + 1))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 413 });
    expect((await container().item('big', 'q').read()).statusCode).toBe(404);
    const { statusCode } = await container().items.create(item('fits', MAX_ITEM_BYTES - 1024));
    expect(statusCode).toBe(201);
    const replaced = await container()
      .item('fits', 'q')
      .replace(item('fits', MAX_ITEM_BYTES + 10))
      .catch((e: unknown) => e);
    expect(replaced).toMatchObject({ code: 413 });
  });

  it('when a client signs with another key, or with none, then 401, and nothing is written', async () => {
    const agent = new Agent({ rejectUnauthorized: false });
    for (const key of [Buffer.alloc(64, 7).toString('base64'), '']) {
      const intruder = createCosmosClient({ endpoint: cosmos.endpoint, databaseName: 'limits', key, agent });
      const err = await intruder
        .database('limits')
        .container('rejected-messages')
        .items.upsert(item('forged', 10))
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 401 });
      intruder.dispose();
    }
    agent.destroy();
    expect((await container().item('forged', 'q').read()).statusCode).toBe(404);
  });

  it("when the signed text is built, then it follows Cosmos DB's rule: verb, resource type, resource link, date", () => {
    const date = 'Sun, 29 Nov 2026 10:00:00 GMT';
    expect(stringToSign('GET', '/dbs/onboarding/colls/onboardings/docs/E1.1', date)).toBe(
      'get\ndocs\ndbs/onboarding/colls/onboardings/docs/E1.1\nsun, 29 nov 2026 10:00:00 gmt\n\n',
    );
    expect(stringToSign('POST', '/dbs/onboarding/colls/onboardings/docs', date)).toBe(
      'post\ndocs\ndbs/onboarding/colls/onboardings\nsun, 29 nov 2026 10:00:00 gmt\n\n',
    );
    expect(stringToSign('GET', '/', date)).toBe('get\n\n\nsun, 29 nov 2026 10:00:00 gmt\n\n');
  });
});
