import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { TLS_CERT_FILE, type SimulatedTenant } from '../../local/simulated-tenant';

export interface WireAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: Record<string, unknown>;
}

const ca = readFileSync(TLS_CERT_FILE);

/** One HTTPS exchange with the simulated tenant, as a Graph client sends it (no SDK between). */
export function wire(
  tenant: SimulatedTenant,
  method: string,
  path: string,
  options: { token?: string; body?: string; contentType?: string } = {},
): Promise<WireAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${tenant.authorityHost}${path}`,
      {
        method,
        ca,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.body !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
          let json: Record<string, unknown> = {};
          try {
            json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers, body: text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The client-credentials grant against the tenant's token endpoint. */
export function tokenRequest(tenant: SimulatedTenant, form: Record<string, string>): Promise<WireAnswer> {
  return wire(tenant, 'POST', `/${tenant.tenantId}/oauth2/v2.0/token`, {
    body: new URLSearchParams(form).toString(),
    contentType: 'application/x-www-form-urlencoded',
  });
}

/** A Graph access token for the connectors' application. */
export async function graphToken(tenant: SimulatedTenant): Promise<string> {
  const answer = await tokenRequest(tenant, {
    grant_type: 'client_credentials',
    client_id: tenant.clientId,
    client_secret: tenant.clientSecret,
    scope: 'https://graph.microsoft.com/.default',
  });
  return String(answer.json.access_token);
}
