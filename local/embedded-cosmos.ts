import { createHttpsServer } from '@vercel/cosmosdb-server';
import type { CosmosClient, Database } from '@azure/cosmos';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:https';
import { createCosmosClient, ensureDatabase } from '../shared/adapters/cosmos/cosmos-setup';
import { ALL_CONTAINERS } from '../shared/adapters/cosmos/containers';
import { Readable } from 'node:stream';
import { orderByRefusal } from './cosmos-query-index';

/** Documents per container, as saved under .local/ between runs. */
export type CosmosSnapshot = Record<string, Record<string, unknown>[]>;

/** Cosmos DB refuses an item over 2 MB (https://learn.microsoft.com/azure/cosmos-db/concepts-limits). */
export const MAX_ITEM_BYTES = 2 * 1024 * 1024;
/** Cosmos DB refuses a request whose x-ms-date is further than 15 minutes from its clock. */
const MAX_CLOCK_SKEW_MS = 15 * 60_000;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** What the endpoint served, by kind of operation, as Cosmos DB would bill it (the benchmark reads it). */
export interface CosmosStats {
  pointReads: number;
  queries: number;
  /** The SDK's query-plan requests (answered by the gateway in Cosmos DB, not billed): counted apart. */
  queryPlans: number;
  creates: number;
  replaces: number;
  patches: number;
  upserts: number;
  deletes: number;
  /** Writes refused because the etag (or a patch's condition) no longer held. */
  preconditionFailed: number;
  /** Bytes of documents read and written, for an RU estimate. */
  readBytes: number;
  writeBytes: number;
  /** The same, by container and kind of operation ("onboardings replace"): count, bytes, largest. */
  byKind: Record<string, { count: number; bytes: number; maxBytes: number }>;
}

export const emptyCosmosStats = (): CosmosStats => ({
  pointReads: 0,
  queries: 0,
  queryPlans: 0,
  creates: 0,
  replaces: 0,
  patches: 0,
  upserts: 0,
  deletes: 0,
  preconditionFailed: 0,
  readBytes: 0,
  writeBytes: 0,
  byKind: {},
});

function tally(stats: CosmosStats, kind: string, bytes: number): void {
  const entry = (stats.byKind[kind] ??= { count: 0, bytes: 0, maxBytes: 0 });
  entry.count += 1;
  entry.bytes += bytes;
  entry.maxBytes = Math.max(entry.maxBytes, bytes);
}

/** Counts one request of the SDK by its kind, and the bytes of its answer or body. */
function count(stats: CosmosStats, req: IncomingMessage, res: ServerResponse): void {
  const path = DOC_PATH.exec(decodeURI(new URL(req.url ?? '/', 'https://localhost').pathname));
  if (!path) return;
  const method = req.method ?? 'GET';
  const isQuery =
    (req.headers['x-ms-documentdb-isquery'] ?? '').toString().toLowerCase() === 'true' ||
    (req.headers['content-type'] ?? '').startsWith('application/query+json');
  const upsert = (req.headers['x-ms-documentdb-is-upsert'] ?? '').toString().toLowerCase() === 'true';
  const length = Number(req.headers['content-length'] ?? 0);
  if ((req.headers['x-ms-cosmos-is-query-plan-request'] ?? '').toString().toLowerCase() === 'true') {
    stats.queryPlans += 1;
    return;
  }
  let kind: 'pointRead' | 'query' | 'upsert' | 'create' | 'replace' | 'patch' | 'delete' | 'other' = 'other';
  if (method === 'GET' && path[2]) kind = 'pointRead';
  else if (method === 'POST' && isQuery) kind = 'query';
  else if (method === 'POST' && upsert) kind = 'upsert';
  else if (method === 'POST') kind = 'create';
  else if (method === 'PUT') kind = 'replace';
  else if (method === 'PATCH') kind = 'patch';
  else if (method === 'DELETE') kind = 'delete';
  if (kind === 'pointRead') stats.pointReads += 1;
  else if (kind === 'query') stats.queries += 1;
  else if (kind === 'patch') stats.patches += 1;
  else if (kind !== 'other') stats[`${kind}s`] += 1;
  const container = path[1] ?? '';
  const reads = kind === 'pointRead' || kind === 'query';
  if (!reads) {
    stats.writeBytes += length;
    tally(stats, `${container} ${kind}`, length);
  }
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  res.end = ((chunk?: unknown) => {
    if (res.statusCode === 412) {
      stats.preconditionFailed += 1;
      tally(stats, `${container} ${kind} refused (412)`, 0);
    }
    if (reads) {
      const bytes = typeof chunk === 'string' || Buffer.isBuffer(chunk) ? Buffer.byteLength(chunk) : 0;
      stats.readBytes += bytes;
      tally(stats, `${container} ${kind}`, bytes);
    }
    return end(chunk);
  }) as typeof res.end;
}

/** One document written or deleted, as the local host journals it (a put: replaying it twice is harmless). */
export interface CosmosRecord {
  container: string;
  id: string;
  /** The document as stored, without the server's system properties; null: deleted. */
  doc: Record<string, unknown> | null;
  /** The partition key value (for a delete, whose document is gone). */
  partitionKey: unknown;
}

/** Where the endpoint writes its changes down: `flush` resolves once they are on disk. */
export interface CosmosJournal {
  append(record: CosmosRecord): void;
  flush(): Promise<void>;
}

const DOC_PATH = /^\/dbs\/[^/]+\/colls\/([^/]+)\/docs(?:\/([^/]+))?$/;

function withoutSystemProperties(doc: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc).filter(([k]) => !k.startsWith('_')));
}

/**
 * Holds the answer to a document write until the journal has it on disk, so that what the endpoint
 * acknowledges survives a crash of the local host.
 */
function journaled(req: IncomingMessage, res: ServerResponse, journal: CosmosJournal): void {
  const path = DOC_PATH.exec(decodeURI(new URL(req.url ?? '/', 'https://localhost').pathname));
  const method = req.method ?? 'GET';
  const isQuery =
    (req.headers['x-ms-documentdb-isquery'] ?? '').toString().toLowerCase() === 'true' ||
    (req.headers['content-type'] ?? '').startsWith('application/query+json');
  const write =
    path && (method === 'PUT' || method === 'PATCH' || method === 'DELETE' || (method === 'POST' && !isQuery));
  if (!write) return;
  const container = path[1] ?? '';
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  res.end = ((chunk?: unknown) => {
    if (res.statusCode < 200 || res.statusCode > 299) return end(chunk);
    let partitionKey: unknown = null;
    try {
      partitionKey = (JSON.parse(String(req.headers['x-ms-documentdb-partitionkey'] ?? '[null]')) as unknown[])[0];
    } catch {
      // no partition key header: the document says it
    }
    if (method === 'DELETE') {
      journal.append({ container, id: decodeURIComponent(path[2] ?? ''), doc: null, partitionKey });
    } else {
      const doc = JSON.parse(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk)) as Record<
        string,
        unknown
      >;
      journal.append({ container, id: String(doc.id), doc: withoutSystemProperties(doc), partitionKey });
    }
    journal.flush().then(
      () => end(chunk),
      () => {
        res.statusCode = 503;
        end(JSON.stringify({ code: 'ServiceUnavailable', message: 'the local host could not write its journal' }));
      },
    );
    return res;
  }) as typeof res.end;
}

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-ms-request-charge': '0' });
  res.end(JSON.stringify({ code, message }));
}

/**
 * What Cosmos DB signs with a master key: the verb, the resource type and the resource link of the path,
 * and the date (https://learn.microsoft.com/rest/api/cosmos-db/access-control-on-cosmosdb-resources).
 */
export function stringToSign(method: string, pathname: string, date: string): string {
  const segments = decodeURI(pathname)
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .filter(Boolean);
  const feed = segments.length % 2 === 1;
  const resourceType = feed ? (segments.at(-1) ?? '') : (segments.at(-2) ?? '');
  const link = (feed ? segments.slice(0, -1) : segments).join('/');
  return `${method.toLowerCase()}\n${resourceType.toLowerCase()}\n${link}\n${date.toLowerCase()}\n\n`;
}

/**
 * The guards Cosmos DB has and the embedded endpoint lacks: every request signed with the account key
 * (401 otherwise), and no item over 2 MB (413). Without them any process on the machine could rewrite a
 * history entry through the endpoint, and a design could outgrow the real item limit unnoticed.
 */
function guarded(
  handler: Handler,
  key: Buffer,
  journal: () => CosmosJournal | undefined,
  stats: () => CosmosStats | undefined,
): Handler {
  return (req, res) => {
    const date = String(req.headers['x-ms-date'] ?? '');
    let given = '';
    try {
      given = decodeURIComponent(req.headers.authorization ?? '');
    } catch {
      // an undecodable header is not a signature
    }
    const sig = /^type=master&ver=1\.0&sig=(.+)$/.exec(given)?.[1] ?? '';
    const url = new URL(req.url ?? '/', 'https://localhost');
    const expected = createHmac('sha256', key)
      .update(stringToSign(req.method ?? 'GET', url.pathname, date))
      .digest();
    const provided = Buffer.from(sig, 'base64');
    const skew = Math.abs(Date.now() - Date.parse(date));
    if (provided.length !== expected.length || !timingSafeEqual(provided, expected) || !(skew <= MAX_CLOCK_SKEW_MS)) {
      refuse(
        res,
        401,
        'Unauthorized',
        "The input authorization token can't serve the request. The wrong key is being used or the expected payload is not built as per the protocol.",
      );
      return;
    }
    const length = Number(req.headers['content-length'] ?? 0);
    if ((req.method === 'POST' || req.method === 'PUT') && length > MAX_ITEM_BYTES) {
      req.resume();
      refuse(res, 413, 'RequestEntityTooLarge', 'Request size is too large');
      return;
    }
    if (req.headers['x-ms-cosmos-is-batch-request']) {
      // The embedded server does not apply a batch atomically, as Cosmos DB would: refuse it rather than pretend.
      req.resume();
      refuse(res, 400, 'BadRequest', 'transactional batch is not supported by the embedded endpoint');
      return;
    }
    const serve = (request: IncomingMessage) => {
      const sink = journal();
      if (sink) journaled(request, res, sink);
      const counting = stats();
      if (counting) count(counting, request, res);
      handler(request, res);
    };
    const query = QUERY_PATH.exec(url.pathname);
    const isQuery =
      req.method === 'POST' &&
      ((req.headers['x-ms-documentdb-isquery'] ?? '').toString().toLowerCase() === 'true' ||
        (req.headers['content-type'] ?? '').startsWith('application/query+json'));
    if (!query || !isQuery || req.headers['x-ms-cosmos-is-query-plan-request']) {
      serve(req);
      return;
    }
    // A query is read whole, checked against the container's indexing policy as Cosmos DB would, and handed on.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const definition = ALL_CONTAINERS.find((c) => c.id === decodeURIComponent(query[1] ?? ''));
      let text = '';
      try {
        const parsed = (JSON.parse(body.toString('utf8')) as { query?: unknown }).query;
        text = typeof parsed === 'string' ? parsed : '';
      } catch {
        // not JSON: the server answers as it does
      }
      const refusal = definition ? orderByRefusal(definition, text) : null;
      if (refusal) {
        refuse(res, 400, 'BadRequest', refusal);
        return;
      }
      const replay = Object.assign(Readable.from([body]), {
        headers: req.headers,
        method: req.method,
        url: req.url,
        socket: req.socket,
        httpVersion: req.httpVersion,
      }) as unknown as IncomingMessage;
      serve(replay);
    });
  };
}

/** The path of a container's documents (queries are POSTed there). */
const QUERY_PATH = /^\/dbs\/[^/]+\/colls\/([^/]+)\/docs\/?$/;

/**
 * A Cosmos DB NoSQL endpoint on loopback (@vercel/cosmosdb-server) that the real @azure/cosmos client
 * talks to over HTTPS, guarded as Cosmos DB is (key signature, item size). Its certificate is
 * self-signed: only this endpoint's agent trusts it.
 */
export class EmbeddedCosmos {
  private journal: CosmosJournal | undefined;
  /** Set to count what the endpoint serves from then on (the benchmark). */
  stats: CosmosStats | undefined;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    readonly agent: Agent,
    readonly client: CosmosClient,
    readonly database: Database,
    /** The account key: only clients that hold it are served. */
    readonly key: string,
  ) {}

  static async start(databaseName: string, key = randomBytes(64).toString('base64')): Promise<EmbeddedCosmos> {
    const server = createHttpsServer({ keepAlive: true });
    const [handler] = server.listeners('request') as Handler[];
    if (!handler) throw new Error('@vercel/cosmosdb-server has no request handler');
    server.removeAllListeners('request');
    const started: { cosmos?: EmbeddedCosmos } = {};
    server.on(
      'request',
      guarded(
        handler,
        Buffer.from(key, 'base64'),
        () => started.cosmos?.journal,
        () => started.cosmos?.stats,
      ),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const agent = new Agent({ rejectUnauthorized: false, keepAlive: true });
    const client = createCosmosClient({ endpoint, databaseName, key, agent });
    const database = await ensureDatabase(client, databaseName);
    started.cosmos = new EmbeddedCosmos(server, endpoint, agent, client, database, key);
    return started.cosmos;
  }

  /** From now on, every document write is answered only once the journal has it on disk. */
  journalTo(journal: CosmosJournal): void {
    this.journal = journal;
  }

  async load(snapshot: CosmosSnapshot): Promise<void> {
    for (const def of ALL_CONTAINERS) {
      const container = this.database.container(def.id);
      for (const doc of snapshot[def.id] ?? []) await container.items.upsert(doc);
    }
  }

  async snapshot(): Promise<CosmosSnapshot> {
    const out: CosmosSnapshot = {};
    for (const def of ALL_CONTAINERS) {
      const { resources } = await this.database
        .container(def.id)
        // One page: the embedded server answers it in one pass, so no document is skipped while others change.
        .items.query<Record<string, unknown>>('SELECT * FROM c', { maxItemCount: 1_000_000 })
        .fetchAll();
      // System properties (_rid, _etag, _ts...) are the server's: it sets them anew on load.
      out[def.id] = resources.map(withoutSystemProperties);
    }
    return out;
  }

  async stop(): Promise<void> {
    this.client.dispose();
    this.agent.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
