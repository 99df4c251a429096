// Telemetry first, so that the SDKs loaded next are instrumented.
import './telemetry-setup';
import { app } from '@azure/functions';
import type { Services } from '../shared/app/services';
import { allFunctions } from './all-functions';
import { hostRoute, ncrontabEvery, type FunctionDefinition } from './definition';

// The Azure Functions entry point (package.json "main"): registers every definition with app.*.

// HTTP responses stream (the onboardings export is written a page at a time as the client reads it).
app.setup({ enableHttpStream: true });

let services: Promise<Services> | undefined;
// The composition root (the Cosmos DB, Service Bus, identity and Graph clients) is loaded at the first invocation,
// not when the worker loads this file: a cold start registers the functions without evaluating those SDKs
// (in the bundle of npm run package, a dynamic import is a module initialised on demand; decision 11).
const provider = () =>
  (services ??= import('../shared/composition/azure-services').then(({ createAzureServices }) =>
    createAzureServices(),
  ));

/** Every function as registered (exported for the deployment package's test, which calls handlers from the bundle). */
export const definitions: readonly FunctionDefinition[] = allFunctions(provider);

for (const def of definitions) {
  switch (def.kind) {
    case 'http':
      app.http(def.name, {
        methods: def.methods,
        route: hostRoute(def),
        authLevel: 'anonymous',
        handler: def.handler,
      });
      break;
    case 'serviceBusQueue':
      app.serviceBusQueue(def.name, {
        connection: def.connection,
        queueName: def.queueName,
        ...(def.isSessionsEnabled ? { isSessionsEnabled: true } : {}),
        handler: def.handler,
      });
      break;
    case 'timer':
      app.timer(def.name, { schedule: ncrontabEvery(def.everyMinutes), handler: (_timer, ctx) => def.handler(ctx) });
      break;
  }
}
