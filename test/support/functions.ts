import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { allFunctions } from '../../functions/all-functions';
import type { HttpFunctionDefinition, QueueFunctionDefinition } from '../../functions/definition';
import type { Services } from '../../shared/app/services';

/** The function definitions over the given services, looked up by name, as a host would. */
export function functionsOver(services: Services) {
  const defs = allFunctions(() => Promise.resolve(services));
  const byName = (name: string) => {
    const def = defs.find((d) => d.name === name);
    if (!def) throw new Error(`no function ${name}`);
    return def;
  };
  return {
    http(name: string): HttpFunctionDefinition {
      const def = byName(name);
      if (def.kind !== 'http') throw new Error(`${name} is not an HTTP function`);
      return def;
    },
    queue(name: string): QueueFunctionDefinition {
      const def = byName(name);
      if (def.kind !== 'serviceBusQueue') throw new Error(`${name} is not a queue function`);
      return def;
    },
  };
}

export function queueContext(functionName: string, triggerMetadata: Record<string, unknown> = {}): InvocationContext {
  return new InvocationContext({
    invocationId: 'test',
    functionName,
    logHandler: () => undefined,
    triggerMetadata: { messageId: 'm', deliveryCount: 1, ...triggerMetadata },
  });
}

export interface CalledResponse {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
  /** The body as text (a CSV, say); `json` is it parsed when it is JSON. */
  body: string;
}

/** Calls an HTTP handler directly with a constructed HttpRequest. */
export async function callHttp(
  def: HttpFunctionDefinition,
  init: {
    method?: string;
    token?: string;
    body?: string;
    params?: Record<string, string>;
    query?: string;
    headers?: Record<string, string>;
  },
): Promise<CalledResponse> {
  const req = new HttpRequest({
    method: init.method ?? def.methods[0] ?? 'GET',
    url: `http://127.0.0.1/api/${def.route}${init.query ? `?${init.query}` : ''}`,
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      // A body is sent as JSON, as a client does (a test of another type says so in `headers`).
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    params: init.params ?? {},
    ...(init.body !== undefined ? { body: { string: init.body } } : {}),
  });
  const result = await def.handler(req, new InvocationContext({ logHandler: () => undefined }));
  const res = result instanceof HttpResponse ? result : new HttpResponse(result);
  // Decoded keeping a byte order mark (Response.text() would drop it): the export must carry one.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  const isJson = /json/.test(res.headers.get('content-type') ?? 'application/json');
  return {
    status: res.status,
    headers: res.headers,
    json: text && isJson ? (JSON.parse(text) as Record<string, unknown>) : {},
    body: text,
  };
}
