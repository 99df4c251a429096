import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { acceleratedLimits, DEFAULT_REGION, scaledLimits, type SimulatedTenantOptions } from './simulated-tenant';

const settingsFileSchema = z.object({ Values: z.record(z.string(), z.string()).default({}) });

/** The project root: where package.json and local.settings.json live. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/**
 * Reads local.settings.json (copied from local.settings.sample.json when absent) into process.env,
 * as `func start` does; variables already in the environment win.
 */
export function loadLocalSettings(root: string = PROJECT_ROOT, env: NodeJS.ProcessEnv = process.env): void {
  const file = path.join(root, 'local.settings.json');
  const sample = path.join(root, 'local.settings.sample.json');
  if (!existsSync(file) && existsSync(sample)) copyFileSync(sample, file);
  if (!existsSync(file)) return;
  const parsed = settingsFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a valid settings file: ${parsed.error.message}`);
  for (const [key, value] of Object.entries(parsed.data.Values)) {
    if (env[key] === undefined) env[key] = value;
  }
}

const localSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(7071),
    LOCAL_STATE_DIR: z.string().default('.local'),
    LOCAL_LAPTOP_STOCK: z.coerce.number().int().nonnegative().default(10),
    /** Seats free at first start, beside those the agents in post hold. */
    LOCAL_LICENSE_SEATS: z.coerce.number().int().nonnegative().default(1000),
    /** The Région's agents in post at first start (agent0001@example.org …); 0: an empty directory. */
    LOCAL_AGENTS: z.coerce.number().int().min(0).max(9999).default(DEFAULT_REGION.agents),
    /** How many of the first agents hold a laptop (the others a desktop). Default: three in four (712 of 950). */
    LOCAL_AGENTS_WITH_LAPTOP: z.coerce.number().int().min(0).optional(),
    /** Start even though the saved state is unreadable (it is moved aside); otherwise the host refuses to start. */
    LOCAL_START_AFRESH: z
      .enum(['true', 'false', '1', '0', ''])
      .default('false')
      .transform((v) => v === 'true' || v === '1'),
    /** Runs the timer functions (the sweeper) every N seconds instead of on their schedule (0: their schedule). */
    LOCAL_TIMER_SECONDS: z.coerce.number().nonnegative().default(0),
    /** The journal is folded into a new snapshot once it is larger than this. */
    LOCAL_JOURNAL_COMPACT_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(16 * 1024 * 1024),
    Auth__issuer: z.string().default('https://login.dev.local/onboarding/v2.0'),
    Auth__audience: z.string().default('api://dsi-onboarding'),
    /** The simulated tenant: share of Graph calls answered 503, latency, directory sync and replication lags. */
    SIM_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
    /** Graph's documented throttling budgets divided by this (1: as documented; a larger value throttles sooner). */
    SIM_THROTTLE_SCALE: z.coerce.number().min(1).default(1),
    /** Graph's throttling windows divided by this: the same limits reached in less time (the benchmark). */
    SIM_TIME_SCALE: z.coerce.number().min(1).default(1),
    /** Instances of the function app consuming the queues (competing consumers, one Graph budget). */
    LOCAL_INSTANCES: z.coerce.number().int().min(1).max(16).default(1),
    SIM_LATENCY_MS: z.coerce.number().int().nonnegative().default(0),
    SIM_USER_SYNC_DELAY_MS: z.coerce.number().int().nonnegative().default(0),
    SIM_REPLICATION_LAG_MS: z.coerce.number().int().nonnegative().default(0),
    /** How long Intune takes to apply an Autopilot user assignment it accepted (the device shows the old user until then). */
    SIM_AUTOPILOT_ASSIGNMENT_DELAY_MS: z.coerce.number().int().nonnegative().default(0),
  })
  .refine((s) => s.LOCAL_AGENTS_WITH_LAPTOP === undefined || s.LOCAL_AGENTS_WITH_LAPTOP <= s.LOCAL_AGENTS, {
    path: ['LOCAL_AGENTS_WITH_LAPTOP'],
    error: 'LOCAL_AGENTS_WITH_LAPTOP cannot be more than LOCAL_AGENTS (the laptops are those of agents in post)',
  });
export type LocalSettings = z.infer<typeof localSchema>;

/** The settings only the local host reads (port, state folder, stock, seats and faults of the simulated tenant). */
export function localSettings(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const s = localSchema.parse(env);
  return { ...s, LOCAL_STATE_DIR: path.resolve(PROJECT_ROOT, s.LOCAL_STATE_DIR) };
}

/** The simulated tenant's behaviour from the settings (seats are set by the local stack). */
export function simulatedTenantOptions(s: LocalSettings): SimulatedTenantOptions {
  return {
    failureRate: s.SIM_FAILURE_RATE,
    latencyMs: s.SIM_LATENCY_MS,
    userSyncDelayMs: s.SIM_USER_SYNC_DELAY_MS,
    replicationLagMs: s.SIM_REPLICATION_LAG_MS,
    autopilotAssignmentDelayMs: s.SIM_AUTOPILOT_ASSIGNMENT_DELAY_MS,
    limits: acceleratedLimits(scaledLimits(s.SIM_THROTTLE_SCALE), s.SIM_TIME_SCALE),
    region: {
      agents: s.LOCAL_AGENTS,
      ...(s.LOCAL_AGENTS_WITH_LAPTOP === undefined ? {} : { withLaptop: s.LOCAL_AGENTS_WITH_LAPTOP }),
    },
  };
}
