import { z } from 'zod';
import { accessoryItemSchema } from './accessories';
import { employeeIdSchema, isoDateSchema, onboardingKindSchema, prioritySchema } from './hr-events';
import { actorNameSchema, objectIdSchema } from './identity';

/**
 * The steps of an onboarding, in the order they are shown. Each is described once, in the domain's step
 * catalogue (shared/domain/steps.ts): what it needs, what it runs after, how it is served.
 */
export const STEP_NAMES = ['laptop', 'vpn', 'officeLicense', 'teams', 'accessories'] as const;
export const stepNameSchema = z.enum(STEP_NAMES);

/** Why an equipment request was made (the CODIR's list: the continuity plan, telework, the desktops' refresh). */
export const requestReasonSchema = z.enum(['continuity', 'telework', 'refresh']);

export { onboardingKindSchema };

/**
 * What a step waits for that it cannot get by itself (the API's `waitingOn`): the agent's account in the
 * directory, a laptop from the stock, a licence seat, an accessory, or its day (lead times).
 */
export const waitingOnSchema = z.enum(['account', 'laptop', 'seat', 'accessory', 'day']);

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

/** How a laptop reached its agent (`POST /api/laptops/{serialNumber}/handover`). */
export const handoverSchema = z
  .object({
    method: z.enum(['pickup', 'delivery']),
    at: z.string(),
    by: z.string(),
    trackingNumber: z.string().optional(),
  })
  .strict();

export const stepSchema = z.object({
  status: stepStatusSchema,
  updatedAt: z.string(),
  detail: z.string().optional(),
  serialNumber: z.string().optional(),
  /** Internal: which run of the step is current; messages of older runs are ignored. */
  attempt: z.number().int().nonnegative(),
  /** A step not due yet (lead times): it runs from this instant. */
  notBefore: z.string().optional(),
  /** The team the agent was made a member of (the `teams` step), and that membership's id: what an undo removes. */
  groupId: z.string().optional(),
  membershipId: z.string().optional(),
  /** A move in progress (the `teams` step): the team of the former department, removed once the new is joined. */
  previousGroupId: z.string().optional(),
  /** The agent had the effect before this onboarding (an agent in post): a cancellation keeps it. */
  preExisting: z.literal(true).optional(),
  /** The accessories step: each kind needed, given or waiting. */
  items: z.array(accessoryItemSchema).optional(),
  /** The laptop step: how and when the laptop reached the agent, and who handed it over. */
  handover: handoverSchema.optional(),
  /**
   * Stored only when it cannot be told from the step itself: `account` (the directory has no such account:
   * nothing is made, no laptop held, until it appears or a person corrects the upn). See waitingOnOf.
   */
  waitingOn: waitingOnSchema.optional(),
  /** The laptop step: the laptop came from another site's stock than the agent's (to be sent there). */
  fromSite: z.string().optional(),
});

/** A leaver's departure, once `employee.left` applies to a completed onboarding. */
export const departureSchema = z.object({
  lastDay: isoDateSchema,
  /** The end of the last day in Europe/Paris (an instant): access is removed then, not before. */
  dueAt: z.string(),
  /**
   * Held by the guard against mass departures (more than Safety__maxDeparturesPerHour within an hour): nothing
   * is removed until a person confirms it, or HR sends the event again.
   */
  held: z.literal(true).optional(),
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
  /**
   * The agent's priority when the command was made: a continuity agent's commands go to the continuity queues
   * (shared/app/queues.ts). Absent: standard (commands of an earlier release).
   */
  priority: prioritySchema.optional(),
});

/** What the onboarding was asked to provide (the HR event's or the request's `needs`, with their defaults). */
export const storedNeedsSchema = z.object({
  laptop: z.boolean(),
  vpn: z.boolean(),
  officeLicense: z.boolean(),
  teams: z.boolean(),
  /** Accessory kinds (headset, webcam...), one of each. */
  accessories: z.array(z.string()),
});

/** A move of department or site, planned for its effective date (`employee.moved`). */
export const plannedMoveSchema = z.object({
  eventId: z.string(),
  department: z.string().optional(),
  site: z.string().optional(),
  effectiveDate: isoDateSchema,
});

/**
 * The version of the stored document's shape. Version 1 (no `schemaVersion`: releases up to November 2026) had
 * three steps and was always a hire; it is read as version 2 (shared/schemas/onboarding-migrations.ts).
 */
export const ONBOARDING_SCHEMA_VERSION = 2;

/** The onboarding as stored in Cosmos DB (parsed again whenever it is read back). */
export const onboardingDocumentSchema = z.object({
  id: z.string().min(1),
  docType: z.literal('onboarding'),
  schemaVersion: z.literal(ONBOARDING_SCHEMA_VERSION),
  kind: onboardingKindSchema,
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
  needs: storedNeedsSchema,
  /** The agent's manager (a hire's or request's `managerUpn`, or the directory's for an agent in post). */
  managerUpn: z.string().nullable(),
  /** The manager's object id, once the directory was asked (what `GET /api/me/arrivals` compares). */
  managerObjectId: objectIdSchema.optional(),
  /** The device an equipment request replaces (to hand back once the new laptop is handed over). */
  replaces: z
    .object({
      serialNumber: z.string(),
      /** Once the new laptop is handed over, the device is expected back (`to-return` in the stock) since then. */
      expectedBackSince: z.string().optional(),
      /** Its return, recorded as a leaver's laptop's is. */
      returned: z.object({ at: z.string(), condition: z.enum(['ok', 'repair']) }).optional(),
    })
    .nullable(),
  /** Why an equipment request was made. */
  reason: requestReasonSchema.optional(),
  /** A move not yet effective. */
  plannedMove: plannedMoveSchema.optional(),
  steps: z.object({
    laptop: stepSchema,
    vpn: stepSchema,
    officeLicense: stepSchema,
    teams: stepSchema,
    accessories: stepSchema,
  }),
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
export type OnboardingKind = z.infer<typeof onboardingKindSchema>;
export type StoredNeeds = z.infer<typeof storedNeedsSchema>;
export type PlannedMove = z.infer<typeof plannedMoveSchema>;
export type RequestReason = z.infer<typeof requestReasonSchema>;

export type Handover = z.infer<typeof handoverSchema>;
export type WaitingOn = z.infer<typeof waitingOnSchema>;
