import { z } from 'zod';

/** An Entra ID object or client id: a GUID. */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A user principal name as a token carries it: name@domain.tld, no spaces or control characters. */
export const UPN_PATTERN = /^[^\s@\p{C}]+@[^\s@\p{C}]+\.[^\s@\p{C}]+$/u;

export const objectIdSchema = z.string().regex(GUID_PATTERN, 'must be an object id (GUID)');

/**
 * The name of whoever made a change, as the history keeps it: a person's upn, an application's
 * `app:<client id>`, or the service's own `hr` and `system`. Nobody can pose as another kind: a token's
 * username must be a upn, and an application is named by its client id.
 */
export const actorNameSchema = z.union([
  z.literal('hr'),
  z.literal('system'),
  z.string().max(256).regex(UPN_PATTERN, 'must be a user principal name'),
  z.string().regex(/^app:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be app:<client id>'),
]);
