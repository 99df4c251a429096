import { SignJWT } from 'jose';
import { OAuthError } from './graph-errors';

/**
 * The Entra ID endpoints the connectors' credential uses: OpenID discovery and the client-credentials
 * grant (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow), with
 * its errors in OAuth form.
 */
export class TokenEndpoint {
  constructor(
    private readonly app: { tenantId: string; clientId: string; clientSecret: string },
    private readonly signingSecret: Uint8Array,
    private readonly grantedPermissions: () => readonly string[],
  ) {}

  discovery(baseUrl: string, tenant: string): Record<string, unknown> {
    if (tenant !== this.app.tenantId) throw this.tenantNotFound(tenant);
    const base = `${baseUrl}/${tenant}`;
    return {
      issuer: `${base}/v2.0`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      response_types_supported: ['code', 'id_token', 'token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  private tenantNotFound(tenant: string): OAuthError {
    return new OAuthError(
      400,
      'invalid_request',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );
  }

  async token(tenant: string, raw: string): Promise<Record<string, unknown>> {
    if (tenant !== this.app.tenantId) throw this.tenantNotFound(tenant);
    const form = new URLSearchParams(raw);
    if (form.get('grant_type') !== 'client_credentials') {
      throw new OAuthError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    }
    if (form.get('client_id') !== this.app.clientId) {
      throw new OAuthError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`,
      );
    }
    if (form.get('client_secret') !== this.app.clientSecret) {
      throw new OAuthError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${this.app.clientId}'.`,
      );
    }
    const scope = form.get('scope') ?? '';
    if (!scope.endsWith('/.default')) {
      throw new OAuthError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`,
      );
    }
    const lifetime = 3599;
    const accessToken = await new SignJWT({
      roles: [...this.grantedPermissions()],
      appid: this.app.clientId,
      azp: this.app.clientId,
      idtyp: 'app',
      tid: this.app.tenantId,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(`https://sts.windows.net/${this.app.tenantId}/`)
      .setAudience('https://graph.microsoft.com')
      .setIssuedAt()
      .setExpirationTime(`${lifetime}s`)
      .sign(this.signingSecret);
    return { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken };
  }
}
