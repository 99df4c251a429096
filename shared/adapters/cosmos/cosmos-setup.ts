import { CosmosClient, type Database, type IndexingPolicy } from '@azure/cosmos';
import type { TokenCredential } from '@azure/identity';
import type { Agent } from 'node:https';
import { ALL_CONTAINERS } from './containers';

export interface CosmosConnection {
  endpoint: string;
  databaseName: string;
  /** Managed identity in Azure (local auth is disabled there). */
  credential?: TokenCredential;
  /** Only for the embedded local endpoint. */
  key?: string;
  /** Only for the embedded local endpoint, whose certificate is self-signed. */
  agent?: Agent;
}

export function createCosmosClient(c: CosmosConnection): CosmosClient {
  return new CosmosClient({
    endpoint: c.endpoint,
    ...(c.credential ? { aadCredentials: c.credential } : { key: c.key ?? '' }),
    ...(c.agent ? { agent: c.agent } : {}),
    // The embedded endpoint (key auth) has one address: endpoint discovery would follow an https address it does not serve.
    connectionPolicy: { enableEndpointDiscovery: c.credential !== undefined },
  });
}

/** Creates the database and containers when missing (local host and tests; Bicep does it in Azure). */
export async function ensureDatabase(client: CosmosClient, databaseName: string): Promise<Database> {
  const { database } = await client.databases.createIfNotExists({ id: databaseName });
  for (const def of ALL_CONTAINERS) {
    await database.containers.createIfNotExists({
      id: def.id,
      partitionKey: { paths: [def.partitionKeyPath] },
      indexingPolicy: def.indexingPolicy as IndexingPolicy,
    });
  }
  return database;
}
