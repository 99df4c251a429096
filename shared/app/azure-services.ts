import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { loadConfig, ConfigError, type Config } from '../config';
import { createJwtValidator } from '../adapters/auth/jwt-validator';
import { CosmosOnboardingStore } from '../adapters/cosmos/cosmos-onboarding-store';
import { createCosmosClient } from '../adapters/cosmos/cosmos-setup';
import { ServiceBusMessageBus } from '../adapters/servicebus/service-bus-message-bus';
import { InProcessTenant } from '../adapters/provisioning/in-process-provisioners';
import { systemClock } from '../ports/clock';
import { createServices, type Services } from './services';

function credentialFor(config: Config): TokenCredential {
  return config.AZURE_CLIENT_ID
    ? new ManagedIdentityCredential({ clientId: config.AZURE_CLIENT_ID })
    : new DefaultAzureCredential();
}

/** The composition root in Azure: managed identity for Cosmos DB and Service Bus, Entra ID tokens. */
export function createAzureServices(env: NodeJS.ProcessEnv = process.env): Services {
  const config = loadConfig(env);
  const namespace = config.ServiceBusConnection__fullyQualifiedNamespace;
  if (!namespace) throw new ConfigError('Invalid or missing settings: ServiceBusConnection__fullyQualifiedNamespace');
  const credential = credentialFor(config);
  const cosmos = createCosmosClient({
    endpoint: config.CosmosDb__accountEndpoint,
    databaseName: config.CosmosDb__databaseName,
    credential,
  });
  return createServices({
    config,
    clock: systemClock,
    store: new CosmosOnboardingStore(cosmos.database(config.CosmosDb__databaseName)),
    bus: ServiceBusMessageBus.withCredential(namespace, credential),
    // Until the Microsoft Graph connectors land, provisioning runs against the in-process tenant.
    provisioners: new InProcessTenant({
      laptopStock: 10,
      licenseSeats: 1000,
      recheckSeconds: config.Provisioning__waitingRecheckSeconds,
    }).provisioners(),
    tokenValidator: createJwtValidator({
      issuer: config.Auth__issuer,
      audience: config.Auth__audience,
      jwksUri: config.Auth__jwksUri,
    }),
  });
}
