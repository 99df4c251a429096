import { z } from 'zod';
import { employeeIdSchema, isoDateSchema, prioritySchema } from './hr-events';
import { actorNameSchema, objectIdSchema } from './identity';

export const STEP_NAMES = ['laptop', 'vpn', 'officeLicense'] as const;
export const stepNameSchema = z.enum(STEP_NAMES);

/** `returning`: the laptop of a leaver, expected back at the DSI (its step is reverted when it is returned). */
export const stepStatusSchema = z.enum([
  'pending',
  'in-progress',
  'waiting',
  'done',
  'failed',
  'skipped',
  'reverted',
  'returning',
]);

export const onboardingStatusSchema = z.enum([
  'awaiting-approval',
  'provisioning',
  'completed',
  'rejected',
  'cancelled',
  'needs-attention',
  /** A leaver: access ends at the end of the last day; the laptop is expected back. */
  'leaving',
  /** A leaver whose access is removed and laptop returned. */
  'left',
]);

export const stepSchema = z.object({
  status: stepStatusSchema,
  updatedAt: z.string(),
  detail: z.string().optional(),
  serialNumber: z.string().optional(),
  /** Internal: which run of the step is current; messages of older runs are ignored. */
  attempt: z.number().int().nonnegative(),
  /** A step not due yet (lead times): it runs from this instant. */
  notBefore: z.string().optional(),
});

/** A leaver's departure, once `employee.left` applies to a completed onboarding. */
export const departureSchema = z.object({
  lastDay: isoDateSchema,
  /** The end of the last day in Europe/Paris (an instant): access is removed then, not before. */
  dueAt: z.string(),
  /** When access was removed (the departure came due). */
  accessRemovedAt: z.string().optional(),
});

export const decisionRecordSchema = z.object({
  decision: z.enum(['approve', 'reject']),
  /** The decider's upn (or `system` for an expiry). */
  by: actorNameSchema,
  /** The decider's object id; absent for the service's own decisions. */
  byId: objectIdSchema.optional(),
  at: z.string(),
  comment: z.string().optional(),
});

export const historyEntrySchema = z.object({
  at: z.string(),
  type: z.string().min(1),
  actor: actorNameSchema,
  /** The object id of a person or an application; the service's own entries (`hr`, `system`) have none. */
  actorId: objectIdSchema.optional(),
  details: z.record(z.string(), z.unknown()),
  /**
   * SHA-256 (hex) over the entry and the previous entry's hash (shared/domain/history-chain.ts). Absent only
   * on entries written by a version before the chain; verification reports them as where the chain breaks.
   */
  hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

/** A message the provisioning worker acts on. */
export const stepCommandSchema = z.object({
  /**
   * run-step: provision (this run); revert-step: undo; resume-step: a waiting step may go on now;
   * request-laptop: the laptop step takes its place in line (a pass of the pool's allocator).
   */
  type: z.enum(['run-step', 'revert-step', 'resume-step', 'request-laptop']),
  onboardingId: z.string().min(1),
  employeeId: employeeIdSchema,
  step: stepNameSchema,
  /** The step's run this message belongs to (0 for resume-step: whatever run is current). */
  attempt: z.number().int().nonnegative(),
  /** Which retry of the run after transient faults (scheduled with back-off). */
  retry: z.number().int().positive().optional(),
  /** Which re-check of a step waiting for a seat (scheduled; a re-check that finds nothing new writes nothing). */
  recheck: z.number().int().positive().optional(),
  /** Makes the message id unique where attempt and retry do not (e.g. the serial number a resume is for). */
  key: z.string().max(128).optional(),
  /** When set, the message is delivered no earlier than this instant. */
  notBefore: z.string().optional(),
});

/** The onboarding as stored in Cosmos DB (parsed again whenever it is read back). */
export const onboardingDocumentSchema = z.object({
  id: z.string().min(1),
  docType: z.literal('onboarding'),
  employeeId: employeeIdSchema,
  sequence: z.number().int().positive(),
  userPrincipalName: z.string(),
  displayName: z.string(),
  department: z.string(),
  site: z.string().nullable(),
  priority: prioritySchema,
  startDate: isoDateSchema,
  status: onboardingStatusSchema,
  decision: decisionRecordSchema.nullable(),
  /** A leaver's departure (absent: none, as in documents written before leavers). */
  departure: departureSchema.optional(),
  steps: z.object({ laptop: stepSchema, vpn: stepSchema, officeLicense: stepSchema }),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** When every step was done or skipped (the reports' time to equipped). */
  completedAt: z.string().optional(),
  /** When its names and upns were replaced by pseudonyms, its retention period over. */
  pseudonymisedAt: z.string().optional(),
  eventIds: z.array(z.string()),
  history: z.array(historyEntrySchema),
  /** The agent's object id in Entra ID, once the directory was asked (four-eyes compares it). */
  agentObjectId: objectIdSchema.optional(),
  /** Where the agent works (ISO 3166-1 alpha-2), for the licence; absent: the configured default. */
  usageLocation: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional(),
  /** W3C trace context of the onboarding: every message about it continues this trace. */
  traceparent: z.string().optional(),
  /** Commands decided with the last change and not yet known to be sent (transactional outbox). */
  outbox: z.array(stepCommandSchema),
});

export type StepName = z.infer<typeof stepNameSchema>;
export type StepStatus = z.infer<typeof stepStatusSchema>;
export type OnboardingStatus = z.infer<typeof onboardingStatusSchema>;
export type Step = z.infer<typeof stepSchema>;
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export type StepCommand = z.infer<typeof stepCommandSchema>;
export type Onboarding = z.infer<typeof onboardingDocumentSchema>;
export type Departure = z.infer<typeof departureSchema>;
