import { DefaultAzureCredential } from '@azure/identity';
import { ServiceBusClient } from '@azure/service-bus';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ServiceBusMessageBus } from '../shared/adapters/servicebus/service-bus-message-bus';
import { QUEUES } from '../shared/app/queues';
import { hrEventSchema } from '../shared/schemas/hr-events';
import { describeFieldErrors, toFieldErrors } from '../shared/schemas/validation';
import { newTraceparent } from '../shared/telemetry/telemetry';
import { equipmentRequests, IMPORT_PART_ROWS, importFile } from './hr-import';

/** Who imports the CODIR's list locally when --user is not given. */
const DEFAULT_IMPORTER = 'dsi@example.org';

const USAGE = `usage: npm run hr -- send <file.json> [--namespace <ns>.servicebus.windows.net | --connection-string <cs>]
       npm run hr -- import <file.csv> [--dry-run] [--url <service url>] [--token <bearer token>]
       npm run hr -- import-equipment <file.csv> [--dry-run] [--url <service url>] [--token <bearer token>] [--user <upn>]

send: sends the HR events of <file.json> (one event, or an array of them) to the hr-events queue, as an HR
system does: messageId = eventId, signed in with DefaultAzureCredential (az login, or a managed identity;
the principal needs Azure Service Bus Data Sender on hr-events). The namespace defaults to
SERVICE_BUS_NAMESPACE (an output of infra/main.bicep). Every event is validated before anything is sent.

import: sends an HR file (CSV, as in the contract) to POST /api/hr-events/import of the service at --url
(default HR_API_URL, else the local host at http://127.0.0.1:$PORT, 7071). The whole file is checked first
(a dry run): any invalid row and nothing is imported, every error is listed. Then it is sent in parts of
${IMPORT_PART_ROWS} rows, with a progress bar (the same file again imports nothing new). The token: --token,
else HR_API_TOKEN, else one the local host's development issuer signs (HrEvents.Send).

import-equipment: sends the CODIR's list of agents in post to equip (CSV, as in the contract: upn or
matricule, priorité, date souhaitée, besoins, remplace) to POST /api/equipment-requests/import, checked then
sent in parts as import does. A person imports it (Onboarding.Approve): --token, else HR_API_TOKEN, else a
token of the local development issuer for --user (default ${DEFAULT_IMPORTER}), whom the history names as the
one who asked.`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      namespace: { type: 'string' },
      'connection-string': { type: 'string' },
      'dry-run': { type: 'boolean' },
      url: { type: 'string' },
      token: { type: 'string' },
      user: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const [command, file] = positionals;
  if (values.help || !['send', 'import', 'import-equipment'].includes(command ?? '') || !file) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  if (command === 'import' || command === 'import-equipment') {
    process.exitCode = await importFile(file, {
      dryRun: values['dry-run'] ?? false,
      ...(command === 'import-equipment' ? { kind: equipmentRequests(values.user ?? DEFAULT_IMPORTER) } : {}),
      ...(values.url !== undefined ? { url: values.url } : {}),
      ...(values.token !== undefined ? { token: values.token } : {}),
    });
    return;
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
