/**
 * Who caused a change. People and applications carry their immutable object id (`id`, the token's `oid`)
 * beside a readable name (a upn, or `app:<client id>`); the service's own entries (`hr`, `system`) have none.
 */
export interface Actor {
  name: string;
  id?: string;
}

/** An HR system, through an HR event. */
export const HR: Actor = { name: 'hr' };
/** The service itself: steps, timers, settling. */
export const SYSTEM: Actor = { name: 'system' };
