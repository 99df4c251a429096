import type { TokenCredential } from '@azure/identity';
import type { ReadinessCheck } from '../../ports/readiness';
import { GRAPH_SCOPE } from './graph-client';
import { GRAPH_APPLICATION_PERMISSIONS } from './graph-permissions';

/** The `roles` of a JWT access token, or null when the token is not a JWT this code can read. */
function rolesOf(token: string): string[] | null {
  const payload = token.split('.')[1];
  if (payload === undefined) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return null;
  }
}

/**
 * A Microsoft Graph token for the app's identity, holding every application permission of the table
 * (graph-permissions.ts): an app-only token carries the app roles granted to it in `roles`
 * (https://learn.microsoft.com/entra/identity-platform/access-tokens). Until infra/scripts/grant-graph-permissions.sh
 * has run, it lacks them and every step would fail with Authorization_RequestDenied. A token this code cannot read
 * (not a JWT) counts as obtained: only its absence is then a failure.
 */
export function graphReadiness(
  credential: TokenCredential,
  required: readonly string[] = GRAPH_APPLICATION_PERMISSIONS,
): ReadinessCheck {
  return {
    name: 'graph',
    async check(signal) {
      const token = await credential.getToken(GRAPH_SCOPE, { abortSignal: signal });
      if (!token) throw new Error('no Microsoft Graph token for the identity');
      const roles = rolesOf(token.token);
      if (roles === null) return;
      const missing = required.filter((p) => !roles.includes(p));
      if (missing.length > 0) {
        throw new Error(
          `the identity's Graph token lacks ${missing.join(', ')}: run infra/scripts/grant-graph-permissions.sh`,
        );
      }
    },
  };
}
