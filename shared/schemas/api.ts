import { z } from 'zod';
import { booleanQueryParam, freeText, limitSchema } from './validation';
import { employeeIdSchema, isoDateSchema, prioritySchema, userPrincipalNameSchema } from './hr-events';
import { onboardingKindSchema, onboardingStatusSchema, type Onboarding, type Step, type StepName } from './onboarding';
import { waitingOnOf } from '../domain/waiting-on';

export const decisionBodySchema = z
  .object({
    decision: z.enum(['approve', 'reject']),
    comment: freeText(1000, { multiline: true }).optional(),
  })
  .strict();

/** `POST /api/decisions`: 1 to 200 decisions, each as the single route's body with its onboarding id. */
export const MAX_BULK_DECISIONS = 200;
export const bulkDecisionsBodySchema = z
  .object({
    decisions: z
      .array(decisionBodySchema.extend({ onboardingId: z.string().min(1).max(256) }).strict())
      .min(1)
      .max(MAX_BULK_DECISIONS),
  })
  .strict();

/** The filters of the list and its export (combined with AND). */
const onboardingFilters = {
  employeeId: employeeIdSchema.optional(),
  status: onboardingStatusSchema.optional(),
  department: z.string().min(1).max(256).optional(),
  priority: prioritySchema.optional(),
  startDateFrom: isoDateSchema.optional(),
  startDateTo: isoDateSchema.optional(),
  decidedBy: z.string().min(1).max(256).optional(),
  kind: onboardingKindSchema.optional(),
  /** Words found in the display name, upn or employee id, ignoring case and accents. */
  q: freeText(100).pipe(z.string().min(1)).optional(),
  /** Created from this day to that day, inclusive (Europe/Paris): the reports' days. */
  createdFrom: isoDateSchema.optional(),
  createdTo: isoDateSchema.optional(),
};

export const listOnboardingsQuerySchema = z
  .object({
    ...onboardingFilters,
    sort: z.enum(['createdAt', 'startDate', 'displayName']).optional(),
    order: z.enum(['asc', 'desc']).optional(),
    limit: limitSchema,
    continuationToken: z.string().min(1).max(1024).optional(),
  })
  .strict();

/**
 * `GET /api/onboardings/export`: the list's filters (every match, so no paging of its own); `format=excel-fr`
 * for French Excel (`;`, Paris times as DD/MM/YYYY HH:mm, French headers and values).
 */
export const exportOnboardingsQuerySchema = z
  .object({ ...onboardingFilters, format: z.enum(['excel-fr']).optional() })
  .strict();

/** `GET /api/onboardings/counts`: `include=departments` adds how many onboardings each department has. */
export const countsQuerySchema = z.object({ include: z.enum(['departments']).optional() }).strict();

/** `GET /api/onboardings/to-handle`: at most `limit` of each reason (default 50). */
export const toHandleQuerySchema = z.object({ limit: limitSchema }).strict();

/** `GET /api/onboardings/{id}/history`: `verify=true` adds whether the hash chain holds. */
export const historyQuerySchema = z
  .object({
    verify: booleanQueryParam,
  })
  .strict();

/** `GET /api/reports/summary`: the creation days covered, inclusive (default: from the start to today). */
export const summaryQuerySchema = z
  .object({
    from: isoDateSchema.optional(),
    to: isoDateSchema.optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { error: 'from must not be after to', path: ['from'] });

/**
 * `PATCH /api/onboardings/{id}`: what the DSI may change of an open onboarding: its priority, or its upn while
 * the directory has no such account. One of the two a request.
 */
export const patchOnboardingBodySchema = z.union([
  z.object({ priority: prioritySchema }).strict(),
  z.object({ userPrincipalName: userPrincipalNameSchema }).strict(),
]);

export type DecisionBody = z.infer<typeof decisionBodySchema>;
export type BulkDecision = z.infer<typeof bulkDecisionsBodySchema>['decisions'][number];

/**
 * The public view of a step: the internal run counter and the team's membership stay inside; a step waiting
 * for what it cannot get by itself says what (`waitingOn`).
 */
export function toStepView(name: StepName, step: Step) {
  const { attempt: _attempt, groupId: _g, membershipId: _m, previousGroupId: _p, waitingOn: _w, ...view } = step;
  const waitingOn = waitingOnOf(name, step);
  return { ...view, ...(waitingOn ? { waitingOn } : {}) };
}

/** The Onboarding of the contract, without the stored history, event ids and outbox. */
export function toOnboardingView(o: Omit<Onboarding, 'history' | 'outbox' | 'eventIds'>) {
  return {
    id: o.id,
    kind: o.kind,
    employeeId: o.employeeId,
    userPrincipalName: o.userPrincipalName,
    displayName: o.displayName,
    department: o.department,
    site: o.site,
    priority: o.priority,
    startDate: o.startDate,
    status: o.status,
    decision: o.decision,
    departure: o.departure
      ? { lastDay: o.departure.lastDay, ...(o.departure.held ? { held: true as const } : {}) }
      : null,
    managerUpn: o.managerUpn,
    replaces: o.replaces,
    steps: {
      laptop: toStepView('laptop', o.steps.laptop),
      vpn: toStepView('vpn', o.steps.vpn),
      officeLicense: toStepView('officeLicense', o.steps.officeLicense),
      teams: toStepView('teams', o.steps.teams),
      accessories: toStepView('accessories', o.steps.accessories),
    },
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

/** An onboarding as the API serves it (the web console reads this type too). */
export type OnboardingView = ReturnType<typeof toOnboardingView>;
