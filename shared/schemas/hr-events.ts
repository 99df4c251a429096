import { z } from 'zod';
import { freeText } from './validation';
import { objectIdSchema } from './identity';

/** An employee id as HR systems send it. */
export const employeeIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must match ^[A-Za-z0-9_-]{1,64}$');

/** A calendar date, YYYY-MM-DD. */
export const isoDateSchema = z.iso.date({ error: 'must be a date YYYY-MM-DD' });

/** An instant with a zone, e.g. 2026-11-29T08:00:00Z. */
export const isoDateTimeSchema = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a zone' });

export const prioritySchema = z.enum(['continuity', 'standard']);

/** What an onboarding is for: a new agent (a hire), or equipment for an agent already in post (a request). */
export const onboardingKindSchema = z.enum(['hire', 'equipment']);

const eventBase = {
  eventId: z.string().min(1).max(128),
  occurredAt: isoDateTimeSchema,
};

/** An accessory's kind (headset, webcam...): counted stock, one of each a need asks for. */
export const accessoryKindSchema = z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'must match ^[a-z][a-z0-9-]{1,31}$');

export const needsSchema = z
  .object({
    laptop: z.boolean().default(true),
    vpn: z.boolean().default(true),
    officeLicense: z.boolean().default(true),
    /** A member of the department's team (when the department has one: Provisioning__departmentTeams). */
    teams: z.boolean().default(true),
    /** One of each kind, from the counted stock of accessories. */
    accessories: z
      .array(accessoryKindSchema)
      .max(10)
      .refine((kinds) => new Set(kinds).size === kinds.length, { error: 'each kind at most once' })
      .default([]),
  })
  .strict();

const NEEDS_DEFAULT = { laptop: true, vpn: true, officeLicense: true, teams: true, accessories: [] };

/** A user principal name as Entra ID has it (name@domain). */
export const userPrincipalNameSchema = z.email({ error: 'must be a user principal name (name@domain)' }).max(256);

export const employeeHiredSchema = z.object({
  ...eventBase,
  type: z.literal('employee.hired'),
  employee: z.object({
    employeeId: employeeIdSchema,
    givenName: freeText(256).pipe(z.string().min(1)),
    surname: freeText(256).pipe(z.string().min(1)),
    userPrincipalName: userPrincipalNameSchema,
    department: freeText(256).pipe(z.string().min(1)),
    site: freeText(256).pipe(z.string().min(1)).optional(),
    startDate: isoDateSchema,
    priority: prioritySchema.default('standard'),
    /** Where the agent works (ISO 3166-1 alpha-2), which Microsoft 365 needs before it assigns a licence. */
    usageLocation: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code, e.g. FR')
      .optional(),
    /** The agent's manager, who follows the arrival (`GET /api/me/arrivals`). */
    managerUpn: userPrincipalNameSchema.optional(),
  }),
  needs: needsSchema.default(NEEDS_DEFAULT),
});

/**
 * Equipment for an agent already in post (the CODIR's list under the continuity plan, telework, the refresh of
 * desktops): an onboarding of kind `equipment`, approved and served as a hire is. The account must exist.
 */
export const equipmentRequestedSchema = z.object({
  ...eventBase,
  type: z.literal('employee.equipment-requested'),
  employee: z.object({
    employeeId: employeeIdSchema,
    userPrincipalName: userPrincipalNameSchema,
    /** Optional: the directory's. */
    department: freeText(256).pipe(z.string().min(1)).optional(),
    site: freeText(256).pipe(z.string().min(1)).optional(),
    priority: prioritySchema.default('standard'),
    /** Plays the part of a hire's start date; default: the day the request is applied. */
    neededBy: isoDateSchema.optional(),
    managerUpn: userPrincipalNameSchema.optional(),
  }),
  needs: needsSchema.default(NEEDS_DEFAULT),
  /** The device to hand back once the new laptop is handed over (a desktop, an old laptop). */
  replaces: z
    .object({ serialNumber: freeText(64).pipe(z.string().min(1)) })
    .strict()
    .optional(),
  reason: z.enum(['continuity', 'telework', 'refresh']).optional(),
  /**
   * The person who imported the CODIR's list (POST /api/equipment-requests/import sets it from their token):
   * the onboarding's creation is theirs in the history. HR's own events (POST /api/hr-events) may not carry it.
   */
  requestedBy: z.object({ userPrincipalName: userPrincipalNameSchema, objectId: objectIdSchema }).strict().optional(),
});

/** Withdraws the employee's latest open onboarding, of either kind (a hire's cancellation keeps its meaning). */
export const requestCancelledSchema = z.object({
  ...eventBase,
  type: z.literal('employee.request-cancelled'),
  employee: z.object({ employeeId: employeeIdSchema }),
});

/** A change of department or site, effective on a day (Europe/Paris; at once when past). */
export const employeeMovedSchema = z.object({
  ...eventBase,
  type: z.literal('employee.moved'),
  employee: z
    .object({
      employeeId: employeeIdSchema,
      department: freeText(256).pipe(z.string().min(1)).optional(),
      site: freeText(256).pipe(z.string().min(1)).optional(),
      effectiveDate: isoDateSchema,
    })
    .refine((e) => e.department !== undefined || e.site !== undefined, {
      error: 'a move changes the department, the site, or both',
      path: ['department'],
    }),
});

export const hireCancelledSchema = z.object({
  ...eventBase,
  type: z.literal('employee.hire-cancelled'),
  employee: z.object({ employeeId: employeeIdSchema }),
});

export const startDateChangedSchema = z.object({
  ...eventBase,
  type: z.literal('employee.start-date-changed'),
  employee: z.object({ employeeId: employeeIdSchema, startDate: isoDateSchema }),
});

export const priorityChangedSchema = z.object({
  ...eventBase,
  type: z.literal('employee.priority-changed'),
  employee: z.object({ employeeId: employeeIdSchema, priority: prioritySchema }),
});

/** The agent leaves: access ends at the end of `lastDay` (Europe/Paris), the laptop is expected back. */
export const employeeLeftSchema = z.object({
  ...eventBase,
  type: z.literal('employee.left'),
  employee: z.object({ employeeId: employeeIdSchema, lastDay: isoDateSchema }),
});

/** Every HR event of the contract, told apart by `type`. */
export const hrEventSchema = z.discriminatedUnion('type', [
  employeeHiredSchema,
  hireCancelledSchema,
  startDateChangedSchema,
  priorityChangedSchema,
  employeeLeftSchema,
  equipmentRequestedSchema,
  requestCancelledSchema,
  employeeMovedSchema,
]);

export type HrEvent = z.infer<typeof hrEventSchema>;
export type EmployeeHired = z.infer<typeof employeeHiredSchema>;
export type EquipmentRequested = z.infer<typeof equipmentRequestedSchema>;
export type EmployeeMoved = z.infer<typeof employeeMovedSchema>;
export type Needs = z.infer<typeof needsSchema>;
export type Priority = z.infer<typeof prioritySchema>;
