import definitions from '../../definitions/cosmos-containers.json';

/**
 * The Cosmos DB containers of the product. shared/definitions/cosmos-containers.json is the single source of truth:
 * the Bicep loads the same file (loadJsonContent), and the local host creates containers from it.
 */
export interface ContainerDefinition {
  id: string;
  partitionKeyPath: string;
  indexingPolicy: {
    indexingMode: string;
    automatic: boolean;
    includedPaths: { path: string }[];
    excludedPaths: { path: string }[];
    /** For ORDER BY on more than one property (Cosmos DB refuses such a query without one). */
    compositeIndexes?: { path: string; order: string }[][];
  };
}

export const DATABASE_NAME_DEFAULT: string = definitions.databaseName;

export const ALL_CONTAINERS: readonly ContainerDefinition[] = definitions.containers;

function container(id: string): ContainerDefinition {
  const def = ALL_CONTAINERS.find((c) => c.id === id);
  if (!def) throw new Error(`shared/definitions/cosmos-containers.json declares no container ${id}`);
  return def;
}

export const CONTAINERS = {
  /** One document per onboarding, with its history and outbox; partitioned per employee. */
  onboardings: container('onboardings'),
  /** The laptop stock: one document per laptop, in the pool's partition. */
  laptops: container('laptops'),
  /** Messages a queue function set aside (they can never succeed), with why; partitioned per queue. */
  rejectedMessages: container('rejected-messages'),
  /** What the instances of the service share to act as one: the Microsoft Graph budget; read by id only. */
  coordination: container('coordination'),
} as const;
