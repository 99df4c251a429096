import type { OpenApi } from './openapi';

/** A small client for the local host's HTTP API, as curl would drive it. */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** With `openApi`, every request and response is validated against openapi.yaml (a mismatch throws). */
export function apiClient(baseUrl: string, openApi?: OpenApi) {
  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { token?: string; json?: unknown; raw?: string; bytes?: Uint8Array; contentType?: string } = {},
  ): Promise<ApiResponse<T>> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.json !== undefined || options.raw !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.contentType !== undefined ? { 'content-type': options.contentType } : {}),
      },
      ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
      ...(options.raw !== undefined ? { body: options.raw } : {}),
      ...(options.bytes !== undefined ? { body: options.bytes } : {}),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    const body = (type.includes('json') && text ? JSON.parse(text) : text) as T;
    openApi?.validateResponse(method, path, res.status, type, body);
    // A request the service accepted must be one the document allows (invalid ones are sent on purpose).
    if (openApi && options.json !== undefined && res.status < 300) openApi.validateRequest(method, path, options.json);
    return { status: res.status, headers: res.headers, body };
  }
  return {
    get: <T = Record<string, unknown>>(path: string, token?: string) => call<T>('GET', path, token ? { token } : {}),
    post: <T = Record<string, unknown>>(path: string, json: unknown, token?: string) =>
      call<T>('POST', path, { json, ...(token ? { token } : {}) }),
    patch: <T = Record<string, unknown>>(path: string, json: unknown, token?: string) =>
      call<T>('PATCH', path, { json, ...(token ? { token } : {}) }),
    call,
  };
}

/** Polls `read` until `done` holds; for flows that finish on the bus after the HTTP answer. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
