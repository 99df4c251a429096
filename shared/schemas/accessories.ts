import { z } from 'zod';
import { accessoryKindSchema } from './hr-events';
import { laptopRequestSchema } from './laptops';
import { freeText } from './validation';

/**
 * Accessories (headsets, webcams...): counted, not serialised (contract: "Accessories"). One document per kind
 * and site in the stock's pool; it keeps, beside what is available, who holds one of it, so that a reservation,
 * a hand-out or a putting back is applied once whatever the redeliveries.
 */

/** What an onboarding holds of a kind: set aside by a pass (`reserved`), then handed out by its step (`given`). */
export const accessoryHoldSchema = z.object({ status: z.enum(['reserved', 'given']), at: z.string() }).strict();

export const accessoryStockDocumentSchema = z.object({
  /** `accessory:<kind>:<site>` (no site: the DSI's own stock). */
  id: z.string().startsWith('accessory:'),
  docType: z.literal('accessory-stock'),
  pool: z.string().min(1),
  kind: accessoryKindSchema,
  site: z.string().nullable(),
  available: z.number().int().nonnegative(),
  /** By onboarding id. */
  holds: z.record(z.string(), accessoryHoldSchema),
  updatedAt: z.string(),
});

/** `POST /api/stock/accessories`. */
export const addAccessoriesBodySchema = z
  .object({
    kind: accessoryKindSchema,
    count: z.number().int().min(1).max(10_000),
    site: freeText(128).pipe(z.string().min(1)).optional(),
  })
  .strict();

/** One kind at one site, as `GET /api/stock/accessories` lists it. */
export interface AccessoryCount {
  kind: string;
  site: string | null;
  available: number;
  reserved: number;
  given: number;
}

/** An approved onboarding whose accessories step waits, with what orders it and the kinds it needs. */
export const accessoryRequestSchema = laptopRequestSchema.extend({ kinds: z.array(accessoryKindSchema) });

/** One kind an accessories step needs, and where it stands. */
export const accessoryItemSchema = z
  .object({ kind: accessoryKindSchema, status: z.enum(['given', 'waiting']) })
  .strict();

export type AccessoryHold = z.infer<typeof accessoryHoldSchema>;
export type AccessoryStockDocument = z.infer<typeof accessoryStockDocumentSchema>;
export type AddAccessoriesBody = z.infer<typeof addAccessoriesBodySchema>;
export type AccessoryRequest = z.infer<typeof accessoryRequestSchema>;
export type AccessoryItem = z.infer<typeof accessoryItemSchema>;

export const accessoryStockId = (kind: string, site: string | null) => `accessory:${kind}:${site ?? ''}`;

export function toAccessoryCount(
  d: Pick<AccessoryStockDocument, 'kind' | 'site' | 'available' | 'holds'>,
): AccessoryCount {
  const holds = Object.values(d.holds);
  return {
    kind: d.kind,
    site: d.site,
    available: d.available,
    reserved: holds.filter((h) => h.status === 'reserved').length,
    given: holds.filter((h) => h.status === 'given').length,
  };
}
