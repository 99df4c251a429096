// Telemetry first, so that the SDKs loaded next are instrumented.
import './telemetry-setup';
import { app, type InvocationContext } from '@azure/functions';
import { createAzureServices } from '../shared/app/azure-services';
import type { Services } from '../shared/app/services';
import { allFunctions } from './all-functions';
import { DeadLetterError, ncrontabEvery, type QueueFunctionDefinition } from './definition';

// The Azure Functions entry point (package.json "main"): registers every definition with app.*.

let services: Promise<Services> | undefined;
const provider = () => (services ??= Promise.resolve().then(() => createAzureServices()));

function queueHandler(def: QueueFunctionDefinition) {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    try {
      await def.handler(message, context);
    } catch (err) {
      if (err instanceof DeadLetterError) {
        // The Node worker cannot dead-letter explicitly without the preview SDK binding: the message is
        // abandoned and Service Bus dead-letters it after maxDeliveryCount; the reason is logged each time.
        context.error(`dead-letter: ${err.reason}: ${err.description}`);
      }
      throw err;
    }
  };
}

for (const def of allFunctions(provider)) {
  switch (def.kind) {
    case 'http':
      app.http(def.name, { methods: def.methods, route: def.route, authLevel: 'anonymous', handler: def.handler });
      break;
    case 'serviceBusQueue':
      app.serviceBusQueue(def.name, {
        connection: def.connection,
        queueName: def.queueName,
        handler: queueHandler(def),
      });
      break;
    case 'timer':
      app.timer(def.name, { schedule: ncrontabEvery(def.everyMinutes), handler: (_timer, ctx) => def.handler(ctx) });
      break;
  }
}
