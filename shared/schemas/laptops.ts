import { z } from 'zod';
import { booleanQueryParam, freeText, limitSchema } from './validation';
import { employeeIdSchema, isoDateSchema, onboardingKindSchema, prioritySchema } from './hr-events';

/** available → reserved (set aside by an allocation pass) → assigned (Autopilot); to-return and repair: leavers (issue 10). */
export const laptopStatusSchema = z.enum(['available', 'reserved', 'assigned', 'to-return', 'repair']);

export const serialNumberSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must match ^[A-Za-z0-9._-]{1,64}$');

/** What a device that is not a laptop of the stock (a desktop replaced) is recorded as, to be handed back. */
export const REPLACED_DEVICE_MODEL = 'device replaced (not from the stock)';

/** The stock's one pool (its Service Bus session): every laptop and allocation pass belongs to it. */
export const DEFAULT_POOL = 'default';

/**
 * One laptop of the stock, one document: a reservation changes this document only, whatever the size of
 * the stock (the id is the serial in capitals, so that a serial is known once whatever its case).
 */
export const laptopDocumentSchema = z.object({
  id: z.string().min(1),
  docType: z.literal('laptop'),
  pool: z.string().min(1),
  serialNumber: serialNumberSchema,
  model: z.string(),
  site: z.string().nullable(),
  status: laptopStatusSchema,
  onboardingId: z.string().nullable(),
  /** The holder's user principal name, so that Windows Autopilot can be set right from the stock alone. */
  userPrincipalName: z.string().nullable(),
  /** The holder's trace, so that the resume of its step continues it. */
  traceparent: z.string().optional(),
  /** The holder's priority: a continuity agent may take a laptop only reserved (not assigned) for a standard one. */
  priority: prioritySchema.optional(),
  addedAt: z.string(),
  updatedAt: z.string(),
  /** When the laptop reached its holder (pickup or delivery); none while it waits to be handed over. */
  handedOverAt: z.string().optional(),
  /** The holder's name as the line knew it when the laptop was reserved: whom the stock's manager hands it to. */
  holderName: z.string().nullable().optional(),
});

/** An approved onboarding waiting for a laptop, with what orders it (read from the onboarding itself). */
export const laptopRequestSchema = z.object({
  onboardingId: z.string(),
  employeeId: employeeIdSchema,
  priority: prioritySchema,
  startDate: isoDateSchema,
  site: z.string().nullable(),
  userPrincipalName: z.string(),
  approvedAt: z.string(),
  /** The laptop step's current run: a resume for it is a new message (an older run's resume was spent). */
  attempt: z.number().int().nonnegative(),
  traceparent: z.string().optional(),
  /** Who it is, for the people who read the line (the stock's manager sees names, not ids). */
  displayName: z.string().optional(),
  kind: onboardingKindSchema.optional(),
});

export const addLaptopsBodySchema = z
  .object({
    laptops: z
      .array(
        z
          .object({
            serialNumber: serialNumberSchema,
            model: freeText(128).pipe(z.string().min(1)),
            site: freeText(256).pipe(z.string().min(1)).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(1000),
  })
  .strict();

export const listLaptopsQuerySchema = z
  .object({
    status: laptopStatusSchema.optional(),
    /** `false`: those not handed over to their agent yet (with `status=assigned`: the laptops to hand over). */
    handedOver: booleanQueryParam,
    limit: limitSchema,
    continuationToken: z.string().min(1).max(1024).optional(),
  })
  .strict();

export type LaptopDocument = z.infer<typeof laptopDocumentSchema>;
export type Laptop = LaptopDocument;
export type LaptopStatus = z.infer<typeof laptopStatusSchema>;
export type LaptopRequest = z.infer<typeof laptopRequestSchema>;
export type AddLaptopsBody = z.infer<typeof addLaptopsBodySchema>;

export function toLaptopView(l: Laptop) {
  return {
    serialNumber: l.serialNumber,
    model: l.model,
    site: l.site,
    status: l.status,
    onboardingId: l.onboardingId,
    // Whom it is for and whether it reached them: what the stock's manager needs to hand it over.
    userPrincipalName: l.userPrincipalName,
    holderName: l.holderName ?? null,
    handedOverAt: l.handedOverAt ?? null,
  };
}

/** A laptop as the API serves it (the web console reads this type too). */
export type LaptopView = ReturnType<typeof toLaptopView>;

/** `POST /api/laptops/deliveries`: laptops expected on a day (the forecast counts them until deleted). */
export const deliveryBodySchema = z
  .object({
    expectedOn: isoDateSchema,
    count: z.number().int().min(1).max(10_000),
    model: freeText(128).pipe(z.string().min(1)).optional(),
    site: freeText(256).pipe(z.string().min(1)).optional(),
  })
  .strict();

/** An expected delivery as stored beside the laptops of its pool. */
export const deliveryDocumentSchema = z.object({
  ...deliveryBodySchema.shape,
  id: z.string().startsWith('delivery-'),
  docType: z.literal('delivery'),
  pool: z.string().min(1),
  createdAt: z.string(),
});

/** `POST /api/laptops/{serialNumber}/handover`: how the laptop reaches its agent. */
export const handoverBodySchema = z
  .object({
    method: z.enum(['pickup', 'delivery']),
    trackingNumber: freeText(64).pipe(z.string().min(1)).optional(),
    comment: freeText(1000, { multiline: true }).optional(),
  })
  .strict();
export type HandoverBody = z.infer<typeof handoverBodySchema>;

/** `POST /api/laptops/{serialNumber}/return`: how the laptop came back. */
export const laptopReturnBodySchema = z
  .object({
    condition: z.enum(['ok', 'repair']),
    comment: freeText(1000, { multiline: true }).optional(),
  })
  .strict();

export type DeliveryBody = z.infer<typeof deliveryBodySchema>;
export type DeliveryDocument = z.infer<typeof deliveryDocumentSchema>;
export type Delivery = DeliveryBody & { id: string };
export type LaptopReturnBody = z.infer<typeof laptopReturnBodySchema>;

export function toDelivery(d: DeliveryDocument): Delivery {
  return {
    id: d.id,
    expectedOn: d.expectedOn,
    count: d.count,
    ...(d.model !== undefined ? { model: d.model } : {}),
    ...(d.site !== undefined ? { site: d.site } : {}),
  };
}
