import { CosmosClient, type Database, type IndexingPolicy, type RetryOptions } from '@azure/cosmos';
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
  /** Only for an endpoint on loopback (the embedded one, or a test's stand-in), whose certificate is self-signed. */
  agent?: Agent;
  /** How the SDK retries throttled (429) requests; default THROTTLE_RETRY. Tests shorten it. */
  throttleRetry?: RetryOptions;
}

/**
 * The SDK's own handling of 429: it waits what `x-ms-retry-after-ms` says and tries again, up to 9 times within 30 s
 * (its defaults, as Microsoft's troubleshooting guide describes them: "They retry typically up to nine times",
 * https://learn.microsoft.com/azure/cosmos-db/nosql/troubleshoot-request-rate-too-large). Past that the adapters
 * throw a TransientError (cosmos-errors.ts `transientWhenThrottled`).
 */
export const THROTTLE_RETRY: RetryOptions = { maxRetryAttemptCount: 9, maxWaitTimeInSeconds: 30 };

export function createCosmosClient(c: CosmosConnection): CosmosClient {
  return new CosmosClient({
    endpoint: c.endpoint,
    ...(c.credential ? { aadCredentials: c.credential } : { key: c.key ?? '' }),
    ...(c.agent ? { agent: c.agent } : {}),
    // The embedded endpoint (key auth) has one address: endpoint discovery would follow an https address it does not serve.
    connectionPolicy: {
      enableEndpointDiscovery: c.credential !== undefined,
      retryOptions: c.throttleRetry ?? THROTTLE_RETRY,
    },
  });
}

/**
 * Creates the database and containers when missing: the local host and tests only. In Azure, Bicep creates them,
 * and the app could not: with data-plane RBAC (local auth disabled) database and container operations are refused
 * ("cannot be authorized by AAD token in data plane"); test/integration/cosmos-data-plane.test.ts holds the Azure
 * composition root to that.
 */
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
