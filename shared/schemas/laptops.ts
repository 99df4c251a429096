import { z } from 'zod';
import { employeeIdSchema, isoDateSchema, prioritySchema } from './hr-events';

export const laptopStatusSchema = z.enum(['available', 'reserved', 'assigned']);

export const serialNumberSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must match ^[A-Za-z0-9._-]{1,64}$');

export const laptopSchema = z.object({
  serialNumber: serialNumberSchema,
  model: z.string(),
  site: z.string().nullable(),
  status: laptopStatusSchema,
  onboardingId: z.string().nullable(),
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
  approvedAt: z.string(),
  requestedAt: z.string(),
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
export type LaptopPoolDocument = z.infer<typeof laptopPoolDocumentSchema>;
export type AddLaptopsBody = z.infer<typeof addLaptopsBodySchema>;

export function toLaptopView(l: Laptop) {
  return { serialNumber: l.serialNumber, model: l.model, site: l.site, status: l.status, onboardingId: l.onboardingId };
}
