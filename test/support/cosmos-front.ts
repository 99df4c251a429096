import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, request, Agent, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringToSign, type EmbeddedCosmos } from '../../local/embedded-cosmos';
import { TLS_CERT_FILE } from '../../local/simulated-tenant';

/** The loopback certificate's key (local/tls), as the simulated tenant serves with it. */
const TLS_KEY_FILE = TLS_CERT_FILE.replace(/loopback-cert\.pem$/, 'loopback-key.pem');

/**
 * A Cosmos DB endpoint as strict as Azure's, in front of the embedded one (which signs with the master key and never
 * throttles):
 * - `auth: 'data-plane-rbac'`: as an account with local authentication disabled. Requests must carry a Microsoft
 *   Entra token (`type=aad`); a master-key signature is 401. Data operations (documents, queries, metadata reads) are
 *   re-signed with the key and handed on; database, container and throughput operations are refused 403 substatus
 *   5300, "cannot be authorized by AAD token in data plane", as Cosmos DB answers them
 *   (https://learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac#permission-model; e.g. dotnet/efcore#32197).
 * - `throttle`: answers 429 with `x-ms-retry-after-ms` and substatus 3200 ("Request rate is large") instead of
 *   handing a request on, while it returns a wait in ms
 *   (https://learn.microsoft.com/azure/cosmos-db/nosql/troubleshoot-request-rate-too-large).
 */
export interface CosmosFrontOptions {
  auth: 'master-key' | 'data-plane-rbac';
  /** Data-plane RBAC: false as for an identity without its data role assignment (every request 403, substatus 5301). */
  dataRole?: boolean;
  /** A wait (ms) to answer 429 with, or null to hand the request on. */
  throttle?: (req: { method: string; path: string }) => number | null;
}

export interface FrontRequest {
  method: string;
  path: string;
  status: number;
}

/**
 * Database, container, throughput and user operations: the control plane's in Azure (ARM, Bicep), never the data
 * plane's. Reading their metadata (GET, or a query of them) is data plane (readMetadata).
 */
export function isManagementOperation(method: string, path: string, isQuery = false): boolean {
  const segments = path.split('/').filter(Boolean);
  if (segments[0] === 'offers') return true;
  if (segments[0] !== 'dbs') return false;
  if (segments[2] === 'users') return true;
  // /dbs, /dbs/{db}, /dbs/{db}/colls, /dbs/{db}/colls/{c}: creating, replacing or deleting them.
  return segments.length <= 4 && method !== 'GET' && !isQuery;
}

export class CosmosFront {
  readonly requests: FrontRequest[] = [];
  /** Answers the client trusts this front's certificate with. */
  readonly agent = new Agent({ ca: readFileSync(TLS_CERT_FILE), keepAlive: true });

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(target: EmbeddedCosmos, options: CosmosFrontOptions): Promise<CosmosFront> {
    const key = Buffer.from(target.key, 'base64');
    const targetUrl = new URL(target.endpoint);
    const holder: { front?: CosmosFront } = {};
    const server = createServer(
      { cert: readFileSync(TLS_CERT_FILE), key: readFileSync(TLS_KEY_FILE), keepAlive: true },
      (req, res) => {
        void serve(req, res);
      },
    );
    const answer = (req: IncomingMessage, res: ServerResponse, status: number, body: object, headers = {}) => {
      holder.front?.requests.push({ method: req.method ?? 'GET', path: pathOf(req), status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const pathOf = (req: IncomingMessage) => decodeURI(new URL(req.url ?? '/', 'https://front').pathname);

    async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const method = req.method ?? 'GET';
      const path = pathOf(req);
      const headers: Record<string, string | string[] | undefined> = { ...req.headers };
      if (options.auth === 'data-plane-rbac') {
        let authorization = '';
        try {
          authorization = decodeURIComponent(req.headers.authorization ?? '');
        } catch {
          // not a signature
        }
        if (
          !authorization.startsWith('type=aad&ver=1.0&sig=') ||
          authorization.length <= 'type=aad&ver=1.0&sig='.length
        ) {
          answer(req, res, 401, {
            code: 'Unauthorized',
            message: 'Local Authorization is disabled. Use an AAD token to authorize all requests.',
          });
          return;
        }
        if (options.dataRole === false) {
          answer(
            req,
            res,
            403,
            {
              code: 'Forbidden',
              message:
                'Request blocked by Auth front : Request is blocked because principal [mi] does not have required RBAC permissions to perform action [Microsoft.DocumentDB/databaseAccounts/readMetadata] on resource [/]. Learn more: https://aka.ms/cosmos-native-rbac.',
            },
            { 'x-ms-substatus': '5301' },
          );
          return;
        }
        const isQuery = String(req.headers['x-ms-documentdb-isquery'] ?? '').toLowerCase() === 'true';
        if (isManagementOperation(method, path, isQuery)) {
          answer(
            req,
            res,
            403,
            {
              code: 'Forbidden',
              message: `Request blocked by Auth front : The given request [${method} ${path}] cannot be authorized by AAD token in data plane. Learn more: https://aka.ms/cosmos-native-rbac.`,
            },
            { 'x-ms-substatus': '5300' },
          );
          return;
        }
        // The embedded endpoint knows only its key: the front signs for the token it checked.
        const date = String(req.headers['x-ms-date'] ?? new Date().toUTCString());
        const sig = createHmac('sha256', key)
          .update(stringToSign(method, path, date))
          .digest('base64');
        headers['x-ms-date'] = date;
        headers.authorization = encodeURIComponent(`type=master&ver=1.0&sig=${sig}`);
      }
      const wait = options.throttle?.({ method, path }) ?? null;
      if (wait !== null) {
        answer(
          req,
          res,
          429,
          {
            code: '429',
            message:
              'Message: {"Errors":["Request rate is large. More Request Units may be needed, so no changes were made. Please retry this request later. Learn more: http://aka.ms/cosmosdb-error-429"]}',
          },
          { 'x-ms-retry-after-ms': String(wait), 'x-ms-substatus': '3200' },
        );
        return;
      }
      const forwarded = request(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          method,
          path: req.url,
          headers: { ...headers, 'content-length': String(Buffer.concat(chunks).length) },
          agent: target.agent,
        },
        (upstream) => {
          holder.front?.requests.push({ method, path, status: upstream.statusCode ?? 0 });
          if (path !== '/') {
            res.writeHead(upstream.statusCode ?? 502, upstream.headers);
            upstream.pipe(res);
            return;
          }
          // The database account names its regional endpoints: the front's, so that the SDK's endpoint discovery
          // comes back here and not to the embedded endpoint behind it.
          const body: Buffer[] = [];
          upstream.on('data', (chunk: Buffer) => body.push(chunk));
          upstream.on('end', () => {
            const text = Buffer.concat(body)
              .toString('utf8')
              .split(`${target.endpoint}/`)
              .join(`${holder.front?.endpoint ?? ''}/`);
            const { 'content-length': _length, ...rest } = upstream.headers;
            res.writeHead(upstream.statusCode ?? 502, { ...rest, 'content-length': String(Buffer.byteLength(text)) });
            res.end(text);
          });
        },
      );
      forwarded.on('error', (err) => answer(req, res, 502, { code: 'BadGateway', message: err.message }));
      forwarded.end(Buffer.concat(chunks));
    }

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    holder.front = new CosmosFront(server, `https://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.front;
  }

  /** The requests refused as management operations. */
  get refused(): FrontRequest[] {
    return this.requests.filter((r) => r.status === 403);
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
