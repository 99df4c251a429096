import { z } from 'zod';
import { booleanQueryParam, freeText, limitSchema } from './validation';
import { employeeIdSchema, isoDateSchema, prioritySchema } from './hr-events';
import { onboardingKindSchema, onboardingStatusSchema, type Onboarding, type Step } from './onboarding';

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

export const listOnboardingsQuerySchema = z
  .object({
    employeeId: employeeIdSchema.optional(),
    status: onboardingStatusSchema.optional(),
    department: z.string().min(1).max(256).optional(),
    priority: prioritySchema.optional(),
    startDateFrom: isoDateSchema.optional(),
    startDateTo: isoDateSchema.optional(),
    decidedBy: z.string().min(1).max(256).optional(),
    kind: onboardingKindSchema.optional(),
    limit: limitSchema,
    continuationToken: z.string().min(1).max(1024).optional(),
  })
  .strict();

/** `GET /api/onboardings/export`: the list's filters (every match, so no paging of its own). */
export const exportOnboardingsQuerySchema = listOnboardingsQuerySchema.omit({ limit: true, continuationToken: true });

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

/** `PATCH /api/onboardings/{id}`: what the DSI may change of an open onboarding. */
export const patchOnboardingBodySchema = z.object({ priority: prioritySchema }).strict();

export type DecisionBody = z.infer<typeof decisionBodySchema>;
export type BulkDecision = z.infer<typeof bulkDecisionsBodySchema>['decisions'][number];

/** The public view of a step: the internal run counter and the team's membership stay inside. */
export function toStepView(step: Step): Omit<Step, 'attempt' | 'groupId' | 'membershipId' | 'previousGroupId'> {
  const { attempt: _attempt, groupId: _g, membershipId: _m, previousGroupId: _p, ...view } = step;
  return view;
}

/** The Onboarding of the contract, without the stored history, event ids and outbox. */
export function toOnboardingView(o: Onboarding) {
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
      laptop: toStepView(o.steps.laptop),
      vpn: toStepView(o.steps.vpn),
      officeLicense: toStepView(o.steps.officeLicense),
      teams: toStepView(o.steps.teams),
      accessories: toStepView(o.steps.accessories),
    },
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

/** An onboarding as the API serves it (the web console reads this type too). */
export type OnboardingView = ReturnType<typeof toOnboardingView>;
