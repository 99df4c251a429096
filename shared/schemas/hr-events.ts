import { z } from 'zod';
import { freeText } from './validation';

/** An employee id as HR systems send it. */
export const employeeIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must match ^[A-Za-z0-9_-]{1,64}$');

/** A calendar date, YYYY-MM-DD. */
export const isoDateSchema = z.iso.date({ error: 'must be a date YYYY-MM-DD' });

/** An instant with a zone, e.g. 2026-11-29T08:00:00Z. */
export const isoDateTimeSchema = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a zone' });

export const prioritySchema = z.enum(['continuity', 'standard']);

const eventBase = {
  eventId: z.string().min(1).max(128),
  occurredAt: isoDateTimeSchema,
};

export const needsSchema = z
  .object({
    laptop: z.boolean().default(true),
    vpn: z.boolean().default(true),
    officeLicense: z.boolean().default(true),
  })
  .strict();

export const employeeHiredSchema = z.object({
  ...eventBase,
  type: z.literal('employee.hired'),
  employee: z.object({
    employeeId: employeeIdSchema,
    givenName: freeText(256).pipe(z.string().min(1)),
    surname: freeText(256).pipe(z.string().min(1)),
    userPrincipalName: z.email({ error: 'must be a user principal name (name@domain)' }).max(256),
    department: freeText(256).pipe(z.string().min(1)),
    site: freeText(256).pipe(z.string().min(1)).optional(),
    startDate: isoDateSchema,
    priority: prioritySchema.default('standard'),
    /** Where the agent works (ISO 3166-1 alpha-2), which Microsoft 365 needs before it assigns a licence. */
    usageLocation: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code, e.g. FR')
      .optional(),
  }),
  needs: needsSchema.default({ laptop: true, vpn: true, officeLicense: true }),
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
]);

export type HrEvent = z.infer<typeof hrEventSchema>;
export type EmployeeHired = z.infer<typeof employeeHiredSchema>;
export type Priority = z.infer<typeof prioritySchema>;
