import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { HttpFunctionDefinition } from './definition';
import { problem } from '../shared/http/problem';
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
