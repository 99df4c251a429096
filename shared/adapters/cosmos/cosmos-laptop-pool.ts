import type { Container, Database, PatchOperation, SqlParameter } from '@azure/cosmos';
import type { AvailableLaptop, Reservation } from '../../domain/laptop-allocation';
import { employeeIdOf } from '../../domain/onboarding-id';
import type { Clock } from '../../ports/clock';
import type { Holding, LaptopPage, LaptopPool } from '../../ports/laptop-pool';
import { InvalidContinuationToken } from '../../ports/onboarding-store';
import {
  DEFAULT_POOL,
  laptopDocumentSchema,
  type Laptop,
  type LaptopDocument,
  type LaptopRequest,
  type LaptopStatus,
  deliveryDocumentSchema,
  REPLACED_DEVICE_MODEL,
  toDelivery,
  type Delivery,
  type DeliveryDocument,
} from '../../schemas/laptops';
import { CONTAINERS } from './containers';
import { randomUUID } from 'node:crypto';
import { cosmosStatus } from './cosmos-errors';
import { parseStored, readableOnly } from './stored-documents';
import { UnreadableDocument, type OnUnreadable } from '../../ports/unreadable-document';

const idOf = (serialNumber: string) => serialNumber.toUpperCase();

/** A laptop as read, with the etag that guards its next change. */
type StoredLaptop = Laptop & { etag: string };

function stored(resource: LaptopDocument & { _etag?: string }): StoredLaptop {
  if (!resource._etag) throw new Error('Cosmos DB returned a laptop without an etag');
  return { ...parseStored(laptopDocumentSchema, resource), etag: resource._etag };
}

/** The patch that puts a laptop back in stock, held by no one. */
function backInStock(l: StoredLaptop): PatchOperation[] {
  return [
    { op: 'set', path: '/status', value: 'available' },
    { op: 'set', path: '/onboardingId', value: null },
    { op: 'set', path: '/userPrincipalName', value: null },
    ...noHolderName(l),
    ...(l.traceparent !== undefined ? [{ op: 'remove' as const, path: '/traceparent' }] : []),
    ...(l.priority !== undefined ? [{ op: 'remove' as const, path: '/priority' }] : []),
    ...notHandedOver(l),
  ];
}

/** A laptop that leaves its holder carries their name no longer. */
const noHolderName = (l: StoredLaptop): PatchOperation[] =>
  l.holderName !== undefined ? [{ op: 'remove', path: '/holderName' }] : [];

/** A laptop that leaves its holder is no longer handed over to anyone. */
const notHandedOver = (l: StoredLaptop): PatchOperation[] =>
  l.handedOverAt !== undefined ? [{ op: 'remove', path: '/handedOverAt' }] : [];

/** The patch that takes a laptop out of stock for repair, held by no one. */
const outForRepair = (l: StoredLaptop): PatchOperation[] => [
  { op: 'set', path: '/status', value: 'repair' },
  { op: 'set', path: '/onboardingId', value: null },
  { op: 'set', path: '/userPrincipalName', value: null },
  ...noHolderName(l),
  ...notHandedOver(l),
];

const withoutEtag = ({ etag: _etag, ...laptop }: StoredLaptop): Laptop => laptop;

function encodeToken(lastId: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after: lastId })).toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'after' in parsed && typeof parsed.after === 'string') {
      return parsed.after;
    }
  } catch {
    // falls through
  }
  throw new InvalidContinuationToken('continuationToken is not one this API returned');
}

/**
 * The laptop stock in Cosmos DB, one document per laptop in the pool's partition. Changes of a laptop are
 * conditional patches (the condition says what must still hold, as If-Match would for the whole document),
 * so a reservation costs one small write whatever the size of the stock.
 */
export class CosmosLaptopPool implements LaptopPool {
  private readonly container: Container;

  private readonly pool: string;
  private readonly onUnreadable: OnUnreadable;

  /**
   * `onUnreadable`: told of each laptop or delivery document that fails its schema; lists and passes go on
   * without it, and reading it alone fails with UnreadableDocument.
   */
  constructor(
    database: Database,
    private readonly clock: Clock,
    options: { pool?: string; onUnreadable?: OnUnreadable } = {},
  ) {
    this.container = database.container(CONTAINERS.laptops.id);
    this.pool = options.pool ?? DEFAULT_POOL;
    this.onUnreadable = options.onUnreadable ?? (() => undefined);
  }

  private async query(query: string, parameters: SqlParameter[]): Promise<StoredLaptop[]> {
    const { resources } = await this.container.items
      .query<LaptopDocument & { _etag?: string }>(
        { query, parameters: [{ name: '@pool', value: this.pool }, ...parameters] },
        { partitionKey: this.pool },
      )
      .fetchAll();
    return readableOnly(resources, stored, this.onUnreadable);
  }

  private async read(serialNumber: string): Promise<StoredLaptop | null> {
    try {
      const { resource } = await this.container
        .item(idOf(serialNumber), this.pool)
        .read<LaptopDocument & { _etag?: string }>();
      return resource ? stored(resource) : null;
    } catch (err) {
      if (cosmosStatus(err) === 404) return null;
      if (err instanceof UnreadableDocument) await this.onUnreadable(err);
      throw err;
    }
  }

  /**
   * Patches the laptop if it is still as read (If-Match on its etag): false when it changed meanwhile. Every
   * change is a patch of one small document: what it costs does not depend on the stock.
   */
  private async patch(laptop: StoredLaptop, operations: PatchOperation[]): Promise<boolean> {
    try {
      await this.container
        .item(laptop.id, this.pool)
        .patch([...operations, { op: 'set', path: '/updatedAt', value: this.now() }], {
          accessCondition: { type: 'IfMatch', condition: laptop.etag },
        });
      return true;
    } catch (err) {
      const status = cosmosStatus(err);
      if (status === 412 || status === 404) return false;
      throw err;
    }
  }

  /** Patches the laptop while `holds` is true of it, reading it again after each lost race (at most a few). */
  private async patchWhile(
    serialNumber: string,
    first: StoredLaptop | null,
    holds: (l: StoredLaptop) => boolean,
    operations: (l: StoredLaptop) => PatchOperation[],
  ): Promise<boolean> {
    let laptop = first;
    for (let i = 0; i < 5; i++) {
      laptop ??= await this.read(serialNumber);
      if (!laptop || !holds(laptop)) return false;
      if (await this.patch(laptop, operations(laptop))) return true;
      laptop = null;
    }
    return false;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  async add(laptops: { serialNumber: string; model: string; site?: string | undefined; userPrincipalName?: string }[]) {
    const skipped: string[] = [];
    const seen = new Set<string>();
    const at = this.now();
    const fresh: LaptopDocument[] = [];
    for (const l of laptops) {
      const id = idOf(l.serialNumber);
      if (seen.has(id)) {
        skipped.push(l.serialNumber);
        continue;
      }
      seen.add(id);
      fresh.push(
        laptopDocumentSchema.parse({
          id,
          docType: 'laptop',
          pool: this.pool,
          serialNumber: l.serialNumber,
          model: l.model,
          site: l.site ?? null,
          status: l.userPrincipalName ? 'assigned' : 'available',
          onboardingId: null,
          userPrincipalName: l.userPrincipalName ?? null,
          addedAt: at,
          updatedAt: at,
          // An agent in post's laptop is in their hands already: nothing to hand over.
          ...(l.userPrincipalName ? { handedOverAt: at } : {}),
        }),
      );
    }
    let added = 0;
    // A create each (a serial already known is a 409: skipped), a few at a time.
    for (let i = 0; i < fresh.length; i += 25) {
      await Promise.all(
        fresh.slice(i, i + 25).map(async (doc) => {
          try {
            await this.container.items.create(doc);
            added += 1;
          } catch (err) {
            if (cosmosStatus(err) !== 409) throw err;
            skipped.push(doc.serialNumber);
          }
        }),
      );
    }
    return { added, skipped };
  }

  async list(options: {
    status?: LaptopStatus;
    handedOver?: boolean;
    limit: number;
    continuationToken?: string;
  }): Promise<LaptopPage> {
    const where = ["c.docType = 'laptop'", 'c.pool = @pool'];
    const parameters: SqlParameter[] = [];
    if (options.status) {
      where.push('c.status = @status');
      parameters.push({ name: '@status', value: options.status });
    }
    if (options.handedOver !== undefined) {
      where.push(options.handedOver ? 'IS_DEFINED(c.handedOverAt)' : 'NOT IS_DEFINED(c.handedOverAt)');
    }
    if (options.continuationToken) {
      where.push('c.id > @after');
      parameters.push({ name: '@after', value: decodeToken(options.continuationToken) });
    }
    const top = Math.trunc(options.limit) + 1;
    const found = await this.query(`SELECT TOP ${top} * FROM c WHERE ${where.join(' AND ')} ORDER BY c.id`, parameters);
    const items = found.slice(0, options.limit).map(withoutEtag);
    const last = items.at(-1);
    return { items, continuationToken: found.length > options.limit && last ? encodeToken(last.id) : null };
  }

  async find(serialNumber: string): Promise<Laptop | null> {
    const laptop = await this.read(serialNumber);
    return laptop && withoutEtag(laptop);
  }

  async heldBy(onboardingId: string): Promise<(Laptop & { etag: string }) | null> {
    const [held] = await this.query(
      "SELECT TOP 1 * FROM c WHERE c.docType = 'laptop' AND c.pool = @pool AND c.onboardingId = @id AND c.status IN ('reserved', 'assigned')",
      [{ name: '@id', value: onboardingId }],
    );
    return held ?? null;
  }

  async assignedTo(userPrincipalName: string): Promise<Laptop | null> {
    const [held] = await this.query(
      "SELECT TOP 1 * FROM c WHERE c.docType = 'laptop' AND c.pool = @pool AND c.status = 'assigned' AND c.userPrincipalName IN (@upn, @lower)",
      [
        { name: '@upn', value: userPrincipalName },
        { name: '@lower', value: userPrincipalName.toLowerCase() },
      ],
    );
    return held ? withoutEtag(held) : null;
  }

  async holders(onboardingIds: string[]): Promise<Map<string, Holding>> {
    if (onboardingIds.length === 0) return new Map();
    const held = await this.query(
      "SELECT * FROM c WHERE c.docType = 'laptop' AND c.pool = @pool AND ARRAY_CONTAINS(@ids, c.onboardingId) AND c.status IN ('reserved', 'assigned')",
      [{ name: '@ids', value: onboardingIds }],
    );
    return new Map(
      held.map((l) => [
        l.onboardingId ?? '',
        { serialNumber: l.serialNumber, status: l.status === 'assigned' ? 'assigned' : 'reserved', since: l.updatedAt },
      ]),
    );
  }

  setAside(serialNumber: string, onboardingId: string): Promise<boolean> {
    return this.patchWhile(serialNumber, null, (l) => l.onboardingId === onboardingId, outForRepair);
  }

  async available(sites: string[] | null, limit: number): Promise<(AvailableLaptop & { etag: string })[]> {
    const atSites = sites === null ? '' : ' AND ARRAY_CONTAINS(@sites, c.site)';
    const found = await this.query(
      `SELECT TOP ${Math.trunc(limit)} * FROM c WHERE c.docType = 'laptop' AND c.pool = @pool AND c.status = 'available'${atSites} ORDER BY c.addedAt`,
      sites === null ? [] : [{ name: '@sites', value: sites }],
    );
    return found.map((l) => ({ serialNumber: l.serialNumber, site: l.site, addedAt: l.addedAt, etag: l.etag }));
  }

  preemptible(limit: number): Promise<StoredLaptop[]> {
    return this.query(
      `SELECT TOP ${Math.trunc(limit)} * FROM c WHERE c.docType = 'laptop' AND c.pool = @pool AND c.status = 'reserved' ` +
        "AND c.priority = 'standard' ORDER BY c.updatedAt DESC",
      [],
    );
  }

  reserve(laptop: { serialNumber: string; etag: string }, request: LaptopRequest): Promise<boolean> {
    // As the pass read it, available: If-Match on that read; a laptop changed meanwhile is not taken.
    return this.patch({ id: idOf(laptop.serialNumber), etag: laptop.etag } as StoredLaptop, [
      { op: 'set', path: '/status', value: 'reserved' },
      { op: 'set', path: '/onboardingId', value: request.onboardingId },
      { op: 'set', path: '/userPrincipalName', value: request.userPrincipalName },
      { op: 'set', path: '/holderName', value: request.displayName ?? null },
      { op: 'set', path: '/priority', value: request.priority },
      ...(request.traceparent ? [{ op: 'set' as const, path: '/traceparent', value: request.traceparent }] : []),
    ]);
  }

  async markAssigned(onboardingId: string, laptop: StoredLaptop): Promise<boolean> {
    const ours = (l: StoredLaptop) => l.onboardingId === onboardingId;
    // As the caller read it (its etag guards the patch): no read unless it changed since.
    const done = await this.patchWhile(
      laptop.serialNumber,
      laptop,
      (l) => ours(l) && l.status === 'reserved',
      () => [{ op: 'set', path: '/status', value: 'assigned' }],
    );
    if (done) return true;
    // Assigned already (a redelivery): still the onboarding's.
    const now = await this.read(laptop.serialNumber);
    return now !== null && ours(now) && now.status === 'assigned';
  }

  async release(onboardingId: string): Promise<Laptop[]> {
    const held = await this.query(
      "SELECT * FROM c WHERE c.docType = 'laptop' AND c.pool = @pool AND c.onboardingId = @id AND c.status IN ('reserved', 'assigned')",
      [{ name: '@id', value: onboardingId }],
    );
    const released: Laptop[] = [];
    for (const laptop of held) {
      if (laptop.handedOverAt !== undefined) {
        // With the agent already: expected back, as a leaver's.
        await this.markToReturn(laptop.serialNumber, onboardingId);
        continue;
      }
      const ok = await this.patchWhile(
        laptop.serialNumber,
        laptop,
        (l) =>
          l.onboardingId === onboardingId &&
          (l.status === 'reserved' || l.status === 'assigned') &&
          l.handedOverAt === undefined,
        backInStock,
      );
      if (ok) released.push(withoutEtag(laptop));
    }
    return released;
  }

  releaseReservation(serialNumber: string, onboardingId: string): Promise<boolean> {
    return this.patchWhile(
      serialNumber,
      null,
      (l) => l.onboardingId === onboardingId && l.status === 'reserved',
      backInStock,
    );
  }

  markToReturn(serialNumber: string, onboardingId: string): Promise<boolean> {
    return this.patchWhile(
      serialNumber,
      null,
      (l) => l.onboardingId === onboardingId && l.status === 'assigned',
      () => [{ op: 'set', path: '/status', value: 'to-return' }],
    );
  }

  handOver(serialNumber: string, onboardingId: string, at: string): Promise<boolean> {
    return this.patchWhile(
      serialNumber,
      null,
      (l) => l.onboardingId === onboardingId && l.status === 'assigned' && l.handedOverAt === undefined,
      () => [{ op: 'set', path: '/handedOverAt', value: at }],
    );
  }

  async expectBack(
    serialNumber: string,
    holder: { onboardingId: string; userPrincipalName: string; site: string | null },
  ): Promise<boolean> {
    const known = await this.read(serialNumber);
    if (!known) {
      const at = this.now();
      try {
        await this.container.items.create(
          laptopDocumentSchema.parse({
            id: idOf(serialNumber),
            docType: 'laptop',
            pool: this.pool,
            serialNumber,
            model: REPLACED_DEVICE_MODEL,
            site: holder.site,
            status: 'to-return',
            onboardingId: holder.onboardingId,
            userPrincipalName: holder.userPrincipalName,
            addedAt: at,
            updatedAt: at,
          }),
        );
        return true;
      } catch (err) {
        // Recorded meanwhile (a retry of the same handover): as below.
        if (cosmosStatus(err) !== 409) throw err;
      }
    }
    const mine = (l: StoredLaptop) => l.onboardingId === holder.onboardingId && l.status === 'to-return';
    const done = await this.patchWhile(
      serialNumber,
      null,
      (l) =>
        !mine(l) &&
        // The agent's own (an agent in post's laptop), in stock, or in repair: anyone else's is left alone.
        (l.onboardingId === null || l.onboardingId === holder.onboardingId) &&
        (l.status !== 'assigned' ||
          (l.userPrincipalName ?? '').toLowerCase() === holder.userPrincipalName.toLowerCase()),
      () => [
        { op: 'set', path: '/status', value: 'to-return' },
        { op: 'set', path: '/onboardingId', value: holder.onboardingId },
        { op: 'set', path: '/userPrincipalName', value: holder.userPrincipalName },
      ],
    );
    if (done) return true;
    // Expected back for this onboarding already (a retry): done.
    const now = await this.read(serialNumber);
    return now !== null && mine(now);
  }

  recordReturn(serialNumber: string, condition: 'ok' | 'repair'): Promise<boolean> {
    return this.patchWhile(
      serialNumber,
      null,
      (l) => l.status === 'to-return' || l.status === 'repair',
      (l) => (condition === 'ok' ? backInStock(l) : outForRepair(l)),
    );
  }

  async retire(serialNumber: string): Promise<boolean> {
    const laptop = await this.read(serialNumber);
    if (!laptop || laptop.model !== REPLACED_DEVICE_MODEL || laptop.status !== 'to-return') return false;
    try {
      await this.container
        .item(laptop.id, this.pool)
        .delete({ accessCondition: { type: 'IfMatch', condition: laptop.etag } });
      return true;
    } catch (err) {
      const status = cosmosStatus(err);
      if (status === 412 || status === 404) return false;
      throw err;
    }
  }

  async count(status: LaptopStatus): Promise<number> {
    const { resources } = await this.container.items
      .query<number>(
        {
          query: "SELECT VALUE COUNT(1) FROM c WHERE c.docType = 'laptop' AND c.pool = @pool AND c.status = @status",
          parameters: [
            { name: '@pool', value: this.pool },
            { name: '@status', value: status },
          ],
        },
        { partitionKey: this.pool },
      )
      .fetchAll();
    return resources[0] ?? 0;
  }

  async availableBySite(): Promise<Map<string | null, number>> {
    const { resources } = await this.container.items
      .query<string | null>(
        {
          query: "SELECT VALUE c.site FROM c WHERE c.docType = 'laptop' AND c.pool = @pool AND c.status = 'available'",
          parameters: [{ name: '@pool', value: this.pool }],
        },
        { partitionKey: this.pool },
      )
      .fetchAll();
    const counts = new Map<string | null, number>();
    for (const site of resources) {
      const key = typeof site === 'string' ? site : null;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  async addDelivery(delivery: Omit<Delivery, 'id'>): Promise<Delivery> {
    const doc = deliveryDocumentSchema.parse({
      ...delivery,
      id: `delivery-${randomUUID()}`,
      docType: 'delivery',
      pool: this.pool,
      createdAt: this.now(),
    });
    await this.container.items.create(doc);
    return toDelivery(doc);
  }

  async removeDelivery(id: string): Promise<boolean> {
    if (!id.startsWith('delivery-')) return false;
    try {
      await this.container.item(id, this.pool).delete();
      return true;
    } catch (err) {
      if (cosmosStatus(err) === 404) return false;
      throw err;
    }
  }

  async deliveries(): Promise<Delivery[]> {
    const { resources } = await this.container.items
      .query<DeliveryDocument>(
        {
          // A few documents: sorted here, so that the laptops' index needs no path for them.
          query: "SELECT * FROM c WHERE c.docType = 'delivery' AND c.pool = @pool",
          parameters: [{ name: '@pool', value: this.pool }],
        },
        { partitionKey: this.pool },
      )
      .fetchAll();
    const readable = await readableOnly(
      resources,
      (r) => toDelivery(parseStored(deliveryDocumentSchema, r)),
      this.onUnreadable,
    );
    return readable.sort((a, b) => a.expectedOn.localeCompare(b.expectedOn) || a.id.localeCompare(b.id));
  }

  async staleReservations(olderThan: string): Promise<Reservation[]> {
    const stale = await this.query(
      "SELECT * FROM c WHERE c.docType = 'laptop' AND c.pool = @pool AND c.status = 'reserved' AND c.updatedAt < @olderThan",
      [{ name: '@olderThan', value: olderThan }],
    );
    return stale.map((l) => ({
      onboardingId: l.onboardingId ?? '',
      employeeId: employeeIdOf(l.onboardingId ?? '') ?? '',
      serialNumber: l.serialNumber,
      ...(l.traceparent ? { traceparent: l.traceparent } : {}),
    }));
  }
}
