import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

interface MediaObject {
  schema?: unknown;
}
interface ResponseObject {
  $ref?: string;
  content?: Record<string, MediaObject>;
}
interface OperationObject {
  requestBody?: { content?: Record<string, MediaObject> };
  responses: Record<string, ResponseObject>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components: { responses: Record<string, ResponseObject> };
}

const DOC_ID = 'https://dsi-onboarding.local/openapi.json';

/** The project's openapi.yaml, loaded once, with JSON Schema 2020-12 validation of bodies against it. */
export function loadOpenApi() {
  const doc = parse(readFileSync(path.resolve(__dirname, '..', '..', 'openapi.yaml'), 'utf8')) as OpenApiDocument;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: DOC_ID });

  const pointer = (...parts: string[]) =>
    `${DOC_ID}#/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

  function findOperation(method: string, urlPath: string): { template: string; op: OperationObject } | null {
    const apiPath = urlPath.replace(/^\/api/, '').split('?')[0] ?? '';
    for (const [template, item] of Object.entries(doc.paths)) {
      const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`);
      const op = item[method.toLowerCase()] as OperationObject | undefined;
      if (re.test(apiPath) && op) return { template, op };
    }
    return null;
  }

  function check(schemaRef: string, body: unknown, what: string): void {
    const validate = ajv.getSchema(schemaRef);
    if (!validate) throw new Error(`openapi.yaml has no schema at ${schemaRef}`);
    if (!validate(body))
      throw new Error(
        `${what} does not match openapi.yaml: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`,
      );
  }

  return {
    doc,
    /** Every documented (method, path template) pair. */
    operations(): { method: string; template: string }[] {
      return Object.entries(doc.paths).flatMap(([template, item]) =>
        Object.keys(item)
          .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
          .map((method) => ({ method: method.toUpperCase(), template })),
      );
    },
    /** Throws unless the request body matches the documented request schema. */
    validateRequest(method: string, urlPath: string, body: unknown): void {
      const found = findOperation(method, urlPath);
      if (!found?.op.requestBody?.content?.['application/json']) return;
      check(
        pointer('paths', found.template, method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema'),
        body,
        `request ${method} ${urlPath}`,
      );
    },
    /** Throws unless the status is documented for the operation and the body matches its schema. */
    validateResponse(method: string, urlPath: string, status: number, contentType: string, body: unknown): void {
      const found = findOperation(method, urlPath);
      if (!found) {
        if (status === 404 || status === 405) return; // unknown route or method: problem+json, checked by the tests
        throw new Error(`${method} ${urlPath} is not in openapi.yaml`);
      }
      let response = found.op.responses[String(status)];
      let base = pointer('paths', found.template, method.toLowerCase(), 'responses', String(status));
      if (!response) throw new Error(`${method} ${found.template} does not document status ${status}`);
      if (response.$ref) {
        const name = response.$ref.split('/').pop() ?? '';
        response = doc.components.responses[name];
        base = pointer('components', 'responses', name);
        if (!response) throw new Error(`openapi.yaml: dangling ${String(found.op.responses[String(status)]?.$ref)}`);
      }
      const mediaType = contentType.split(';')[0]?.trim() ?? '';
      if (!response.content) return;
      if (!response.content[mediaType])
        throw new Error(`${method} ${found.template} ${status}: content type ${mediaType} is not documented`);
      check(
        `${base}/content/${mediaType.replace(/\//g, '~1')}/schema`,
        body,
        `response ${method} ${urlPath} ${status}`,
      );
    },
  };
}
export type OpenApi = ReturnType<typeof loadOpenApi>;
