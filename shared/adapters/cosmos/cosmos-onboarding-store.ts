import type { Container, Database, SqlParameter } from '@azure/cosmos';
import {
  onboardingDocumentSchema,
  onboardingStatusSchema,
  STEP_NAMES,
  type Onboarding,
  type OnboardingStatus,
  type StepName,
} from '../../schemas/onboarding';
import { foldText, searchTerms, searchTextOf } from '../../domain/search-text';
import { upgradeOnboardingDocument } from '../../schemas/onboarding-migrations';
import {
  AlreadyExists,
  ATTENTION_REASONS,
  ConcurrencyConflict,
  InvalidContinuationToken,
  NEWEST_FIRST,
  type AttentionCriteria,
  type AttentionReason,
  type ListOrder,
  type OnboardingFilter,
  type OnboardingRow,
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
 * trail), and beside it the keys the list reads from the index, where a function in a query would not use it
 * (reads drop them): the approver's upn in lower case (`decidedBy`, the list's filter), the display name, upn
 * and employee id folded (`search`: `q` is a CONTAINS on it, ignoring case and accents on Cosmos DB and on the
 * embedded endpoint alike) and the display name folded (`sortName`, `sort=displayName`).
 */
function sealed(onboarding: Onboarding): Onboarding & { decidedBy?: string; search: string; sortName: string } {
  return {
    ...onboarding,
    history: sealHistory(onboarding.history),
    ...(onboarding.decision ? { decidedBy: onboarding.decision.by.toLowerCase() } : {}),
    search: searchTextOf(onboarding),
    sortName: foldText(onboarding.displayName),
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

/**
 * Another order (`sort`, `order`): the token names it, and carries the last item's sort key (null: the field is
 * not in that document, a document of an earlier release without `sortName`) and id.
 */
interface SortedKey {
  sort: ListOrder['sort'];
  order: ListOrder['order'];
  key: string | null;
  id: string;
}

function encodeSortedToken(last: SortedKey): string {
  return Buffer.from(JSON.stringify({ v: 3, ...last })).toString('base64url');
}

const INVALID_TOKEN = 'continuationToken is not one this API returned for this sort and order';

function readToken(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidContinuationToken(INVALID_TOKEN);
  }
}

function decodeToken(token: string): PageKey {
  const parsed = readToken(token);
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
  throw new InvalidContinuationToken(INVALID_TOKEN);
}

function decodeSortedToken(token: string, order: ListOrder): SortedKey {
  const parsed = readToken(token);
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    'v' in parsed &&
    parsed.v === 3 &&
    'sort' in parsed &&
    parsed.sort === order.sort &&
    'order' in parsed &&
    parsed.order === order.order &&
    'key' in parsed &&
    (typeof parsed.key === 'string' || parsed.key === null) &&
    'id' in parsed &&
    typeof parsed.id === 'string'
  ) {
    return { sort: order.sort, order: order.order, key: parsed.key, id: parsed.id };
  }
  throw new InvalidContinuationToken(INVALID_TOKEN);
}

/** The stored field each sort reads (a display name sorts folded: « Élodie » beside « Eric », not after « Zoé »). */
const SORT_FIELDS: Record<ListOrder['sort'], string> = {
  createdAt: 'createdAt',
  startDate: 'startDate',
  displayName: 'sortName',
};

/**
 * The next page's condition after `last` in (field, id) order. A field a document lacks sorts lowest (Cosmos DB
 * returns such documents with ORDER BY, first when ascending): the condition keeps them in their place.
 */
function afterKey(field: string, last: SortedKey): string {
  const f = `c.${field}`;
  if (last.order === 'asc') {
    return last.key === null
      ? `((NOT IS_DEFINED(${f}) AND c.id > @afterId) OR IS_DEFINED(${f}))`
      : `(${f} > @afterKey OR (${f} = @afterKey AND c.id > @afterId))`;
  }
  return last.key === null
    ? `(NOT IS_DEFINED(${f}) AND c.id < @afterId)`
    : `(${f} < @afterKey OR (${f} = @afterKey AND c.id < @afterId) OR NOT IS_DEFINED(${f}))`;
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

  async query(
    filter: OnboardingFilter,
    limit: number,
    continuationToken?: string,
    order: ListOrder = NEWEST_FIRST,
  ): Promise<OnboardingPage> {
    const { rows, continuationToken: next } = await this.listPage('*', filter, limit, continuationToken, order);
    return { items: (await this.readable(rows)).map((r) => r.value), continuationToken: next };
  }

  async addSearchKeys(limit: number): Promise<number> {
    const { resources } = await this.container.items
      .query<StoredOnboarding>(
        `SELECT TOP ${Math.trunc(limit)} * FROM c WHERE c.docType = 'onboarding' AND NOT IS_DEFINED(c.search)`,
      )
      .fetchAll();
    let written = 0;
    for (const { value, etag } of await this.readable(resources)) {
      try {
        // Written as it is: the document gains the keys the store keeps beside it, nothing else changes.
        await this.replace(value, etag);
        written += 1;
      } catch (err) {
        // Changed meanwhile: its writer gave it the keys.
        if (!(err instanceof ConcurrencyConflict)) throw err;
      }
    }
    return written;
  }

  async appliedEvents(employeeIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const unique = [...new Set(employeeIds)];
    // A few hundred ids a query: the query's text stays well under Cosmos DB's limits.
    for (let i = 0; i < unique.length; i += 200) {
      const { resources } = await this.container.items
        .query<string[]>({
          query:
            "SELECT VALUE c.eventIds FROM c WHERE c.docType = 'onboarding' AND ARRAY_CONTAINS(@employeeIds, c.employeeId)",
          parameters: [{ name: '@employeeIds', value: unique.slice(i, i + 200) }],
        })
        .fetchAll();
      for (const ids of resources) if (Array.isArray(ids)) for (const id of ids) found.add(id);
    }
    return found;
  }

  async count(filter: OnboardingFilter): Promise<number> {
    const { where, parameters } = whereOf(filter);
    const { resources } = await this.container.items
      .query<number>(
        { query: `SELECT VALUE COUNT(1) FROM c WHERE ${where.join(' AND ')}`, parameters },
        filter.employeeId ? { partitionKey: filter.employeeId } : {},
      )
      .fetchAll();
    return resources[0] ?? 0;
  }

  async countByStatus(): Promise<Record<OnboardingStatus, number>> {
    // One count a status (the embedded endpoint has no GROUP BY; on Cosmos DB each is an index lookup).
    const counts = await Promise.all(onboardingStatusSchema.options.map((status) => this.count({ status })));
    return Object.fromEntries(onboardingStatusSchema.options.map((s, i) => [s, counts[i] ?? 0])) as Record<
      OnboardingStatus,
      number
    >;
  }

  async departments(): Promise<Record<string, number>> {
    const { resources } = await this.container.items
      .query<string>("SELECT VALUE c.department FROM c WHERE c.docType = 'onboarding'")
      .fetchAll();
    const counts: Record<string, number> = {};
    for (const d of resources) if (typeof d === 'string') counts[d] = (counts[d] ?? 0) + 1;
    return counts;
  }

  async attentionIds(criteria: AttentionCriteria): Promise<Record<AttentionReason, string[]>> {
    return this.attention(criteria, 'VALUE c.id', null, (rows) =>
      rows.filter((r): r is string => typeof r === 'string'),
    );
  }

  async attentionRows(criteria: AttentionCriteria, limit: number): Promise<Record<AttentionReason, OnboardingRow[]>> {
    return this.attention(criteria, ROW_FIELDS, limit, async (rows) => {
      const full = (rows as StoredOnboarding[]).map((r) => ({ ...r, history: [], outbox: [], eventIds: [] }));
      return (await this.readable(full)).map(({ value }) => {
        const { history: _h, outbox: _o, eventIds: _e, ...row } = value;
        return row;
      });
    });
  }

  /** One flat query a reason (the embedded endpoint's parser is slow on nested ORs), `select` of each match. */
  private async attention<T>(
    criteria: AttentionCriteria,
    select: string,
    limit: number | null,
    read: (rows: unknown[]) => T[] | Promise<T[]>,
  ): Promise<Record<AttentionReason, T[]>> {
    const running = "c.status IN ('provisioning', 'needs-attention')";
    const open = "c.status IN ('awaiting-approval', 'provisioning', 'needs-attention')";
    const accountMissing = STEP_NAMES.map((st) => `c.steps.${st}.waitingOn = 'account'`).join(' OR ');
    const conditions: Record<AttentionReason, string> = {
      'departure-held': "c.status = 'leaving' AND c.departure.held = true",
      'account-missing': `${running} AND (${accountMissing})`,
      'needs-attention': "c.status = 'needs-attention'",
      'approval-expiring': "c.status = 'awaiting-approval' AND c.createdAt < @expiring",
      late: `${open} AND c.startDate < @today`,
    };
    const top = limit === null ? '' : `TOP ${Math.trunc(limit)} `;
    const order = limit === null ? '' : ' ORDER BY c.startDate';
    const found = await Promise.all(
      ATTENTION_REASONS.map(async (reason) => {
        const { resources } = await this.container.items
          .query<unknown>({
            query: `SELECT ${top}${select} FROM c WHERE c.docType = 'onboarding' AND ${conditions[reason]}${order}`,
            parameters: [
              { name: '@today', value: criteria.today },
              { name: '@expiring', value: criteria.expiringIfCreatedBefore },
            ],
          })
          .fetchAll();
        return read(resources);
      }),
    );
    return Object.fromEntries(ATTENTION_REASONS.map((r, i) => [r, found[i] ?? []])) as Record<AttentionReason, T[]>;
  }

  async rowsPage(filter: OnboardingFilter, limit: number, continuationToken?: string): Promise<OnboardingRowPage> {
    const { rows, continuationToken: next } = await this.listPage(
      ROW_FIELDS,
      filter,
      limit,
      continuationToken,
      NEWEST_FIRST,
    );
    // The rows are the documents less their history, outbox and event ids: read with the same schema.
    const full = rows.map((r) => ({ ...r, history: [], outbox: [], eventIds: [] }));
    const items = (await this.readable(full)).map(({ value }) => {
      const { history: _h, outbox: _o, eventIds: _e, ...row } = value;
      return row;
    });
    return { items, continuationToken: next };
  }

  /** One page of the list in `order` (newest first by default), with `select` as the projection. */
  private async listPage(
    select: string,
    filter: OnboardingFilter,
    limit: number,
    continuationToken: string | undefined,
    order: ListOrder,
  ): Promise<{ rows: StoredOnboarding[]; continuationToken: string | null }> {
    if (order.sort !== NEWEST_FIRST.sort || order.order !== NEWEST_FIRST.order) {
      return this.sortedPage(select, filter, limit, continuationToken, order);
    }
    const { where, parameters } = whereOf(filter);
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

  /**
   * A page in another order than newest first: ORDER BY the field then the id, both ascending or both
   * descending (a composite index of each, shared/definitions/cosmos-containers.json); the filters stay in the
   * WHERE clause (Cosmos DB serves a filter beside a composite ORDER BY).
   */
  private async sortedPage(
    select: string,
    filter: OnboardingFilter,
    limit: number,
    continuationToken: string | undefined,
    order: ListOrder,
  ): Promise<{ rows: StoredOnboarding[]; continuationToken: string | null }> {
    const field = SORT_FIELDS[order.sort];
    const { where, parameters } = whereOf(filter);
    if (continuationToken) {
      const after = decodeSortedToken(continuationToken, order);
      where.push(afterKey(field, after));
      parameters.push({ name: '@afterId', value: after.id });
      if (after.key !== null) parameters.push({ name: '@afterKey', value: after.key });
    }
    const direction = order.order === 'asc' ? 'ASC' : 'DESC';
    const top = Math.trunc(limit) + 1;
    // The sort key is selected too (a projection may not hold it: `sortName` is no field of the document).
    const projection = select === '*' || field !== 'sortName' ? select : `${select}, c.${field}`;
    const { resources } = await this.container.items
      .query<StoredOnboarding & Record<string, unknown>>(
        {
          query: `SELECT TOP ${top} ${projection} FROM c WHERE ${where.join(' AND ')} ORDER BY c.${field} ${direction}, c.id ${direction}`,
          parameters,
        },
        filter.employeeId ? { partitionKey: filter.employeeId } : {},
      )
      .fetchAll();
    const rows = resources.slice(0, limit);
    const last = rows.at(-1);
    const key = last?.[field];
    return {
      rows,
      continuationToken:
        resources.length > limit && last
          ? encodeSortedToken({ ...order, key: typeof key === 'string' ? key : null, id: last.id })
          : null,
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
          `c.decision, c.traceparent, c.steps, c.needs, c.displayName, c.kind FROM c WHERE c.docType = 'onboarding' ` +
          `AND c.steps.${step}.status = 'waiting' ` +
          // A step waiting for the agent's account is not in line: nothing is held for an account that is not there.
          `AND (NOT IS_DEFINED(c.steps.${step}.waitingOn) OR c.steps.${step}.waitingOn != 'account') ` +
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
        ...(typeof r.displayName === 'string' ? { displayName: r.displayName } : {}),
        ...(r.kind === 'hire' || r.kind === 'equipment' ? { kind: r.kind } : {}),
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

/**
 * The WHERE clause of the list's filters (AND). `q`: each word in the folded search text (a document of an
 * earlier release is given it by `addSearchKeys`, a few a sweep, or at its next change).
 */
function whereOf(filter: OnboardingFilter): { where: string[]; parameters: SqlParameter[] } {
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
  if (filter.createdFrom) add('c.createdAt >= @createdFrom', '@createdFrom', filter.createdFrom);
  if (filter.createdBefore) add('c.createdAt < @createdBefore', '@createdBefore', filter.createdBefore);
  // A CONTAINS on the stored folded text (an indexed string), never on an expression: a function of the
  // fields would scan every document on Cosmos DB (and nested ORs take seconds to parse on the embedded one).
  searchTerms(filter.q ?? '').forEach((term, i) => add(`CONTAINS(c.search, @q${i})`, `@q${i}`, term));
  return { where, parameters };
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
