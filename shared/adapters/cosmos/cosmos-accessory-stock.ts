import type { Container, Database } from '@azure/cosmos';
import type { AccessoryHolding, AccessoryStock, AccessoryStockEntry } from '../../ports/accessory-stock';
import type { Clock } from '../../ports/clock';
import type { OnUnreadable } from '../../ports/unreadable-document';
import {
  accessoryStockDocumentSchema,
  accessoryStockId,
  toAccessoryCount,
  type AccessoryCount,
  type AccessoryStockDocument,
} from '../../schemas/accessories';
import { DEFAULT_POOL } from '../../schemas/laptops';
import { CONTAINERS } from './containers';
import { cosmosStatus } from './cosmos-errors';
import { parseStored, readableOnly } from './stored-documents';

type Stored = AccessoryStockDocument & { etag: string };

/** Changes of one kind's document tried this many times against concurrent writers before giving up. */
const WRITE_ATTEMPTS = 20;

/**
 * The counted accessories in Cosmos DB: one document per kind and site in the laptops container, in the
 * stock's pool partition (beside the laptops and deliveries), each change a replace If-Match on its etag.
 * The stock is a handful of documents (kinds × sites): a pass or a putting back reads them all.
 */
export class CosmosAccessoryStock implements AccessoryStock {
  private readonly container: Container;
  private readonly pool: string;
  private readonly onUnreadable: OnUnreadable;

  constructor(
    database: Database,
    private readonly clock: Clock,
    options: { pool?: string; onUnreadable?: OnUnreadable } = {},
  ) {
    this.container = database.container(CONTAINERS.laptops.id);
    this.pool = options.pool ?? DEFAULT_POOL;
    this.onUnreadable = options.onUnreadable ?? (() => undefined);
  }

  private stored(resource: AccessoryStockDocument & { _etag?: string }): Stored {
    if (!resource._etag) throw new Error('Cosmos DB returned an accessory stock without an etag');
    return { ...parseStored(accessoryStockDocumentSchema, resource), etag: resource._etag };
  }

  private async all(): Promise<Stored[]> {
    const { resources } = await this.container.items
      .query<AccessoryStockDocument & { _etag?: string }>(
        {
          query: "SELECT * FROM c WHERE c.docType = 'accessory-stock' AND c.pool = @pool",
          parameters: [{ name: '@pool', value: this.pool }],
        },
        { partitionKey: this.pool },
      )
      .fetchAll();
    const stock = await readableOnly(resources, (r) => this.stored(r), this.onUnreadable);
    return stock.sort((a, b) =>
      a.kind === b.kind ? (a.site ?? '').localeCompare(b.site ?? '') : a.kind < b.kind ? -1 : 1,
    );
  }

  private async read(id: string): Promise<Stored | null> {
    try {
      const { resource } = await this.container.item(id, this.pool).read<AccessoryStockDocument & { _etag?: string }>();
      return resource ? this.stored(resource) : null;
    } catch (err) {
      if (cosmosStatus(err) === 404) return null;
      throw err;
    }
  }

  /** Writes `next` in place of `current` if it is still as read (or creates it): false when someone wrote first. */
  private async write(current: Stored | null, next: AccessoryStockDocument): Promise<boolean> {
    try {
      if (current === null) await this.container.items.create(next);
      else
        await this.container
          .item(next.id, this.pool)
          .replace(next, { accessCondition: { type: 'IfMatch', condition: current.etag } });
      return true;
    } catch (err) {
      const status = cosmosStatus(err);
      if (status === 412 || status === 409 || status === 404) return false;
      throw err;
    }
  }

  /**
   * Applies `change` to the document as it stands until it is written: the document written (`wrote`), or as
   * it stood when `change` had nothing to change (null).
   */
  private async update(
    id: string,
    change: (current: Stored | null) => AccessoryStockDocument | null,
  ): Promise<{ wrote: boolean; doc: AccessoryStockDocument | null }> {
    for (let i = 0; i < WRITE_ATTEMPTS; i++) {
      const current = await this.read(id);
      const next = change(current);
      if (next === null) return { wrote: false, doc: current };
      const doc = { ...next, updatedAt: this.clock.now().toISOString() };
      if (await this.write(current, doc)) return { wrote: true, doc };
    }
    throw new Error(`accessory stock ${id}: ${WRITE_ATTEMPTS} concurrent writes in a row; try again`);
  }

  async add(kind: string, site: string | null, count: number): Promise<AccessoryCount> {
    const id = accessoryStockId(kind, site);
    const { doc } = await this.update(id, (current) =>
      current
        ? { ...withoutEtag(current), available: current.available + count }
        : {
            id,
            docType: 'accessory-stock',
            pool: this.pool,
            kind,
            site,
            available: count,
            holds: {},
            updatedAt: '',
          },
    );
    if (!doc) throw new Error(`accessory stock ${id} was not written`);
    return toAccessoryCount(doc);
  }

  async list(): Promise<AccessoryCount[]> {
    return (await this.all()).map(toAccessoryCount);
  }

  entries(): Promise<AccessoryStockEntry[]> {
    return this.all();
  }

  async reserve(entry: AccessoryStockEntry, onboardingIds: readonly string[]): Promise<boolean> {
    const current = await this.read(entry.id);
    if (!current || current.etag !== entry.etag) return false;
    const newcomers = [...new Set(onboardingIds)].filter((id) => current.holds[id] === undefined);
    if (newcomers.length > current.available) return false;
    const at = this.clock.now().toISOString();
    const holds = { ...current.holds };
    for (const id of newcomers) holds[id] = { status: 'reserved', at };
    return this.write(current, {
      ...withoutEtag(current),
      available: current.available - newcomers.length,
      holds,
      updatedAt: at,
    });
  }

  private async holding(onboardingId: string): Promise<Stored[]> {
    return (await this.all()).filter((s) => s.holds[onboardingId] !== undefined);
  }

  async give(onboardingId: string): Promise<AccessoryHolding[]> {
    const out: AccessoryHolding[] = [];
    for (const s of await this.holding(onboardingId)) {
      const { doc: after } = await this.update(s.id, (current) => {
        const hold = current?.holds[onboardingId];
        if (!current || !hold || hold.status === 'given') return null;
        return {
          ...withoutEtag(current),
          holds: { ...current.holds, [onboardingId]: { status: 'given', at: this.clock.now().toISOString() } },
        };
      });
      if (after?.holds[onboardingId]) out.push({ kind: after.kind, site: after.site, status: 'given' });
    }
    return out;
  }

  async holdingsOf(onboardingId: string): Promise<AccessoryHolding[]> {
    return (await this.holding(onboardingId)).map((s) => ({
      kind: s.kind,
      site: s.site,
      status: s.holds[onboardingId]?.status ?? 'reserved',
    }));
  }

  async putBack(onboardingId: string): Promise<number> {
    let back = 0;
    for (const s of await this.holding(onboardingId)) {
      const { wrote } = await this.update(s.id, (current) => {
        if (!current?.holds[onboardingId]) return null;
        const { [onboardingId]: _gone, ...holds } = current.holds;
        return { ...withoutEtag(current), available: current.available + 1, holds };
      });
      if (wrote) back += 1;
    }
    return back;
  }
}

function withoutEtag(s: Stored): AccessoryStockDocument {
  const { etag: _etag, ...doc } = s;
  return doc;
}
