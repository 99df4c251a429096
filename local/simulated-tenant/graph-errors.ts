import { randomUUID } from 'node:crypto';

/**
 * A Microsoft Graph error answer: `{ "error": { "code", "message", "innerError" } }` with its status
 * (https://learn.microsoft.com/graph/errors).
 */
export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(clientRequestId: string | undefined): unknown {
    return {
      error: {
        code: this.code,
        message: this.message,
        innerError: {
          date: new Date().toISOString().slice(0, 19),
          'request-id': randomUUID(),
          'client-request-id': clientRequestId ?? randomUUID(),
        },
      },
    };
  }
}

/** 404 for an object the directory does not hold (users, groups, member references). */
export function resourceNotFound(id: string): GraphHttpError {
  return new GraphHttpError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

export function badRequest(message: string, code = 'Request_BadRequest'): GraphHttpError {
  return new GraphHttpError(400, code, message);
}

/**
 * An error of the Entra ID token endpoint, in OAuth 2.0 form (`error`, `error_description`, `error_codes`,
 * `timestamp`, `trace_id`, `correlation_id`, `error_uri`), not Graph's
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#error-response,
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
 */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly aadsts: number,
    description: string,
  ) {
    super(`AADSTS${aadsts}: ${description}`);
  }

  body(): Record<string, unknown> {
    const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
    const traceId = randomUUID();
    const correlationId = randomUUID();
    return {
      error: this.error,
      error_description: `${this.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [this.aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${this.aadsts}`,
    };
  }
}
