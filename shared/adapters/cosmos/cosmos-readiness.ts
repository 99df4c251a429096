import type { Database } from '@azure/cosmos';
import type { ReadinessCheck } from '../../ports/readiness';
import { CONTAINERS } from './containers';

/**
 * Cosmos DB answers a point read with the identity's data role (Cosmos DB Built-in Data Contributor): a document
 * that is not there is a 404, which the SDK answers without throwing; a missing role assignment is a 403, an
 * unreachable account a network error. Costs one request unit.
 */
export function cosmosReadiness(database: Database): ReadinessCheck {
  const container = database.container(CONTAINERS.coordination.id);
  return {
    name: 'cosmos',
    async check(signal) {
      await container.item('readiness', 'readiness').read({ abortSignal: signal });
    },
  };
}
