import { TransientError, type ProvisionOutcome } from '../../ports/provisioners';
import { GraphError } from './graph-client';

/**
 * What a Graph error means for a connector. Status and error code decide first; only where Graph tells
 * cases apart by message alone are messages matched, here and nowhere else (Graph says message texts
 * may change: https://learn.microsoft.com/graph/errors). Each pattern has a test.
 */
const MESSAGES = {
  /** POST /groups/{id}/members/$ref for a member already there (400). */
  alreadyMember: /added object references already exist/i,
  /** DELETE /groups/{id}/members/{id}/$ref for a non-member (400; or 404). */
  notMember: /removed object references do not exist/i,
  /** assignLicense with no seat left (400). */
  noSeat: /does not have any available licenses/i,
  /** assignLicense for a user without usageLocation (400). */
  invalidUsageLocation: /invalid usage location/i,
  /** assignLicense removing a licence the user inherits from a group (400). */
  inherited: /inherited from a group/i,
  /** assignLicense removing a licence the user does not hold (400). */
  notHeld: /does not have a corresponding license/i,
} as const;

export type GraphErrorMeaning = keyof typeof MESSAGES;

/** True when `err` is Graph's answer for `meaning`. */
export function means(err: unknown, meaning: GraphErrorMeaning): boolean {
  if (!(err instanceof GraphError)) return false;
  if (meaning === 'notMember' && err.status === 404) return true;
  return err.status === 400 && MESSAGES[meaning].test(err.message);
}

/** 404 Request_ResourceNotFound naming `id` (the object the call is about, not a reference in its body). */
export function isNotFound(err: unknown, id?: string): boolean {
  return err instanceof GraphError && err.status === 404 && (id === undefined || err.message.includes(id));
}

/** A Graph error worth retrying (throttling, 5xx, timeouts) as the TransientError the worker schedules. */
export function asTransient(err: unknown): unknown {
  if (err instanceof GraphError && err.isTransient) {
    return new TransientError(`Microsoft Graph ${err.status} ${err.code}: ${err.message}`, err.retryAfterSeconds);
  }
  return err;
}

/** A Graph error as a step outcome: transient ones are thrown (retried with back-off), others fail the step. */
export function failedOrThrow(err: unknown): ProvisionOutcome {
  const transient = asTransient(err);
  if (transient !== err) throw transient;
  if (err instanceof GraphError) return { kind: 'failed', code: err.code, message: err.message };
  throw err;
}
