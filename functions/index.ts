// Telemetry first, so that the SDKs loaded next are instrumented.
import './telemetry-setup';
import { app } from '@azure/functions';
import { createAzureServices } from '../shared/app/azure-services';
import type { Services } from '../shared/app/services';
import { allFunctions } from './all-functions';
import { hostRoute, ncrontabEvery } from './definition';

// The Azure Functions entry point (package.json "main"): registers every definition with app.*.

// HTTP responses stream (the onboardings export is written a page at a time as the client reads it).
app.setup({ enableHttpStream: true });

let services: Promise<Services> | undefined;
const provider = () => (services ??= Promise.resolve().then(() => createAzureServices()));

for (const def of allFunctions(provider)) {
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
