import { CosmosClient } from '@azure/cosmos';
import { DefaultAzureCredential } from '@azure/identity';
import { ServiceBusClient } from '@azure/service-bus';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CosmosRejectedMessages } from '../shared/adapters/cosmos/cosmos-rejected-messages';
import { DATABASE_NAME_DEFAULT } from '../shared/adapters/cosmos/containers';
import { ServiceBusDeadLetters } from '../shared/adapters/servicebus/service-bus-dead-letters';
import { ServiceBusMessageBus } from '../shared/adapters/servicebus/service-bus-message-bus';
import { createRejectedMessages } from '../shared/app/operations/rejected-messages';
import {
  createSetAsideMessages,
  setAsideEntrySchema,
  type SetAsideEntry,
} from '../shared/app/operations/set-aside-messages';
import { systemClock } from '../shared/ports/clock';
import { readAdminToken } from '../local/admin';
import { loadLocalSettings, localSettings } from '../local/local-settings';

const USAGE = `usage: npm run dlq -- list [--queue <q>] [--json]
       npm run dlq -- resubmit <id>...

Lists the messages set aside, with their reason: those a function rejected (recorded in Cosmos DB with
the reason, e.g. InvalidHrEvent, NoOnboardingForEmployee) and those Service Bus dead-lettered (e.g.
MaxDeliveryCountExceeded). \`resubmit\` sends each again to its queue, under a new messageId.

Against Azure when SERVICE_BUS_NAMESPACE and COSMOS_ENDPOINT are set (outputs of infra/main.bicep), or
with --namespace and --cosmos: signed in with DefaultAzureCredential (az login); the principal needs Azure
Service Bus Data Receiver and Sender on the queues and Cosmos DB Built-in Data Contributor.
Otherwise against the local host (--url, default http://127.0.0.1:7071) with the admin token of its state
folder (LOCAL_STATE_DIR).`;

/** What `npm run dlq` works on: the local host's admin endpoints, or Azure directly. */
export interface SetAsideSource {
  list(queue?: string): Promise<SetAsideEntry[]>;
  resubmit(id: string): Promise<string | null>;
  close(): Promise<void>;
}

/** Azure: Service Bus dead-letter sub-queues and the rejected messages in Cosmos DB. */
export function azureSource(serviceBus: ServiceBusClient, cosmos: CosmosClient, databaseName: string): SetAsideSource {
  const bus = new ServiceBusMessageBus(serviceBus);
  const setAside = createSetAsideMessages({
    rejected: createRejectedMessages({
      store: new CosmosRejectedMessages(cosmos.database(databaseName)),
      bus,
      clock: systemClock,
    }),
    deadLetters: new ServiceBusDeadLetters(serviceBus),
  });
  return {
    list: (queue) => setAside.list(queue ? { queue } : {}),
    resubmit: (id) => setAside.resubmit(id),
    async close() {
      await bus.close();
      cosmos.dispose();
    },
  };
}

/** The local host, through its admin endpoints. */
export function localSource(url: string, adminToken: string): SetAsideSource {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${url}/.local/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`the local host answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
  return {
    async list(queue) {
      const page = z
        .object({ items: z.array(setAsideEntrySchema) })
        .parse(await call('GET', `set-aside${queue ? `?queue=${encodeURIComponent(queue)}` : ''}`));
      return page.items;
    },
    async resubmit(id) {
      const answer = z
        .object({ results: z.array(z.object({ id: z.string(), messageId: z.string().nullable() })) })
        .parse(await call('POST', 'set-aside/resubmit', { ids: [id] }));
      return answer.results[0]?.messageId ?? null;
    },
    close: () => Promise.resolve(),
  };
}

/** Runs one command; answers the exit code. */
export async function runDlq(
  source: SetAsideSource,
  command: string | undefined,
  args: { ids: string[]; queue?: string; json?: boolean },
  out: (line: string) => void,
): Promise<number> {
  if (command === 'list') {
    const entries = await source.list(args.queue);
    if (args.json) out(JSON.stringify(entries, null, 2));
    else if (entries.length === 0) out('nothing set aside');
    else
      for (const e of entries)
        out(`${e.id}  ${e.messageId}  ${e.reason}: ${e.description}${e.at ? `  (${e.at})` : ''}`);
    return 0;
  }
  if (command === 'resubmit' && args.ids.length > 0) {
    let missing = 0;
    for (const id of args.ids) {
      const messageId = await source.resubmit(id);
      if (messageId) out(`resubmitted ${id} as ${messageId}`);
      else {
        missing += 1;
        out(`not found: ${id}`);
      }
    }
    return missing > 0 ? 1 : 0;
  }
  out(USAGE);
  return 2;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      queue: { type: 'string' },
      json: { type: 'boolean' },
      namespace: { type: 'string' },
      cosmos: { type: 'string' },
      database: { type: 'string' },
      url: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const [command, ...ids] = positionals;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const namespace = values.namespace ?? process.env.SERVICE_BUS_NAMESPACE;
  const cosmosEndpoint = values.cosmos ?? process.env.COSMOS_ENDPOINT;
  let source: SetAsideSource;
  if (namespace && cosmosEndpoint) {
    const credential = new DefaultAzureCredential();
    source = azureSource(
      new ServiceBusClient(namespace, credential),
      new CosmosClient({ endpoint: cosmosEndpoint, aadCredentials: credential }),
      values.database ?? DATABASE_NAME_DEFAULT,
    );
  } else {
    loadLocalSettings();
    const settings = localSettings();
    const url = values.url ?? `http://127.0.0.1:${settings.PORT}`;
    source = localSource(url, await readAdminToken(settings.LOCAL_STATE_DIR));
  }
  try {
    process.exitCode = await runDlq(
      source,
      command,
      { ids, ...(values.queue ? { queue: values.queue } : {}), json: values.json ?? false },
      (line) => console.log(line),
    );
  } finally {
    await source.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
