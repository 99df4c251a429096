import { z } from 'zod';
import { employeeIdSchema, isoDateSchema, prioritySchema } from './hr-events';
import type { Onboarding } from './onboarding';

export const laptopStatusSchema = z.enum(['available', 'reserved', 'assigned']);

export const serialNumberSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must match ^[A-Za-z0-9._-]{1,64}$');

export const laptopSchema = z.object({
  serialNumber: serialNumberSchema,
  model: z.string(),
  site: z.string().nullable(),
  status: laptopStatusSchema,
  onboardingId: z.string().nullable(),
  /** The holder's user principal name, so that Windows Autopilot can be set right from the pool alone. */
  userPrincipalName: z.string().nullable().default(null),
  addedAt: z.string(),
  updatedAt: z.string(),
});

/** An approved onboarding waiting for a laptop, with what orders it. */
export const laptopRequestSchema = z.object({
  onboardingId: z.string(),
  employeeId: employeeIdSchema,
  priority: prioritySchema,
  startDate: isoDateSchema,
  site: z.string().nullable(),
  userPrincipalName: z.string().default(''),
  approvedAt: z.string(),
  requestedAt: z.string(),
  /** The onboarding's updatedAt when the request was made: a request from an older read never overwrites a newer one. */
  asOf: z.string().default(''),
  traceparent: z.string().optional(),
});

/** The laptop pool as stored: one document, so one etag guards every allocation. */
export const laptopPoolDocumentSchema = z.object({
  id: z.string(),
  docType: z.literal('laptop-pool'),
  pool: z.string(),
  laptops: z.array(laptopSchema),
  waiting: z.array(laptopRequestSchema),
});

export const addLaptopsBodySchema = z
  .object({
    laptops: z
      .array(
        z
          .object({
            serialNumber: serialNumberSchema,
            model: z.string().trim().min(1).max(128),
            site: z.string().trim().min(1).max(256).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(1000),
  })
  .strict();

export const listLaptopsQuerySchema = z.object({ status: laptopStatusSchema.optional() }).strict();

export type Laptop = z.infer<typeof laptopSchema>;
export type LaptopStatus = z.infer<typeof laptopStatusSchema>;
export type LaptopRequest = z.infer<typeof laptopRequestSchema>;

/** The pool request of an approved onboarding, from its current state. */
export function laptopRequestFor(o: Onboarding, requestedAt: string): LaptopRequest {
  return {
    onboardingId: o.id,
    employeeId: o.employeeId,
    priority: o.priority,
    startDate: o.startDate,
    site: o.site,
    userPrincipalName: o.userPrincipalName,
    approvedAt: o.decision?.at ?? o.createdAt,
    requestedAt,
    asOf: o.updatedAt,
    ...(o.traceparent ? { traceparent: o.traceparent } : {}),
  };
}
export type LaptopPoolDocument = z.infer<typeof laptopPoolDocumentSchema>;
export type AddLaptopsBody = z.infer<typeof addLaptopsBodySchema>;

export function toLaptopView(l: Laptop) {
  return { serialNumber: l.serialNumber, model: l.model, site: l.site, status: l.status, onboardingId: l.onboardingId };
}
