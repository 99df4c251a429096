import { DefaultAzureCredential } from '@azure/identity';
import { ServiceBusClient } from '@azure/service-bus';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ServiceBusMessageBus } from '../shared/adapters/servicebus/service-bus-message-bus';
import { QUEUES } from '../shared/app/queues';
import { hrEventSchema } from '../shared/schemas/hr-events';
import { describeFieldErrors, toFieldErrors } from '../shared/schemas/validation';
import { newTraceparent } from '../shared/telemetry/telemetry';

const USAGE = `usage: npm run hr -- send <file.json> [--namespace <ns>.servicebus.windows.net | --connection-string <cs>]

Sends the HR events of <file.json> (one event, or an array of them) to the hr-events queue, as an HR
system does: messageId = eventId, signed in with DefaultAzureCredential (az login, or a managed identity;
the principal needs Azure Service Bus Data Sender on hr-events). The namespace defaults to
SERVICE_BUS_NAMESPACE (an output of infra/main.bicep). Every event is validated before anything is sent.`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { namespace: { type: 'string' }, 'connection-string': { type: 'string' }, help: { type: 'boolean' } },
  });
  const [command, file] = positionals;
  if (values.help || command !== 'send' || !file) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const raw = JSON.parse(await readFile(file, 'utf8')) as unknown;
  const events = (Array.isArray(raw) ? raw : [raw]).map((e, i) => {
    const parsed = hrEventSchema.safeParse(e);
    if (!parsed.success) throw new Error(`event ${i}: ${describeFieldErrors(toFieldErrors(parsed.error))}`);
    return parsed.data;
  });
  const namespace = values.namespace ?? process.env.SERVICE_BUS_NAMESPACE;
  const connectionString = values['connection-string'];
  if (!connectionString && !namespace) throw new Error('no namespace: pass --namespace or set SERVICE_BUS_NAMESPACE');
  const client = connectionString
    ? new ServiceBusClient(connectionString)
    : new ServiceBusClient(namespace ?? '', new DefaultAzureCredential());
  const bus = new ServiceBusMessageBus(client);
  try {
    await bus.send(
      QUEUES.hrEvents,
      events.map((event) => ({
        messageId: event.eventId,
        body: event,
        subject: event.type,
        contentType: 'application/json',
        applicationProperties: { traceparent: newTraceparent() },
      })),
    );
  } finally {
    await bus.close();
  }
  for (const e of events) console.log(`sent ${e.type} ${e.eventId}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
