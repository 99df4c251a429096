import { ClientSecretCredential } from '@azure/identity';
import { agentPolicy } from '@azure/core-rest-pipeline';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { createJwtValidator } from '../shared/adapters/auth/jwt-validator';
import { CosmosAccessoryStock } from '../shared/adapters/cosmos/cosmos-accessory-stock';
import { CosmosLaptopPool } from '../shared/adapters/cosmos/cosmos-laptop-pool';
import { CONTAINERS } from '../shared/adapters/cosmos/containers';
import { CosmosRejectedMessages } from '../shared/adapters/cosmos/cosmos-rejected-messages';
import { CosmosOnboardingStore } from '../shared/adapters/cosmos/cosmos-onboarding-store';
import { CosmosBudgetStore } from '../shared/adapters/cosmos/cosmos-budget-store';
import { CosmosDepartureGuard } from '../shared/adapters/cosmos/cosmos-departure-guard';
import { transientWhenThrottled } from '../shared/adapters/cosmos/cosmos-errors';
import { GraphBudget, type BudgetLimits } from '../shared/adapters/graph/graph-budget';
import { GraphClient } from '../shared/adapters/graph/graph-client';
import { notifierFromSetting } from '../shared/adapters/teams/teams-workflow-notifier';
import { GraphDirectory } from '../shared/adapters/graph/graph-directory';
import { GraphAccessPasses } from '../shared/adapters/graph/graph-access-passes';
import { GraphAutopilot } from '../shared/adapters/graph/graph-autopilot';
import { graphConnectorsFrom } from '../shared/adapters/graph/graph-connectors';
import { graphReadiness } from '../shared/adapters/graph/graph-readiness';
import { cosmosReadiness } from '../shared/adapters/cosmos/cosmos-readiness';
import { QUEUES } from '../shared/app/queues';
import { reportUnreadableDocuments } from '../shared/app/operations/rejected-messages';
import { createServices, type Ports, type Services } from '../shared/app/services';
import { loadConfig } from '../shared/config';
import type { Clock } from '../shared/ports/clock';
import type { MessageBus } from '../shared/ports/message-bus';
import type { Connectors } from '../shared/ports/provisioners';
import type { JWTVerifyGetKey } from 'jose';
import { EmbeddedCosmos, type CosmosJournal, type CosmosSnapshot } from './embedded-cosmos';
import {
  DEFAULT_SKU,
  DOCUMENTED_LIMITS,
  DOCUMENTED_TEAMS_LIMITS,
  regionLaptops,
  SimulatedTenant,
  type GraphLimits,
  TLS_CERT_FILE,
  type SimulatedTenantOptions,
  type SimulatedTenantState,
  type TenantJournal,
} from './simulated-tenant';

export interface LocalStackOptions {
  env: NodeJS.ProcessEnv;
  clock: Clock;
  bus: MessageBus;
  /** The JWKS endpoint of the development issuer (or keys given directly, in tests). */
  jwks: { uri: string } | { keys: JWTVerifyGetKey };
  issuer: string;
  audience: string;
  tenant?: SimulatedTenantOptions;
  /** Laptops put in stock at a first start (no saved state). */
  laptopStock: number;
  /** Seats of the licence in the simulated tenant. Default 1,000. */
  licenseSeats?: number;
  saved?: { cosmos: CosmosSnapshot; tenant: SimulatedTenantState } | null;
  /** Where the embedded stores write their changes down before they acknowledge them (the local host's journal). */
  journal?: { cosmos: CosmosJournal; tenant: TenantJournal };
  /** Tests only: wrap the real adapters (to inject crashes between any two awaits). */
  wrapPorts?: (ports: Ports) => Ports;
  /** Tests only: wrap the real connectors (to inject faults a tenant cannot produce). */
  wrapConnectors?: (real: Connectors) => Connectors;
}

export interface LocalStack {
  cosmos: EmbeddedCosmos;
  tenant: SimulatedTenant;
  /** The first instance of the function app. */
  services: Services;
  /** The adapters of the first instance (tests read the stores and the stock through them). */
  ports: Ports;
  /** The first instance's share of the Graph budget (none when the tenant does not throttle). */
  budget: GraphBudget | null;
  /** Another instance of the function app over the same stores, bus and tenant. */
  instance(): { services: Services; ports: Ports; budget: GraphBudget | null };
  stop(): Promise<void>;
}

/** The budget of the limits a simulated tenant enforces. */
function budgetLimitsOf(limits: GraphLimits): BudgetLimits {
  const teams = limits.teams ?? DOCUMENTED_TEAMS_LIMITS;
  return {
    identityUnits: { capacity: limits.identity.resourceUnits, windowMs: limits.identity.windowMs },
    identityWrites: { capacity: limits.identity.writes, windowMs: limits.identity.writeWindowMs },
    intuneRequests: { capacity: limits.intune.requests, windowMs: limits.intune.windowMs },
    intuneWrites: { capacity: limits.intune.writes, windowMs: limits.intune.windowMs },
    teamsRequests: { capacity: teams.requests, windowMs: teams.windowMs },
    teamsMemberReads: { capacity: teams.memberReads, windowMs: teams.windowMs },
    teamsPerTeam: { capacity: teams.perTeam, windowMs: teams.windowMs },
  };
}

/**
 * Everything behind the functions, on loopback: the embedded Cosmos DB endpoint, the simulated
 * Microsoft 365 tenant (reached through the real Graph connectors with a token from @azure/identity),
 * and the services composed over them exactly as in Azure but for the credentials.
 */
export async function startLocalStack(o: LocalStackOptions): Promise<LocalStack> {
  const cosmos = await EmbeddedCosmos.start(o.env.CosmosDb__databaseName ?? 'onboarding');
  const tenant = new SimulatedTenant(
    { skus: [{ ...DEFAULT_SKU, seats: o.licenseSeats ?? 1000 }], ...o.tenant },
    o.journal?.tenant,
  );
  await tenant.start();
  if (o.saved) {
    await cosmos.load(o.saved.cosmos);
    tenant.restore(o.saved.tenant);
  } else {
    // A first start: the Région's agents in post (o.tenant.region), with the licence the service assigns. A restart
    // keeps what the tenant became instead.
    tenant.seedRegion(o.env.Graph__licenseSkuId ?? DEFAULT_SKU.skuId);
  }
  // Loaded state is already on disk; from now on every write is journaled before it is acknowledged.
  if (o.journal) cosmos.journalTo(o.journal.cosmos);
  const config = loadConfig({
    ...o.env,
    CosmosDb__accountEndpoint: cosmos.endpoint,
    Auth__issuer: o.issuer,
    Auth__audience: o.audience,
    Auth__jwksUri: 'uri' in o.jwks ? o.jwks.uri : 'http://127.0.0.1/keys-given-directly',
    Graph__baseUrl: tenant.graphBaseUrl,
    Graph__vpnGroupId: tenant.vpnGroupId,
    Graph__licenseSkuId: o.env.Graph__licenseSkuId ?? DEFAULT_SKU.skuId,
    // The DSI's Teams channel: the simulated tenant's Workflows webhook (its cards: GET /.local/teams).
    Notifications__teamsWebhookUrl: o.env.Notifications__teamsWebhookUrl ?? tenant.teamsWebhookUrl,
    // One team per department of the Région's directory (from the tenant's state: the same after a restart).
    Provisioning__departmentTeams: o.env.Provisioning__departmentTeams ?? JSON.stringify(tenant.departmentTeams()),
  });
  // Only the clients of the simulated tenant trust its certificate; nothing process-wide.
  const tenantAgent = new Agent({ ca: readFileSync(TLS_CERT_FILE), keepAlive: true });
  // The budget paces the service at the limits the tenant enforces (the documented ones, or as scaled); a
  // tenant that does not throttle (tests of the engine alone, the benchmark's overhead) has nothing to pace.
  const limits = o.tenant?.limits === undefined ? DOCUMENTED_LIMITS : o.tenant.limits;
  const budgetLimits = limits ? budgetLimitsOf(limits) : null;
  // The adapters as in Azure (shared/app/azure-services.ts), throttling included; each container's unreadable
  // documents are set aside among the rejected messages (and skipped).
  const setAside = (container: string) =>
    reportUnreadableDocuments({ store: rejected, clock: o.clock, container, log: console.error });
  const rejected: CosmosRejectedMessages = transientWhenThrottled(
    new CosmosRejectedMessages(cosmos.database, (err) => setAside(CONTAINERS.rejectedMessages.id)(err)),
  );
  const stock = new CosmosLaptopPool(cosmos.database, o.clock, { onUnreadable: setAside(CONTAINERS.laptops.id) });
  // A first start: the laptops the agents in post hold are in the stock, assigned to them.
  const held = o.saved ? [] : regionLaptops(o.tenant?.region);
  if (held.length > 0) await stock.add(held);
  if (!o.saved && o.laptopStock > 0) {
    await stock.add(
      Array.from({ length: o.laptopStock }, (_, i) => ({
        serialNumber: `LOCAL-${String(i + 1).padStart(4, '0')}`,
        model: 'Latitude 5440',
      })),
    );
  }

  /**
   * One instance of the function app: its own token cache, Graph client and share of the Graph budget,
   * over the same Cosmos DB, Service Bus and tenant as the others (as Azure scales out).
   */
  const { notifier, problem: notifierProblem } = notifierFromSetting(config.Notifications__teamsWebhookUrl, {
    agent: tenantAgent,
  });
  if (notifierProblem) console.warn(notifierProblem);
  const instance = (): { services: Services; ports: Ports; budget: GraphBudget | null } => {
    const credential = new ClientSecretCredential(tenant.tenantId, tenant.clientId, tenant.clientSecret, {
      authorityHost: tenant.authorityHost,
      disableInstanceDiscovery: true,
      additionalPolicies: [{ policy: agentPolicy(tenantAgent), position: 'perCall' }],
    });
    const budget = budgetLimits
      ? new GraphBudget(
          transientWhenThrottled(new CosmosBudgetStore(cosmos.database, setAside(CONTAINERS.coordination.id))),
          { limits: budgetLimits },
        )
      : null;
    const graph = new GraphClient({
      baseUrl: config.Graph__baseUrl,
      credential,
      agent: tenantAgent,
      retryDelayInMs: 200,
      maxRetryDelayInMs: 2000,
      ...(budget ? { budget } : {}),
    });
    const ports: Ports = {
      config,
      clock: o.clock,
      store: transientWhenThrottled(new CosmosOnboardingStore(cosmos.database, setAside(CONTAINERS.onboardings.id))),
      laptops: transientWhenThrottled(
        new CosmosLaptopPool(cosmos.database, o.clock, { onUnreadable: setAside(CONTAINERS.laptops.id) }),
      ),
      directory: new GraphDirectory(graph, { licenseSkuId: config.Graph__licenseSkuId }),
      rejected,
      bus: o.bus,
      autopilot: new GraphAutopilot(graph),
      accessPasses: new GraphAccessPasses(graph),
      departureGuard: transientWhenThrottled(new CosmosDepartureGuard(cosmos.database)),
      accessories: transientWhenThrottled(
        new CosmosAccessoryStock(cosmos.database, o.clock, { onUnreadable: setAside(CONTAINERS.laptops.id) }),
      ),
      connectors: o.wrapConnectors
        ? o.wrapConnectors(graphConnectorsFrom(graph, config))
        : graphConnectorsFrom(graph, config),
      tokenValidator: createJwtValidator({
        issuer: config.Auth__issuer,
        audience: config.Auth__audience,
        ...('uri' in o.jwks ? { jwksUri: o.jwks.uri } : { keys: o.jwks.keys }),
      }),
      notifier,
      // As in Azure: the data role (the embedded endpoint's key here), the bus, the tenant's token and its roles.
      readiness: [
        cosmosReadiness(cosmos.database),
        { name: 'serviceBus', check: (signal) => o.bus.probe?.(QUEUES.hrEvents, signal) ?? Promise.resolve() },
        graphReadiness(credential),
      ],
    };
    const wrapped = o.wrapPorts ? o.wrapPorts(ports) : ports;
    return { services: createServices(wrapped), ports: wrapped, budget };
  };
  const first = instance();
  const services = first.services;
  return {
    cosmos,
    tenant,
    services,
    ports: first.ports,
    budget: first.budget,
    instance,
    async stop() {
      tenantAgent.destroy();
      await tenant.stop();
      await cosmos.stop();
    },
  };
}
