import { createHttpsServer } from '@vercel/cosmosdb-server';
import type { CosmosClient, Database } from '@azure/cosmos';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:https';
import { createCosmosClient, ensureDatabase } from '../shared/adapters/cosmos/cosmos-setup';
import { ALL_CONTAINERS } from '../shared/adapters/cosmos/containers';

/** Documents per container, as saved under .local/ between runs. */
export type CosmosSnapshot = Record<string, Record<string, unknown>[]>;

/**
 * A Cosmos DB NoSQL endpoint on loopback (@vercel/cosmosdb-server) that the real @azure/cosmos client
 * talks to over HTTPS. Its certificate is self-signed: only this endpoint's agent trusts it.
 */
export class EmbeddedCosmos {
  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    readonly agent: Agent,
    readonly client: CosmosClient,
    readonly database: Database,
  ) {}

  static readonly KEY = 'embedded-cosmos-accepts-any-key';

  static async start(databaseName: string): Promise<EmbeddedCosmos> {
    const server = createHttpsServer({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const agent = new Agent({ rejectUnauthorized: false, keepAlive: true });
    const client = createCosmosClient({ endpoint, databaseName, key: EmbeddedCosmos.KEY, agent });
    const database = await ensureDatabase(client, databaseName);
    return new EmbeddedCosmos(server, endpoint, agent, client, database);
  }

  async load(snapshot: CosmosSnapshot): Promise<void> {
    for (const def of ALL_CONTAINERS) {
      const container = this.database.container(def.id);
      for (const doc of snapshot[def.id] ?? []) await container.items.upsert(doc);
    }
  }

  async snapshot(): Promise<CosmosSnapshot> {
    const out: CosmosSnapshot = {};
    for (const def of ALL_CONTAINERS) {
      const { resources } = await this.database
        .container(def.id)
        .items.query<Record<string, unknown>>('SELECT * FROM c')
        .fetchAll();
      // System properties (_rid, _etag, _ts...) are the server's: it sets them anew on load.
      out[def.id] = resources.map((doc) => Object.fromEntries(Object.entries(doc).filter(([k]) => !k.startsWith('_'))));
    }
    return out;
  }

  async stop(): Promise<void> {
    this.client.dispose();
    this.agent.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
