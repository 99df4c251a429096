import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { securedRoute, type HttpFunctionDefinition } from './definition';
import type { ServicesProvider } from '../shared/app/services';
import { json, problem } from '../shared/http/problem';
import { describeError } from '../shared/telemetry/redaction';

/** GET /api/health: anonymous liveness. */
export function health(): HttpFunctionDefinition {
  return {
    kind: 'http',
    name: 'health',
    methods: ['GET'],
    route: 'health',
    handler: () => Promise.resolve({ status: 200, jsonBody: { status: 'ok' } }),
  };
}

/** The OpenAPI document at the project root, found from the source tree or from dist/. */
async function readOpenApi(): Promise<string> {
  const candidates = [path.join(__dirname, '..', 'openapi.yaml'), path.join(__dirname, '..', '..', 'openapi.yaml')];
  for (const file of candidates) {
    try {
      return await readFile(file, 'utf8');
    } catch {
      // try the next place
    }
  }
  throw new Error('openapi.yaml is not deployed with the functions');
}

/** GET /api/openapi.yaml: the contract of this API. */
export function openApiDocument(): HttpFunctionDefinition {
  return {
    kind: 'http',
    name: 'openapi',
    methods: ['GET'],
    route: 'openapi.yaml',
    async handler(_req, context) {
      try {
        return { status: 200, headers: { 'content-type': 'application/yaml' }, body: await readOpenApi() };
      } catch (err) {
        context.error(describeError(err));
        return problem(500, 'the OpenAPI document is missing from this deployment');
      }
    },
  };
}

/**
 * GET /api/me: who the token is for, as the API sees it (kind, object id, name, roles), so that the console
 * shows only what the signed-in person may do. The API still checks every call; this decides no right.
 */
export function me(services: ServicesProvider): HttpFunctionDefinition {
  return securedRoute(services, 'me', 'GET', 'me', {
    // Anyone signed in: a manager without a role sees who they are, and their arrivals.
    roles: 'signed-in',
    handle(_req, tools) {
      const p = tools.principal;
      return Promise.resolve(
        json(200, {
          kind: p.kind,
          oid: p.oid,
          name: tools.actor.name,
          roles: p.roles,
        }),
      );
    },
  });
}

/**
 * GET /api/me/arrivals: the arrivals whose manager is the signed-in person (compared by object id), with only
 * what a manager needs to follow them: no role needed.
 */
export function myArrivals(services: ServicesProvider): HttpFunctionDefinition {
  return securedRoute(services, 'me-arrivals', 'GET', 'me/arrivals', {
    roles: 'signed-in',
    person: true,
    async handle(_req, tools) {
      const p = tools.principal;
      if (p.kind !== 'person') throw new Error('a person signed in');
      const items = await (
        await services()
      ).onboardings.arrivals({ objectId: p.oid, userPrincipalName: p.userPrincipalName });
      return json(200, { items });
    },
  });
}
