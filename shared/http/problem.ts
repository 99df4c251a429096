import type { HttpResponseInit } from '@azure/functions';
import type { FieldError } from '../schemas/validation';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An RFC 9457 problem details body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  errors?: FieldError[];
}

export interface ProblemExtra {
  code?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Extension members (RFC 9457 §3.2): more of what the client needs, beside the standard ones. */
  members?: Record<string, unknown>;
}

/** The problem's body alone (a bulk answer carries one per item). */
export function problemBody(status: number, detail: string, extra: ProblemExtra = {}): Problem {
  return {
    type: extra.code ? `urn:dsi-onboarding:problem:${extra.code}` : 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...extra.members,
    ...(extra.code ? { code: extra.code } : {}),
    ...(extra.errors ? { errors: extra.errors } : {}),
  };
}

/** A problem as the response that carries it. */
export function problemResponse(body: Problem, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status: body.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify(body),
  };
}

export function problem(status: number, detail: string, extra: ProblemExtra = {}): HttpResponseInit {
  return problemResponse(problemBody(status, detail, extra), extra.headers);
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
