import { z } from 'zod';
import { isIsoDuration } from './iso-duration';
import cosmosDefinitions from './definitions/cosmos-containers.json';

const positiveInt = z.coerce.number().int().positive();

/** Days of a lead time: a whole number 0..365, or empty (Bicep's default) / unset for none. */
const leadDays = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z.coerce.number().int().nonnegative().max(365).optional(),
);
const isoDuration = z.string().refine(isIsoDuration, 'must be an ISO 8601 duration (P5Y, P18M, P2D, PT30S...)');

/** A JSON object of department → the group id of its team (Bicep's default: `{}`, no team). */
const departmentTeams = z
  .string()
  .default('{}')
  .transform((text, ctx) => {
    try {
      const parsed = z.record(z.string().min(1), z.string().min(1)).safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object of department names to team group ids' });
    return z.NEVER;
  });

/**
 * Every setting the functions read, parsed once from process.env. In Azure they are app settings
 * (identity-based, no secrets); locally they come from local.settings.json and the local host.
 */

const configSchema = z.object({
  CosmosDb__accountEndpoint: z.url(),
  CosmosDb__databaseName: z.string().min(1).default(cosmosDefinitions.databaseName),
  /** Azure: the Service Bus namespace, e.g. sb-onboarding.servicebus.windows.net. */
  ServiceBusConnection__fullyQualifiedNamespace: z.string().min(1).optional(),
  /** Azure: the client id of the user-assigned managed identity. */
  AZURE_CLIENT_ID: z.string().min(1).optional(),
  Auth__issuer: z.string().min(1),
  Auth__audience: z.string().min(1),
  Auth__jwksUri: z.url(),
  /** Microsoft Graph v1.0 base URL. */
  Graph__baseUrl: z.url().default('https://graph.microsoft.com/v1.0'),
  /** Object id of the Entra ID group that grants VPN access. */
  Graph__vpnGroupId: z.string().min(1),
  /** skuId of the Microsoft 365 licence to assign (e.g. Office 365 E3). */
  Graph__licenseSkuId: z.string().min(1),
  /** Usage location set on an account without one before its licence, when the HR event gives none. */
  Provisioning__defaultUsageLocation: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code')
    .default('FR'),
  /** Retries of a step after transient faults, with exponential back-off and jitter between them. */
  Provisioning__maxTransientRetries: z.coerce.number().int().nonnegative().default(8),
  Provisioning__retryBaseSeconds: z.coerce.number().positive().default(2),
  Provisioning__retryMaxSeconds: z.coerce.number().positive().default(300),
  /**
   * Lead times (optional): the VPN or the licence is not provisioned before this many days ahead of the start
   * date (Europe/Paris); the step stays `pending` with `notBefore`, run then by a scheduled message. Unset: at
   * approval.
   */
  Provisioning__vpnLeadDays: leadDays,
  Provisioning__licenseLeadDays: leadDays,
  /**
   * Teams: department → the group id of its team (JSON). Each agent becomes a member of their department's team
   * once their licence is assigned; a department without a team skips the step. Unset: no Teams step.
   */
  Provisioning__departmentTeams: departmentTeams,
  /** How long a step waiting for licence seats waits before it checks again. */
  Provisioning__waitingRecheckSeconds: positiveInt.default(300),
  /**
   * A Temporary Access Pass's lifetime (minutes; usable once, from 07:00 Europe/Paris on the start day): within
   * the tenant's policy, whose bounds by default are 60 to 480.
   */
  Provisioning__accessPassMinutes: z.coerce.number().int().min(10).max(43_200).default(480),
  /**
   * API requests one instance works on at once; past it a request gets 503 with Retry-After at once (openapi.yaml,
   * "Limits"), instead of waiting behind the others past its client's timeout.
   */
  Http__maxRequestsInFlight: positiveInt.default(64),
  /**
   * The guard against mass departures: past this many `employee.left` applied within an hour, the next are held
   * (nothing removed) until a person confirms them (`POST /api/departures/confirm`) or HR sends them again.
   */
  Safety__maxDeparturesPerHour: positiveInt.default(25),
  /** The sweeper re-sends outbox commands older than this (a worker stopped between its write and its send). */
  Sweeper__outboxGraceSeconds: positiveInt.default(60),
  /** The sweeper re-sends the resume of a laptop reservation not taken up after this. */
  Sweeper__reservationGraceSeconds: positiveInt.default(120),
  /** An onboarding whose steps have not moved for this long has lost its message: the sweeper drives it again. */
  Sweeper__stuckAfterSeconds: positiveInt.default(900),
  /**
   * How long a finished onboarding keeps the agent's and approvers' names and upns (ISO 8601 duration): past
   * it they are replaced by pseudonyms; the audit facts stay (README, "Retention of personal data").
   */
  Retention__personalData: isoDuration.default('P5Y'),
  /** An onboarding awaiting approval this long (ISO 8601 duration) gets one reminder to the DSI. */
  Approval__reminderAfter: isoDuration.default('P2D'),
  /** Awaiting approval this long, it is rejected by the service (`approval expired`). */
  Approval__expiresAfter: isoDuration.default('P10D'),
  /**
   * For this many minutes after a decision, the person who made it may undo it (before any step started): a
   * new history entry, nothing rewritten.
   */
  Approval__undoMinutes: positiveInt.default(10),
  /**
   * The DSI's Teams channel: the URL of its Workflows webhook. It carries its own signature, so in Azure it is
   * a Key Vault reference (`@Microsoft.KeyVault(SecretUri=…)`) that the platform resolves with the managed
   * identity; never a plain value, never logged. Unset: no notifications.
   */
  Notifications__teamsWebhookUrl: z.string().optional(),
  /** New onboardings awaiting approval come as one digest per this many seconds at most. */
  Notifications__digestSeconds: positiveInt.default(60),
  /** A post to Teams that failed is tried again after this, doubling each time (10 attempts, 30 minutes apart at most). */
  Notifications__retryBaseSeconds: positiveInt.default(10),
  /** Where the web console is served: the cards link to it (https://<app>.azurewebsites.net/). */
  Console__publicUrl: z.url().optional(),
  /**
   * How the web console signs people in: `entra` (MSAL, authorization code with PKCE, against the tenant of
   * `Auth__issuer`) in Azure; `development` on the local host (a picker of users and roles, tokens from the
   * development issuer).
   */
  Console__signIn: z.enum(['entra', 'development']).default('entra'),
  /** The console's client id in Entra ID (a single-page application redirect URI on it). */
  Console__clientId: z.string().optional(),
  /** The delegated scope the console asks for: `api://<API client id>/access_as_user`. */
  Console__apiScope: z.string().optional(),
  /** Azure Monitor: telemetry is exported when set (read by functions/telemetry-setup.ts at start). */
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().min(1).optional(),
  /** The delivery count at which a step gives up on transient faults and is marked failed. */
  ServiceBus__maxDeliveryCount: positiveInt.default(10),
});

export type Config = z.infer<typeof configSchema>;

/** Every setting the functions read: the Bicep sets each one on the Function App. */
export const CONFIG_SETTINGS: readonly string[] = Object.keys(configSchema.shape);

/** Thrown at start when a setting is missing or wrong; names each one. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid or missing settings: ${problems}`);
  }
  return parsed.data;
}
