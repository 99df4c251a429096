import { TransientError } from '../../ports/provisioners';

/** The HTTP status of a Cosmos SDK error, if it is one. */
export function cosmosStatus(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = err.code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** How long Cosmos DB asked to wait, in seconds (`x-ms-retry-after-ms` as the SDK reads it), if it said. */
function retryAfterSeconds(err: object): number | undefined {
  const ms = 'retryAfterInMs' in err && typeof err.retryAfterInMs === 'number' ? err.retryAfterInMs : undefined;
  return ms === undefined ? undefined : Math.max(1, Math.ceil(ms / 1000));
}

/**
 * A request Cosmos DB still throttled (429) once the SDK's own retries were spent (cosmos-setup.ts): a transient
 * fault, as the services treat throttling by Graph or Teams. HTTP answers it 503 with Retry-After, a step schedules
 * its retry, a message handler throws for Service Bus to redeliver; never a 500 "unexpected error". Cosmos DB answers
 * 429 "Request rate is large" when requests need more request units than the account gives that second
 * (https://learn.microsoft.com/azure/cosmos-db/nosql/troubleshoot-request-rate-too-large).
 */
export function throttledAsTransient(err: unknown): unknown {
  if (cosmosStatus(err) !== 429 || typeof err !== 'object' || err === null) return err;
  return new TransientError('Cosmos DB is throttling requests (429) past its retries', retryAfterSeconds(err));
}

/**
 * The adapter with every asynchronous method's throttling (429) turned into a TransientError (throttledAsTransient),
 * whichever call of the SDK met it. Both composition roots wrap their Cosmos DB adapters with it.
 */
export function transientWhenThrottled<T extends object>(adapter: T): T {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const result: unknown = Reflect.apply(value, target, args);
        return result instanceof Promise
          ? result.catch((err: unknown) => {
              throw throttledAsTransient(err);
            })
          : result;
      };
    },
  });
}
