import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { z } from 'zod';
import type { Actor } from '../domain/actor';
import { DomainError, ErrorCodes, type ErrorCode } from '../domain/errors';
import { AuthenticationError, type Principal, type TokenValidator } from '../ports/token-validator';
import { InvalidContinuationToken } from '../ports/onboarding-store';
import { UnreadableDocument } from '../ports/unreadable-document';
import { TenantRefusal, TransientError } from '../ports/provisioners';
import { toFieldErrors } from '../schemas/validation';
import type { Role } from '../domain/roles';
import { describeError, redact } from '../telemetry/redaction';
import { problem, problemBody, problemResponse, type Problem } from './problem';
import { Admission, BUSY_RETRY_AFTER_SECONDS } from '../app/operations/admission';

/** Bodies over this size are refused with 413, whichever host serves the request. */
export const MAX_BODY_BYTES = 256 * 1024;

const STATUS_OF: Record<ErrorCode, number> = {
  [ErrorCodes.alreadyDecided]: 409,
  [ErrorCodes.notRetryable]: 409,
  [ErrorCodes.illegalTransition]: 409,
  [ErrorCodes.selfApproval]: 403,
  [ErrorCodes.notFound]: 404,
  [ErrorCodes.finished]: 409,
  [ErrorCodes.upnNotCorrectable]: 409,
  [ErrorCodes.undoRefused]: 409,
  [ErrorCodes.undoNotYours]: 409,
  [ErrorCodes.undoTooLate]: 409,
  [ErrorCodes.laptopNotFound]: 404,
  [ErrorCodes.laptopNotReturnable]: 409,
  [ErrorCodes.laptopNotHandable]: 409,
  [ErrorCodes.deliveryNotFound]: 404,
};

/** A response that ends the request early (bad body, missing role...). */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(readonly response: HttpResponseInit) {
    super(`HTTP ${response.status ?? 500}`);
  }
}

export interface RequestTools {
  principal: Principal;
  /** Who the caller is in the history: a person's upn, or `app:<client id>`, with the object id. */
  actor: Actor;
  /** Reads the body as JSON and parses it with `schema`; 413, 400 (malformed) or 400 (invalid, naming the fields). */
  body<T extends z.ZodType>(schema: T): Promise<z.infer<T>>;
  /**
   * Reads a body that is not JSON (an uploaded file) of one of `contentTypes`: 415 otherwise, 413 over
   * `maxBytes`, 400 when empty.
   */
  bytes(options: { maxBytes: number; contentTypes: readonly string[] }): Promise<Uint8Array>;
  /** Parses the query string with `schema`; 400 naming the bad parameters. */
  query<T extends z.ZodType>(schema: T): z.infer<T>;
}

export interface SecuredRoute {
  /** Any of these roles grants access; `signed-in`: anyone signed in, with or without a role (a manager). */
  roles: readonly Role[] | 'signed-in';
  /** Only a person may do this (deciding, retrying...): an application token gets 403 whatever its roles. */
  person?: boolean;
  handle(req: HttpRequest, tools: RequestTools, context: InvocationContext): Promise<HttpResponseInit>;
}

export function validationProblem(error: z.ZodError, what: string): HttpResponseInit {
  const errors = toFieldErrors(error);
  return problem(400, `${what} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, {
    code: 'VALIDATION',
    errors,
  });
}

/** The body's bytes, refused with 413 over `maxBytes` (a declared length over it before anything is read). */
async function readBytes(req: HttpRequest, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new HttpProblem(problem(413, `the body is larger than ${maxBytes} bytes`));
  if (Number(req.headers.get('content-length') ?? '0') > maxBytes) throw tooLarge();
  const bytes = Buffer.from(await req.arrayBuffer());
  if (bytes.length > maxBytes) throw tooLarge();
  return bytes;
}

/** The media type of the body, lower case, without parameters. */
const mediaTypeOf = (req: HttpRequest) =>
  (req.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

async function readJson(req: HttpRequest): Promise<unknown> {
  requireJsonContentType(req);
  const bytes = await readBytes(req, MAX_BODY_BYTES);
  if (bytes.length === 0) throw new HttpProblem(problem(400, 'a JSON body is required', { code: 'MALFORMED_JSON' }));
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message : 'unreadable';
    throw new HttpProblem(problem(400, `the body is not valid JSON: ${reason}`, { code: 'MALFORMED_JSON' }));
  }
}

/** The query as one value a parameter: a repeated one (`status=a&status=b`) is refused, not "the last wins". */
function queryObject(req: HttpRequest): Record<string, string> {
  const out: Record<string, string> = {};
  const repeated = new Set<string>();
  req.query.forEach((value, key) => {
    if (key in out) repeated.add(key);
    out[key] = value;
  });
  if (repeated.size > 0) {
    const names = [...repeated].join(', ');
    throw new HttpProblem(
      problem(400, `the query repeats ${names}: give each parameter once`, {
        code: 'VALIDATION',
        errors: [...repeated].map((path) => ({ path, message: 'must be given once' })),
      }),
    );
  }
  return out;
}

/** A JSON body is declared as such: `application/json` (any charset parameter), or `application/…+json`. */
function requireJsonContentType(req: HttpRequest): void {
  const type = mediaTypeOf(req);
  if (type !== 'application/json' && !/^application\/[\w.-]+\+json$/.test(type)) {
    throw new HttpProblem(
      problem(415, `the body must be JSON, sent with Content-Type: application/json (not ${type || 'none'})`, {
        headers: { 'accept-post': 'application/json' },
      }),
    );
  }
}

/**
 * A bulk request's answer (`POST /api/decisions`, `/api/departures/confirm`): each onboarding's outcome with its
 * status, the onboarding as the API shows it or its problem.
 */
export function bulkResults<T>(
  outcomes: readonly ({ onboardingId: string } & ({ ok: true; onboarding: T } | { ok: false; error: unknown }))[],
  view: (onboarding: T) => unknown,
  context: InvocationContext,
) {
  return outcomes.map((outcome) => {
    const { onboardingId } = outcome;
    if (outcome.ok) return { onboardingId, status: 200, onboarding: view(outcome.onboarding) };
    const { problem } = problemOf(outcome.error, context);
    return { onboardingId, status: problem.status, problem };
  });
}

/** What a use case threw, as a problem (with the headers it calls for); unknown errors are 500 (and logged). */
export function problemOf(
  err: unknown,
  context: InvocationContext,
): { problem: Problem; headers?: Record<string, string> } {
  if (err instanceof DomainError) return { problem: problemBody(STATUS_OF[err.code], err.message, { code: err.code }) };
  if (err instanceof InvalidContinuationToken)
    return { problem: problemBody(400, err.message, { code: 'VALIDATION' }) };
  if (err instanceof UnreadableDocument) {
    context.error(`unreadable document ${err.id}: ${redact(err.reason)}`);
    const detail = `${err.id} is stored in a form this service cannot read; it is set aside for an operator`;
    return { problem: problemBody(500, detail, { code: 'UNREADABLE_DOCUMENT' }) };
  }
  if (err instanceof TenantRefusal) {
    const detail = `the Microsoft 365 tenant refused it (${err.code}): ${err.message}`;
    return { problem: problemBody(502, detail, { code: 'TENANT_REFUSED' }) };
  }
  if (err instanceof TransientError) {
    const retryAfter = String(Math.max(1, Math.ceil(err.retryAfterSeconds ?? 5)));
    const detail = `a service this depends on is unavailable: ${err.message}`;
    return { problem: problemBody(503, detail, { code: 'UNAVAILABLE' }), headers: { 'retry-after': retryAfter } };
  }
  context.error(`unhandled error: ${describeError(err)}`);
  return { problem: problemBody(500, 'an unexpected error occurred; it has been logged') };
}

/** Maps what a use case threw to a problem response. */
export function errorResponse(err: unknown, context: InvocationContext): HttpResponseInit {
  if (err instanceof HttpProblem) return err.response;
  const { problem, headers } = problemOf(err, context);
  return problemResponse(problem, headers);
}

/** The history's name for a caller: a person by upn, an application by client id; both with the object id. */
export function actorOf(principal: Principal): Actor {
  return principal.kind === 'person'
    ? { name: principal.userPrincipalName, id: principal.oid }
    : { name: `app:${principal.appId}`, id: principal.oid };
}

/** What a secured route needs of the services: the token validator and the instance's admission of requests. */
export interface SecuredDeps {
  tokenValidator: TokenValidator;
  admission: Admission;
}

/**
 * Admits the request (503 with Retry-After when the instance is full), authenticates (401), authorizes (403),
 * then runs the route; every failure becomes problem+json.
 */
export function secured(getDeps: () => Promise<SecuredDeps>, route: SecuredRoute) {
  return async (req: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    let admission: Admission | undefined;
    try {
      const deps = await getDeps();
      if (!deps.admission.tryEnter()) {
        return problem(
          503,
          `the service is working on ${deps.admission.limit} requests already; try again in ${BUSY_RETRY_AFTER_SECONDS} s`,
          { code: 'BUSY', headers: { 'retry-after': String(BUSY_RETRY_AFTER_SECONDS) } },
        );
      }
      admission = deps.admission;
      let principal: Principal;
      try {
        principal = await deps.tokenValidator.validate(req.headers.get('authorization'));
      } catch (err) {
        if (!(err instanceof AuthenticationError)) throw err;
        return problem(401, err.message, { headers: { 'www-authenticate': 'Bearer' } });
      }
      if (route.person && principal.kind === 'app') {
        return problem(403, 'this needs a person signed in; an application token may not do it', {
          code: 'PERSON_REQUIRED',
        });
      }
      if (route.roles !== 'signed-in' && !route.roles.some((r) => principal.roles.includes(r))) {
        return problem(403, `this needs one of the roles: ${route.roles.join(', ')}`);
      }
      const tools: RequestTools = {
        principal,
        actor: actorOf(principal),
        body: async (schema) => {
          const parsed = schema.safeParse(await readJson(req));
          if (!parsed.success) throw new HttpProblem(validationProblem(parsed.error, 'the body'));
          return parsed.data;
        },
        bytes: async ({ maxBytes, contentTypes }) => {
          const type = mediaTypeOf(req);
          if (!contentTypes.includes(type)) {
            throw new HttpProblem(
              problem(
                415,
                `the body must be sent with Content-Type ${contentTypes.join(' or ')} (not ${type || 'none'})`,
                {
                  headers: { 'accept-post': contentTypes.join(', ') },
                },
              ),
            );
          }
          const bytes = await readBytes(req, maxBytes);
          if (bytes.length === 0) throw new HttpProblem(problem(400, 'a body is required', { code: 'VALIDATION' }));
          return bytes;
        },
        query: (schema) => {
          const parsed = schema.safeParse(queryObject(req));
          if (!parsed.success) throw new HttpProblem(validationProblem(parsed.error, 'the query'));
          return parsed.data;
        },
      };
      return await route.handle(req, tools, context);
    } catch (err) {
      return errorResponse(err, context);
    } finally {
      admission?.leave();
    }
  };
}
