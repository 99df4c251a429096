import type { RetryOptions } from '@azure/cosmos';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { Agent } from 'node:https';
import { loadConfig, ConfigError, type Config } from '../config';
import { createJwtValidator } from '../adapters/auth/jwt-validator';
import { CosmosAccessoryStock } from '../adapters/cosmos/cosmos-accessory-stock';
import { CosmosLaptopPool } from '../adapters/cosmos/cosmos-laptop-pool';
import { CONTAINERS } from '../adapters/cosmos/containers';
import { CosmosRejectedMessages } from '../adapters/cosmos/cosmos-rejected-messages';
import { CosmosOnboardingStore } from '../adapters/cosmos/cosmos-onboarding-store';
import { createCosmosClient } from '../adapters/cosmos/cosmos-setup';
import { transientWhenThrottled } from '../adapters/cosmos/cosmos-errors';
import { CosmosBudgetStore } from '../adapters/cosmos/cosmos-budget-store';
import { CosmosDepartureGuard } from '../adapters/cosmos/cosmos-departure-guard';
import { GraphBudget } from '../adapters/graph/graph-budget';
import { GraphClient } from '../adapters/graph/graph-client';
import { GraphDirectory } from '../adapters/graph/graph-directory';
import { GraphAccessPasses } from '../adapters/graph/graph-access-passes';
import { GraphAutopilot } from '../adapters/graph/graph-autopilot';
import { graphConnectorsFrom } from '../adapters/graph/graph-connectors';
import { notifierFromSetting } from '../adapters/teams/teams-workflow-notifier';
import { ServiceBusMessageBus } from '../adapters/servicebus/service-bus-message-bus';
import { cosmosReadiness } from '../adapters/cosmos/cosmos-readiness';
import { graphReadiness } from '../adapters/graph/graph-readiness';
import { QUEUES } from '../app/queues';
import { systemClock } from '../ports/clock';
import { reportUnreadableDocuments } from '../app/operations/rejected-messages';
import { createServices, type Ports, type Services } from '../app/services';

function credentialFor(config: Config): TokenCredential {
  return config.AZURE_CLIENT_ID
    ? new ManagedIdentityCredential({ clientId: config.AZURE_CLIENT_ID })
    : new DefaultAzureCredential();
}

/** What tests of the Azure path put in place of Azure (the endpoints stay those of the settings). */
export interface AzureOverrides {
  /** In place of the managed identity. */
  credential?: TokenCredential;
  /** Trusts a Cosmos DB stand-in on loopback (its certificate is self-signed). */
  cosmosAgent?: Agent;
  cosmosThrottleRetry?: RetryOptions;
}

/** The composition root in Azure: the use cases over the adapters below. */
export function createAzureServices(env: NodeJS.ProcessEnv = process.env, overrides: AzureOverrides = {}): Services {
  return createServices(createAzurePorts(env, overrides));
}

/**
 * Every adapter in Azure, each named here: the managed identity for Cosmos DB (data plane only), Service Bus and
 * Microsoft Graph.
 */
export function createAzurePorts(env: NodeJS.ProcessEnv = process.env, overrides: AzureOverrides = {}): Ports {
  const config = loadConfig(env);
  const namespace = config.ServiceBusConnection__fullyQualifiedNamespace;
  if (!namespace) throw new ConfigError('Invalid or missing settings: ServiceBusConnection__fullyQualifiedNamespace');
  const credential = overrides.credential ?? credentialFor(config);
  const cosmos = createCosmosClient({
    endpoint: config.CosmosDb__accountEndpoint,
    databaseName: config.CosmosDb__databaseName,
    credential,
    ...(overrides.cosmosAgent ? { agent: overrides.cosmosAgent } : {}),
    ...(overrides.cosmosThrottleRetry ? { throttleRetry: overrides.cosmosThrottleRetry } : {}),
  });
  // Data-plane operations only: the database and containers are the Bicep's (no createIfNotExists here).
  const database = cosmos.database(config.CosmosDb__databaseName);
  // Each container's unreadable documents are set aside among the rejected messages (and skipped).
  const setAside = (container: string) =>
    reportUnreadableDocuments({ store: rejected, clock: systemClock, container, log: console.error });
  const rejected: CosmosRejectedMessages = transientWhenThrottled(
    new CosmosRejectedMessages(database, (err) => setAside(CONTAINERS.rejectedMessages.id)(err)),
  );
  const laptops = transientWhenThrottled(
    new CosmosLaptopPool(database, systemClock, { onUnreadable: setAside(CONTAINERS.laptops.id) }),
  );
  // One Graph budget for every worker of every instance (a document of the coordination container).
  const graph = new GraphClient({
    baseUrl: config.Graph__baseUrl,
    credential,
    budget: new GraphBudget(
      transientWhenThrottled(new CosmosBudgetStore(database, setAside(CONTAINERS.coordination.id))),
    ),
  });
  const bus = ServiceBusMessageBus.withCredential(namespace, credential);
  const { notifier, problem } = notifierFromSetting(config.Notifications__teamsWebhookUrl);
  if (problem) console.error(problem);
  return {
    config,
    clock: systemClock,
    store: transientWhenThrottled(new CosmosOnboardingStore(database, setAside(CONTAINERS.onboardings.id))),
    laptops,
    directory: new GraphDirectory(graph, { licenseSkuId: config.Graph__licenseSkuId }),
    rejected,
    bus,
    autopilot: new GraphAutopilot(graph),
    accessPasses: new GraphAccessPasses(graph),
    departureGuard: transientWhenThrottled(new CosmosDepartureGuard(database)),
    accessories: transientWhenThrottled(
      new CosmosAccessoryStock(database, systemClock, { onUnreadable: setAside(CONTAINERS.laptops.id) }),
    ),
    connectors: graphConnectorsFrom(graph, config),
    tokenValidator: createJwtValidator({
      issuer: config.Auth__issuer,
      audience: config.Auth__audience,
      jwksUri: config.Auth__jwksUri,
    }),
    notifier,
    // GET /api/health/ready: the roles this identity needs, checked as they are used.
    readiness: [
      cosmosReadiness(database),
      { name: 'serviceBus', check: (signal) => bus.probe(QUEUES.hrEvents, signal) },
      graphReadiness(credential),
    ],
  };
}
