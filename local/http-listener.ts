import { HttpRequest, HttpResponse, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostRoute, type HttpFunctionDefinition } from '../functions/definition';
import { MAX_BODY_BYTES } from '../shared/http/http-handler';
import { problem } from '../shared/http/problem';
import { describeError } from '../shared/telemetry/redaction';

/**
 * Matches `onboardings/{id}/history` against a path; returns the route parameters. A last parameter may be
 * optional (`{page?}`): the path may end before it.
 */
export function matchRoute(template: string, pathname: string): Record<string, string> | null {
  const want = template.split('/');
  const got = pathname.split('/');
  const optionalLast = /^\{\w+\?\}$/.test(want.at(-1) ?? '');
  if (!(want.length === got.length || (optionalLast && got.length === want.length - 1))) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    const param = /^\{(\w+)(\?)?\}$/.exec(w);
    if (param?.[1]) {
      if (!g) {
        if (param[2]) continue; // an optional parameter left out
        return null;
      }
      try {
        params[param[1]] = decodeURIComponent(g);
      } catch {
        return null; // a malformed escape (%E0): no such route
      }
    } else if (w.toLowerCase() !== g.toLowerCase()) return null;
  }
  return params;
}

/**
 * The functions in the order the Functions host tries their routes: by name, whatever the templates (a
 * literal segment is not preferred to a parameter; the first match wins). So here too: two routes that
 * can match the same path are told apart by their names, as in Azure.
 * https://github.com/Azure/azure-functions-host/issues/9876, https://github.com/Azure/azure-functions-nodejs-library/issues/300
 */
export function inHostOrder<T extends { name: string }>(functions: readonly T[]): T[] {
  return [...functions].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string): void {
  res.writeHead(status, headers);
  res.end(body);
}

/**
 * Writes a body as it comes (a streamed response, as the Functions host streams it with enableHttpStream):
 * a chunk at a time, waiting for the client to take each; a client gone stops the reading.
 */
async function stream(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: ReadableStream<Uint8Array> | null,
): Promise<void> {
  res.writeHead(status, headers);
  if (!body) {
    res.end();
    return;
  }
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) {
        await reader.cancel();
        break;
      }
      if (!res.write(value)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
    }
  } finally {
    res.end();
  }
}

export function sendInit(res: ServerResponse, init: HttpResponseInit): void {
  const headers = new Headers(init.headers);
  const out: Record<string, string> = {};
  headers.forEach((v, k) => (out[k] = v));
  send(res, init.status ?? 200, out, typeof init.body === 'string' ? init.body : '');
}

/**
 * Reads the request body; null as soon as it exceeds the limit (the caller answers 413 and closes the
 * connection): the rest is never read, so a client cannot make the host take in more than the limit.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.pause();
      resolve(null);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The largest request head the host takes: Kestrel's default (the Functions host), 32 KiB. */
export const MAX_HEADER_BYTES = 32 * 1024;

/** A problem answered on a socket whose request could not be parsed (no ServerResponse exists for it). */
function rawProblem(status: number, reason: string, detail: string): string {
  const body = JSON.stringify({ type: 'about:blank', title: reason, status, detail });
  return [
    `HTTP/1.1 ${status} ${reason}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** A handler of paths outside /api (the issuer's keys, the operator endpoints): true when it answered. */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export interface Listener {
  url: string;
  port: number;
  /** Starts serving: until then every request is answered 503 with Retry-After (none hangs). */
  serve(routes: {
    functions: HttpFunctionDefinition[];
    extra: ExtraRoute[];
    invocation: (name: string) => InvocationContext;
  }): void;
  /**
   * Stops: no new request is taken (503), idle connections close at once, requests in flight get until
   * `deadlineMs`, then every connection is closed.
   */
  close(deadlineMs: number): Promise<void>;
  /** Tests only, as the process dying: at once, every connection is cut and nothing more is answered. */
  abort(): void;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * The local host's HTTP listener, on loopback only. It answers only requests addressed to a loopback name
 * (a page on another site that rebinds its DNS name to 127.0.0.1 sends its own name in Host: 403), and
 * it never leaves a request hanging: before it serves and while it stops, it says so (503).
 */
export async function listen(port: number): Promise<Listener> {
  let routes: Parameters<Listener['serve']>[0] | null = null;
  let stopping = false;
  let inFlight = 0;
  const server: Server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    inFlight += 1;
    res.once('close', () => (inFlight -= 1));
    void handle(req, res).catch((err: unknown) => {
      console.error(`local host: request failed: ${describeError(err)}`);
      if (!res.headersSent) sendInit(res, problem(500, 'the local host failed to serve this request'));
      else res.destroy();
    });
  });
  // A request the parser refuses (a head over 32 KiB, a malformed line) gets problem+json too, as every answer.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    socket.end(
      tooLarge
        ? rawProblem(431, 'Request Header Fields Too Large', `the request's headers are over ${MAX_HEADER_BYTES} bytes`)
        : rawProblem(400, 'Bad Request', 'the request could not be read as HTTP/1.1'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${actual}`;
  const allowedHosts = new Set(LOOPBACK_NAMES.map((n) => `${n}:${actual}`));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host;
    if (host !== undefined && !allowedHosts.has(host.toLowerCase())) {
      req.resume();
      sendInit(res, problem(403, `this host answers requests to its loopback names only, not to ${host}`));
      return;
    }
    if (!routes || stopping) {
      req.resume();
      const what = stopping ? 'stopping' : 'starting';
      sendInit(
        res,
        problem(503, `the local host is ${what}; try again shortly`, {
          headers: { 'retry-after': '1', ...(stopping ? { connection: 'close' } : {}) },
        }),
      );
      return;
    }
    const requestUrl = new URL(req.url ?? '/', url);
    for (const extra of routes.extra) if (await extra(req, res, requestUrl)) return;
    // Each function's route as the Functions host registers it (routePrefix is empty: `api/...`, the console's
    // from the root), tried in the host's order.
    const routePath = requestUrl.pathname.slice(1);
    const matches = routes.functions.flatMap((fn) => {
      const params = matchRoute(hostRoute(fn), routePath);
      return params ? [{ fn, params }] : [];
    });
    const method = (req.method ?? 'GET').toUpperCase();
    const match = matches.find((m) => m.fn.methods.includes(method as HttpFunctionDefinition['methods'][number]));
    if (!match) {
      req.resume();
      if (matches.length > 0) {
        const allow = matches.flatMap((m) => m.fn.methods).join(', ');
        sendInit(res, problem(405, `${method} is not allowed here; use ${allow}`, { headers: { allow } }));
      } else sendInit(res, problem(404, `no route ${requestUrl.pathname}`));
      return;
    }
    // A declared length over the limit is refused before anything is read; an undeclared one as soon as it passes.
    const declared = Number(req.headers['content-length'] ?? 0);
    const maxBytes = match.fn.maxBodyBytes ?? MAX_BODY_BYTES;
    const body = declared > maxBytes ? null : await readBody(req, maxBytes);
    if (body === null) {
      res.once('finish', () => req.destroy());
      sendInit(res, problem(413, `the body is larger than ${maxBytes} bytes`, { headers: { connection: 'close' } }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const request = new HttpRequest({
      method,
      url: requestUrl.toString(),
      headers,
      params: match.params,
      ...(body.length > 0 && method !== 'GET' && method !== 'HEAD' ? { body: { bytes: body } } : {}),
    });
    const context = routes.invocation(match.fn.name);
    let response: HttpResponse;
    try {
      const result = await match.fn.handler(request, context);
      response = result instanceof HttpResponse ? result : new HttpResponse(result);
    } catch (err) {
      context.error(`unhandled error: ${describeError(err)}`);
      response = new HttpResponse(problem(500, 'an unexpected error occurred; it has been logged'));
    }
    const out: Record<string, string> = {};
    response.headers.forEach((v, k) => (out[k] = v));
    await stream(res, response.status, out, response.body);
  }

  return {
    url,
    port: actual,
    serve(r) {
      routes = { ...r, functions: inHostOrder(r.functions) };
    },
    async close(deadlineMs) {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const until = Date.now() + deadlineMs;
      while (inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      server.closeAllConnections();
      await closed;
    },
    abort() {
      stopping = true;
      server.close();
      server.closeAllConnections();
    },
  };
}
