import type { Container, Database, SqlParameter } from '@azure/cosmos';
import { onboardingDocumentSchema, STEP_NAMES, type Onboarding, type StepName } from '../../schemas/onboarding';
import { upgradeOnboardingDocument } from '../../schemas/onboarding-migrations';
import {
  AlreadyExists,
  ConcurrencyConflict,
  InvalidContinuationToken,
  type OnboardingFilter,
  type OnboardingPage,
  type OnboardingRowPage,
  type OnboardingStore,
  type ReportFacts,
  type Versioned,
} from '../../ports/onboarding-store';
import { employeeIdOf } from '../../domain/onboarding-id';
import type { OnUnreadable } from '../../ports/unreadable-document';
import { accessoryRequestSchema, type AccessoryRequest } from '../../schemas/accessories';
import { laptopRequestSchema, type LaptopRequest } from '../../schemas/laptops';
import { sealHistory } from '../../audit/history-chain';
import { CONTAINERS } from './containers';
import { cosmosStatus } from './cosmos-errors';
import { parseStored, readableOnly } from './stored-documents';

interface StoredOnboarding extends Onboarding {
  _etag?: string;
}

/**
 * The document as stored: what was appended to its history sealed onto the chain (tamper-evident audit
 * trail), and the approver's upn in lower case beside the decision (`decidedBy`, the list's filter: an
 * equality on an indexed field, where LOWER() in a query would not use the index). Reads drop the key.
 */
function sealed(onboarding: Onboarding): Onboarding & { decidedBy?: string } {
  return {
    ...onboarding,
    history: sealHistory(onboarding.history),
    ...(onboarding.decision ? { decidedBy: onboarding.decision.by.toLowerCase() } : {}),
  };
}

function toVersioned(resource: StoredOnboarding | undefined): Versioned<Onboarding> {
  if (!resource?._etag) throw new Error('Cosmos DB returned an onboarding without an etag');
  return { value: parseStored(onboardingDocumentSchema, upgradeOnboardingDocument(resource)), etag: resource._etag };
}

/**
 * Keyset pagination, newest first: the token carries the creation time and id of the last onboarding returned,
 * and the next page starts strictly after it in (createdAt DESC, id DESC) order. Every match comes exactly
 * once, also while onboardings arrive (a new one sorts before the pages already read).
 */
interface PageKey {
  at: string;
  id: string;
}

function encodeToken(last: PageKey): string {
  return Buffer.from(JSON.stringify({ v: 2, ...last })).toString('base64url');
}

function decodeToken(token: string): PageKey {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'v' in parsed &&
      parsed.v === 2 &&
      'at' in parsed &&
      typeof parsed.at === 'string' &&
      'id' in parsed &&
      typeof parsed.id === 'string'
    ) {
      return { at: parsed.at, id: parsed.id };
    }
  } catch {
    // falls through to the error below
  }
  throw new InvalidContinuationToken('continuationToken is not one this API returned');
}

/**
 * The equality filters that lead the ORDER BY, in this order: each combination has its composite index
 * (shared/definitions/cosmos-containers.json), so that a filtered list is read from the index in order.
 */
const ORDER_PREFIX = ['status', 'priority', 'department', 'decidedBy'] as const;

/** What a row reads of a document (the export, the forecast's leavers): all but its history, outbox and event ids. */
const ROW_FIELDS = [
  ...Object.keys(onboardingDocumentSchema.shape).filter((f) => !['history', 'outbox', 'eventIds'].includes(f)),
  '_etag',
]
  .map((f) => `c.${f}`)
  .join(', ');

export class CosmosOnboardingStore implements OnboardingStore {
  private readonly container: Container;

  /**
   * `onUnreadable`: told of each document that fails its schema (and awaited: the report is recorded before
   * the answer); lists and sweepers go on without it.
   */
  constructor(
    database: Database,
    private readonly onUnreadable: OnUnreadable = () => undefined,
  ) {
    this.container = database.container(CONTAINERS.onboardings.id);
  }

  /** The readable ones: one bad document is set aside (reported), never a reason to fail everyone's list. */
  private readable(resources: StoredOnboarding[]): Promise<Versioned<Onboarding>[]> {
    return readableOnly(resources, toVersioned, this.onUnreadable);
  }

  async get(id: string): Promise<Versioned<Onboarding> | null> {
    const employeeId = employeeIdOf(id);
    if (!employeeId) return null;
    try {
      const { resource } = await this.container.item(id, employeeId).read<StoredOnboarding>();
      return resource ? toVersioned(resource) : null;
    } catch (err) {
      if (cosmosStatus(err) === 404) return null;
      throw err;
    }
  }

  async listForEmployee(employeeId: string): Promise<Versioned<Onboarding>[]> {
    const { resources } = await this.container.items
      .query<StoredOnboarding>(
        {
          query: 'SELECT * FROM c WHERE c.employeeId = @employeeId ORDER BY c.sequence DESC',
          parameters: [{ name: '@employeeId', value: employeeId }],
        },
        { partitionKey: employeeId },
      )
      .fetchAll();
    return this.readable(resources);
  }

  async managedBy(manager: { objectId: string; userPrincipalName: string }, limit: number): Promise<Onboarding[]> {
    const { resources } = await this.container.items
      .query<StoredOnboarding>({
        query:
          `SELECT TOP ${Math.trunc(limit)} * FROM c WHERE c.docType = 'onboarding' AND (c.managerObjectId = @oid OR ` +
          '(NOT IS_DEFINED(c.managerObjectId) AND LOWER(c.managerUpn) = @upn)) ORDER BY c.createdAt DESC',
        parameters: [
          { name: '@oid', value: manager.objectId },
          { name: '@upn', value: manager.userPrincipalName.toLowerCase() },
        ],
      })
      .fetchAll();
    return (await this.readable(resources)).map((v) => v.value);
  }

  async create(onboarding: Onboarding): Promise<Versioned<Onboarding>> {
    // The same schema before a write as after a read: a document this code could not read back is never stored.
    const valid = sealed(onboardingDocumentSchema.parse(onboarding));
    try {
      const { resource } = await this.container.items.create<StoredOnboarding>(valid);
      return toVersioned(resource);
    } catch (err) {
      if (cosmosStatus(err) === 409) throw new AlreadyExists(`onboarding ${onboarding.id} already exists`);
      throw err;
    }
  }

  async replace(onboarding: Onboarding, etag: string): Promise<Versioned<Onboarding>> {
    const valid = sealed(onboardingDocumentSchema.parse(onboarding));
    try {
      const { resource } = await this.container
        .item(valid.id, valid.employeeId)
        .replace<StoredOnboarding>(valid, { accessCondition: { type: 'IfMatch', condition: etag } });
      return toVersioned(resource);
    } catch (err) {
      if (cosmosStatus(err) === 412) throw new ConcurrencyConflict(`onboarding ${onboarding.id} changed meanwhile`);
      throw err;
    }
  }

  async query(filter: OnboardingFilter, limit: number, continuationToken?: string): Promise<OnboardingPage> {
    const { rows, continuationToken: next } = await this.listPage('*', filter, limit, continuationToken);
    return { items: (await this.readable(rows)).map((r) => r.value), continuationToken: next };
  }

  async rowsPage(filter: OnboardingFilter, limit: number, continuationToken?: string): Promise<OnboardingRowPage> {
    const { rows, continuationToken: next } = await this.listPage(ROW_FIELDS, filter, limit, continuationToken);
    // The rows are the documents less their history, outbox and event ids: read with the same schema.
    const full = rows.map((r) => ({ ...r, history: [], outbox: [], eventIds: [] }));
    const items = (await this.readable(full)).map(({ value }) => {
      const { history: _h, outbox: _o, eventIds: _e, ...row } = value;
      return row;
    });
    return { items, continuationToken: next };
  }

  /** One page of the list, newest first, with `select` as the projection. */
  private async listPage(
    select: string,
    filter: OnboardingFilter,
    limit: number,
    continuationToken?: string,
  ): Promise<{ rows: StoredOnboarding[]; continuationToken: string | null }> {
    const where = ["c.docType = 'onboarding'"];
    const parameters: SqlParameter[] = [];
    const add = (clause: string, name: string, value: string) => {
      where.push(clause);
      parameters.push({ name, value });
    };
    if (filter.employeeId) add('c.employeeId = @employeeId', '@employeeId', filter.employeeId);
    if (filter.status) add('c.status = @status', '@status', filter.status);
    if (filter.department) add('c.department = @department', '@department', filter.department);
    if (filter.priority) add('c.priority = @priority', '@priority', filter.priority);
    // A hire's document of an earlier release has no kind.
    if (filter.kind === 'hire') where.push("(c.kind = 'hire' OR NOT IS_DEFINED(c.kind))");
    if (filter.kind === 'equipment') where.push("c.kind = 'equipment'");
    if (filter.startDateFrom) add('c.startDate >= @startDateFrom', '@startDateFrom', filter.startDateFrom);
    if (filter.startDateTo) add('c.startDate <= @startDateTo', '@startDateTo', filter.startDateTo);
    if (filter.decidedBy) add('c.decidedBy = @decidedBy', '@decidedBy', filter.decidedBy.toLowerCase());
    if (continuationToken) {
      const after = decodeToken(continuationToken);
      where.push('(c.createdAt < @afterAt OR (c.createdAt = @afterAt AND c.id < @afterId))');
      parameters.push({ name: '@afterAt', value: after.at }, { name: '@afterId', value: after.id });
    }
    const orderBy = [
      ...ORDER_PREFIX.filter((f) => filter[f] !== undefined).map((f) => `c.${f}`),
      'c.createdAt DESC',
      'c.id DESC',
    ].join(', ');
    const top = Math.trunc(limit) + 1;
    const { resources } = await this.container.items
      .query<StoredOnboarding>(
        { query: `SELECT TOP ${top} ${select} FROM c WHERE ${where.join(' AND ')} ORDER BY ${orderBy}`, parameters },
        filter.employeeId ? { partitionKey: filter.employeeId } : {},
      )
      .fetchAll();
    const rows = resources.slice(0, limit);
    const last = rows.at(-1);
    return {
      rows,
      continuationToken: resources.length > limit && last ? encodeToken({ at: last.createdAt, id: last.id }) : null,
    };
  }

  async withPendingOutbox(olderThan: string, limit: number): Promise<Versioned<Onboarding>[]> {
    const { resources } = await this.container.items
      .query<StoredOnboarding>({
        query: `SELECT TOP ${Math.trunc(limit)} * FROM c WHERE c.docType = 'onboarding' AND ARRAY_LENGTH(c.outbox) > 0 AND c.updatedAt < @olderThan`,
        parameters: [{ name: '@olderThan', value: olderThan }],
      })
      .fetchAll();
    return this.readable(resources);
  }

  async withStuckSteps(olderThan: string, limit: number, now: string): Promise<Versioned<Onboarding>[]> {
    const steps = (statuses: string, names: readonly StepName[] = STEP_NAMES) =>
      names.map((st) => `c.steps.${st}.status IN (${statuses})`).join(' OR ');
    const due = STEP_NAMES.map(
      (st) => `(NOT IS_DEFINED(c.steps.${st}.notBefore) OR c.steps.${st}.notBefore <= @now)`,
    ).join(' AND ');
    const access = STEP_NAMES.filter((st) => st !== 'laptop' && st !== 'accessories');
    // Three flat queries rather than one of nested ORs: the same matches, and the embedded endpoint's query
    // parser takes exponential time in the nesting (a second and more for the one query).
    const where = `SELECT TOP ${Math.trunc(limit)} * FROM c WHERE c.docType = 'onboarding' AND c.updatedAt < @olderThan AND `;
    const queries = [
      // Running, with a step that should be moving; one with a step not due yet (lead times) waits for its day.
      `${where}c.status IN ('provisioning', 'needs-attention') AND (${steps("'pending', 'in-progress'")} OR ` +
        `c.steps.officeLicense.status = 'waiting') AND ${due}`,
      // Cancelled, with a step still to undo.
      `${where}c.status = 'cancelled' AND (${steps("'done', 'in-progress'")})`,
      // A leaver whose access removal has not finished.
      `${where}c.status = 'leaving' AND IS_DEFINED(c.departure.accessRemovedAt) AND (${steps("'done'", access)})`,
    ];
    const found = await Promise.all(
      queries.map(async (query) => {
        const { resources } = await this.container.items
          .query<StoredOnboarding>({
            query,
            parameters: [
              { name: '@olderThan', value: olderThan },
              { name: '@now', value: now },
            ],
          })
          .fetchAll();
        return resources;
      }),
    );
    // Taken in turns, so that many stuck in one way do not starve the others of the pass.
    const turns = Array.from({ length: Math.max(0, ...found.map((f) => f.length)) }, (_, i) =>
      found.flatMap((f) => (i < f.length ? [f[i] as StoredOnboarding] : [])),
    );
    return this.readable(turns.flat().slice(0, limit));
  }

  async waitingForLaptop(limit: number): Promise<LaptopRequest[]> {
    return (await this.waitingFor('laptop', limit)).map((w) => w.request);
  }

  async waitingForSeat(limit: number): Promise<LaptopRequest[]> {
    return (await this.waitingFor('officeLicense', limit)).map((w) => w.request);
  }

  async waitingForAccessories(limit: number): Promise<AccessoryRequest[]> {
    const line = await this.waitingFor('accessories', limit);
    return line.map((w) => accessoryRequestSchema.parse({ ...w.request, kinds: w.accessories }));
  }

  /** The running onboardings whose `step` waits, in the order they are served, with the accessories they need. */
  private async waitingFor(
    step: 'laptop' | 'officeLicense' | 'accessories',
    limit: number,
  ): Promise<{ request: LaptopRequest; accessories: unknown }[]> {
    const { resources } = await this.container.items
      .query<Record<string, unknown>>({
        query:
          `SELECT TOP ${Math.trunc(limit)} c.id, c.employeeId, c.priority, c.startDate, c.site, c.userPrincipalName, ` +
          `c.decision, c.traceparent, c.steps, c.needs FROM c WHERE c.docType = 'onboarding' AND c.steps.${step}.status = 'waiting' ` +
          "AND c.status IN ('provisioning', 'needs-attention') ORDER BY c.priority, c.startDate, c.decision.at",
      })
      .fetchAll();
    return resources.map((r) => ({
      request: laptopRequestSchema.parse({
        onboardingId: r.id,
        employeeId: r.employeeId,
        priority: r.priority,
        startDate: r.startDate,
        site: r.site ?? null,
        userPrincipalName: r.userPrincipalName,
        approvedAt: (r.decision as { at?: string } | null)?.at ?? '',
        attempt: (r.steps as Record<string, { attempt?: number } | undefined> | undefined)?.[step]?.attempt,
        ...(typeof r.traceparent === 'string' ? { traceparent: r.traceparent } : {}),
      }),
      accessories: (r.needs as { accessories?: unknown } | undefined)?.accessories ?? [],
    }));
  }

  async finishedBefore(cutoff: string, limit: number): Promise<Versioned<Onboarding>[]> {
    const { resources } = await this.container.items
      .query<StoredOnboarding>({
        query:
          `SELECT TOP ${Math.trunc(limit)} * FROM c WHERE c.docType = 'onboarding' ` +
          "AND c.status IN ('completed', 'rejected', 'cancelled', 'left') AND c.updatedAt < @cutoff " +
          'AND NOT IS_DEFINED(c.pseudonymisedAt)',
        parameters: [{ name: '@cutoff', value: cutoff }],
      })
      .fetchAll();
    return this.readable(resources);
  }

  async reportFacts(from: string, to: string, onPage: (rows: ReportFacts[]) => void): Promise<void> {
    const iterator = this.container.items.query<ReportFacts>(
      {
        query:
          'SELECT c.id, c.status, c.priority, c.createdAt, c.decision.at AS decidedAt, c.completedAt, ' +
          'c.steps.laptop.handover.at AS handedOverAt, ' +
          STEP_NAMES.map((st) => `c.steps.${st}.status AS ${st}, `).join('') +
          "(c.status = 'needs-attention' ? c.steps : null) AS failing " +
          "FROM c WHERE c.docType = 'onboarding' AND c.createdAt >= @from AND c.createdAt < @to",
        parameters: [
          { name: '@from', value: from },
          { name: '@to', value: to },
        ],
      },
      { maxItemCount: REPORT_PAGE },
    );
    while (iterator.hasMoreResults()) {
      const { resources } = await iterator.fetchNext();
      onPage(resources.map(toReportFacts));
    }
  }
}

/** Documents a report reads at a time. */
const REPORT_PAGE = 500;

type StepFacts = ReportFacts['steps'][StepName];

function toReportFacts(r: unknown): ReportFacts {
  const row = r as {
    id: string;
    status: ReportFacts['status'];
    priority: ReportFacts['priority'];
    createdAt: string;
    decidedAt?: string;
    completedAt?: string;
    handedOverAt?: string;
    failing?: Partial<Record<StepName, StepFacts>> | null;
  } & Partial<Record<StepName, StepFacts['status']>>;
  // A document of an earlier release has no teams or accessories step: it did not need them.
  const step = (name: StepName): StepFacts => {
    const detail = row.failing?.[name]?.detail;
    return { status: row[name] ?? 'skipped', ...(detail !== undefined ? { detail } : {}) };
  };
  return {
    id: row.id,
    status: row.status,
    priority: row.priority,
    createdAt: row.createdAt,
    decidedAt: row.decidedAt ?? null,
    completedAt: row.completedAt ?? null,
    handedOverAt: row.handedOverAt ?? null,
    steps: Object.fromEntries(STEP_NAMES.map((name) => [name, step(name)])) as Record<StepName, StepFacts>,
  };
}
