import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { badRequest, GraphHttpError } from './graph-errors';

/**
 * Temporary Access Passes (Microsoft Entra authentication methods through Graph v1.0), as the simulated tenant
 * answers them:
 * - POST /users/{id | upn}/authentication/temporaryAccessPassMethods with the optional `startDateTime`,
 *   `lifetimeInMinutes` and `isUsableOnce` → 201 with the pass in `temporaryAccessPass`, once: every read after
 *   answers it `null` (https://learn.microsoft.com/graph/api/authentication-post-temporaryaccesspassmethods,
 *   https://learn.microsoft.com/graph/api/resources/temporaryaccesspassauthenticationmethod).
 * - "A user can only have one Temporary Access Pass that's usable within its specified lifetime. If the user
 *   requires a new Temporary Access Pass while the current Temporary Access Pass is valid, the admin can create a
 *   new Temporary Access Pass for the user, the previous Temporary Access Pass will be deleted, and a new Temporary
 *   Access Pass will be created" (same page; "Replace a Temporary Access Pass",
 *   https://learn.microsoft.com/entra/identity/authentication/howto-authentication-temporary-access-pass): a second
 *   creation replaces the first, it is not refused.
 * - The tenant's policy bounds it (https://learn.microsoft.com/graph/api/resources/temporaryaccesspassauthenticationmethodconfiguration,
 *   GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/temporaryAccessPass,
 *   https://learn.microsoft.com/graph/api/temporaryaccesspassauthenticationmethodconfiguration-get): a tenant's
 *   defaults are enabled, lifetimes from 60 to 480 minutes (default 60), length 8, one-time use not enforced. A
 *   lifetime outside them is 400 badRequest "Invalid LifetimeInMinutes specified. The valid range between 60 and
 *   480." (the message client projects met, microsoftgraph/microsoft-graph-docs #12187); a multi-use pass where the
 *   policy enforces one-time use is refused ("can only be created … if it is allowed by the policy"); with the
 *   method disabled, creation is refused ("Converged UserCredentialPolicy does not allow creating or updating this
 *   authentication method", as client projects met it).
 * - `isUsable` and `methodUsabilityReason` (`EnabledByPolicy`, `DisabledByPolicy`, `Expired`, `NotYetValid`,
 *   `OneTimeUsed`) say whether it can be used now.
 * - GET lists the user's passes (one at most), GET …/{id} reads one, DELETE …/{id} → 204
 *   (https://learn.microsoft.com/graph/api/authentication-list-temporaryaccesspassmethods,
 *   https://learn.microsoft.com/graph/api/temporaryaccesspassauthenticationmethod-delete).
 *
 * The pass itself is random (node:crypto), answered once and kept nowhere: not in the tenant's state, its journal,
 * its snapshot or the operator view. Only a salted hash stays in memory, for a simulated sign-in (tests).
 */

export const accessPassStateSchema = z.object({
  id: z.string(),
  userId: z.string(),
  createdDateTime: z.string(),
  startDateTime: z.string(),
  lifetimeInMinutes: z.number().int(),
  isUsableOnce: z.boolean(),
  /** A one-time pass already used to sign in. */
  used: z.boolean().default(false),
});
export type AccessPassState = z.infer<typeof accessPassStateSchema>;

/** The tenant's Temporary Access Pass policy (temporaryAccessPassAuthenticationMethodConfiguration). */
export interface AccessPassPolicy {
  state: 'enabled' | 'disabled';
  defaultLifetimeInMinutes: number;
  defaultLength: number;
  minimumLifetimeInMinutes: number;
  maximumLifetimeInMinutes: number;
  isUsableOnce: boolean;
}

/** The policy a tenant has by default ("Enable the Temporary Access Pass policy": defaults), the method enabled. */
export const DEFAULT_ACCESS_PASS_POLICY: AccessPassPolicy = {
  state: 'enabled',
  defaultLifetimeInMinutes: 60,
  defaultLength: 8,
  minimumLifetimeInMinutes: 60,
  maximumLifetimeInMinutes: 480,
  isUsableOnce: false,
};

const METHOD_TYPE = '#microsoft.graph.temporaryAccessPassAuthenticationMethod';
const CREATABLE = new Set(['@odata.type', 'startDateTime', 'lifetimeInMinutes', 'isUsableOnce']);
/** Letters, digits and signs, as Entra's passes mix them ("+drkzqAD"); no look-alikes (0/O, 1/l/I). */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789+#%@$!&*=?';

function notFound(id: string): GraphHttpError {
  return new GraphHttpError(404, 'itemNotFound', `The authentication method '${id}' was not found.`);
}

export class AccessPasses {
  /** By the user's object id: one pass per user. */
  private readonly passes = new Map<string, AccessPassState>();
  /** By pass id: salt and SHA-256 of the pass, in memory only (a restart forgets them). */
  private readonly hashes = new Map<string, { salt: Buffer; hash: Buffer }>();
  policy: AccessPassPolicy = { ...DEFAULT_ACCESS_PASS_POLICY };

  /** GET …/authenticationMethodConfigurations/temporaryAccessPass. */
  policyView(): Record<string, unknown> {
    return {
      '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration',
      id: 'TemporaryAccessPass',
      ...this.policy,
      includeTargets: [{ targetType: 'group', id: 'all_users', isRegistrationRequired: false }],
      excludeTargets: [],
    };
  }

  put(pass: AccessPassState): void {
    this.passes.set(pass.userId, { ...pass });
  }

  /** What the tenant keeps of each pass (never the pass itself). */
  all(): AccessPassState[] {
    return [...this.passes.values()].map((p) => ({ ...p }));
  }

  of(userId: string): AccessPassState | undefined {
    const pass = this.passes.get(userId);
    return pass && { ...pass };
  }

  private usability(pass: AccessPassState, now: number): { isUsable: boolean; methodUsabilityReason: string } {
    const start = Date.parse(pass.startDateTime);
    const reason =
      this.policy.state !== 'enabled'
        ? 'DisabledByPolicy'
        : pass.used
          ? 'OneTimeUsed'
          : now < start
            ? 'NotYetValid'
            : now >= start + pass.lifetimeInMinutes * 60_000
              ? 'Expired'
              : 'EnabledByPolicy';
    return { isUsable: reason === 'EnabledByPolicy', methodUsabilityReason: reason };
  }

  /** The method as Graph shows it on reads: the pass is null. */
  view(pass: AccessPassState, now: number): Record<string, unknown> {
    return {
      '@odata.type': METHOD_TYPE,
      id: pass.id,
      temporaryAccessPass: null,
      createdDateTime: pass.createdDateTime,
      startDateTime: pass.startDateTime,
      lifetimeInMinutes: pass.lifetimeInMinutes,
      isUsableOnce: pass.isUsableOnce,
      ...this.usability(pass, now),
    };
  }

  /**
   * POST …/temporaryAccessPassMethods for a user: validates against the policy, replaces the user's pass, and
   * answers the new method with its pass (the only time it is shown) and the pass it replaced, if any.
   */
  create(
    userId: string,
    body: unknown,
    now: number,
  ): { method: Record<string, unknown>; state: AccessPassState; replaced: AccessPassState | undefined } {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) body = {};
    const req = body as Record<string, unknown>;
    for (const property of Object.keys(req)) {
      if (!CREATABLE.has(property)) throw badRequest(`Invalid property '${property}'.`, 'badRequest');
    }
    const policy = this.policy;
    if (policy.state !== 'enabled') {
      throw badRequest(
        'Converged UserCredentialPolicy does not allow creating or updating this authentication method. AuthMethodType [TemporaryAccessPass].',
        'badRequest',
      );
    }
    const lifetime = req.lifetimeInMinutes ?? policy.defaultLifetimeInMinutes;
    if (
      typeof lifetime !== 'number' ||
      !Number.isInteger(lifetime) ||
      lifetime < policy.minimumLifetimeInMinutes ||
      lifetime > policy.maximumLifetimeInMinutes
    ) {
      throw badRequest(
        `Invalid LifetimeInMinutes specified. The valid range between ${policy.minimumLifetimeInMinutes} and ${policy.maximumLifetimeInMinutes}.`,
        'badRequest',
      );
    }
    const usableOnce = req.isUsableOnce ?? policy.isUsableOnce;
    if (typeof usableOnce !== 'boolean') throw badRequest('Invalid value for isUsableOnce.', 'badRequest');
    if (policy.isUsableOnce && !usableOnce) {
      throw badRequest(
        'A multi-use Temporary Access Pass is not allowed by the Temporary Access Pass policy.',
        'badRequest',
      );
    }
    let start = now;
    if (req.startDateTime !== undefined) {
      const parsed = typeof req.startDateTime === 'string' ? Date.parse(req.startDateTime) : Number.NaN;
      if (Number.isNaN(parsed)) throw badRequest('Invalid value for startDateTime.', 'badRequest');
      start = parsed;
    }
    const pass = Array.from({ length: policy.defaultLength }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    const replaced = this.passes.get(userId);
    if (replaced) this.hashes.delete(replaced.id);
    const state: AccessPassState = {
      id: randomUUID(),
      userId,
      createdDateTime: new Date(now).toISOString(),
      startDateTime: new Date(start).toISOString(),
      lifetimeInMinutes: lifetime,
      isUsableOnce: usableOnce,
      used: false,
    };
    this.passes.set(userId, state);
    const salt = randomBytes(16);
    this.hashes.set(state.id, { salt, hash: createHash('sha256').update(salt).update(pass).digest() });
    return { method: { ...this.view(state, now), temporaryAccessPass: pass }, state: { ...state }, replaced };
  }

  /** GET …/temporaryAccessPassMethods/{id} of a user. */
  get(userId: string, methodId: string): AccessPassState {
    const pass = this.passes.get(userId);
    if (!pass || pass.id !== decodeURIComponent(methodId)) throw notFound(methodId);
    return pass;
  }

  /** DELETE …/temporaryAccessPassMethods/{id} of a user. */
  delete(userId: string, methodId: string): AccessPassState {
    const pass = this.get(userId, methodId);
    this.passes.delete(userId);
    this.hashes.delete(pass.id);
    return pass;
  }

  /**
   * A sign-in with the pass (tests: the pass an API answered is the one Graph issued): true when it is the
   * user's pass and usable now; a one-time pass is then spent.
   */
  signIn(userId: string, pass: string, now: number): boolean {
    const state = this.passes.get(userId);
    const stored = state && this.hashes.get(state.id);
    if (!state || !stored || !this.usability(state, now).isUsable) return false;
    const given = createHash('sha256').update(stored.salt).update(pass).digest();
    if (!timingSafeEqual(given, stored.hash)) return false;
    if (state.isUsableOnce) state.used = true;
    return true;
  }
}
