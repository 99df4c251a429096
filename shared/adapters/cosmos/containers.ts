/**
 * The Cosmos DB containers of the product: the single source of truth for their names, partition keys
 * and indexing. The store creates them when missing (local host), and the Bicep declares the same.
 */
export interface ContainerDefinition {
  id: string;
  partitionKeyPath: string;
  /** Composite indexes needed by ORDER BY on two fields. */
  compositeIndexes?: { path: string; order: 'ascending' | 'descending' }[][];
}

export const DATABASE_NAME_DEFAULT = 'onboarding';

export const CONTAINERS = {
  /** One document per onboarding, with its history and outbox; partitioned per employee. */
  onboardings: { id: 'onboardings', partitionKeyPath: '/employeeId' },
  /** The laptop pool: one document per pool, so one etag serializes allocation. */
  laptops: { id: 'laptops', partitionKeyPath: '/pool' },
} as const satisfies Record<string, ContainerDefinition>;

export const ALL_CONTAINERS: readonly ContainerDefinition[] = Object.values(CONTAINERS);
