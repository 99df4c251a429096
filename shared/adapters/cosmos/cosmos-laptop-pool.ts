import type { Container, Database } from '@azure/cosmos';
import * as allocation from '../../domain/laptop-allocation';
import { employeeIdOf } from '../../domain/onboarding-id';
import type { Clock } from '../../ports/clock';
import type { LaptopPool } from '../../ports/laptop-pool';
import { TransientError } from '../../ports/provisioners';
import { laptopPoolDocumentSchema, type LaptopPoolDocument } from '../../schemas/laptops';
import { CONTAINERS } from './containers';
import { cosmosStatus } from './cosmos-errors';

const POOL = 'default';
const POOL_ID = 'pool-default';
const MAX_ATTEMPTS = 60;

/** The laptop pool as one Cosmos DB document; every change is a replace with If-Match. */
export class CosmosLaptopPool implements LaptopPool {
  private readonly container: Container;

  constructor(
    database: Database,
    private readonly clock: Clock,
  ) {
    this.container = database.container(CONTAINERS.laptops.id);
  }

  private async read(): Promise<{ doc: LaptopPoolDocument; etag: string | null }> {
    try {
      const { resource } = await this.container.item(POOL_ID, POOL).read<LaptopPoolDocument & { _etag?: string }>();
      if (resource?._etag) return { doc: laptopPoolDocumentSchema.parse(resource), etag: resource._etag };
    } catch (err) {
      if (cosmosStatus(err) !== 404) throw err;
    }
    return { doc: { id: POOL_ID, docType: 'laptop-pool', pool: POOL, laptops: [], waiting: [] }, etag: null };
  }

  /** Read, change, write with If-Match (or create); on 412/409 re-read and change again. */
  private async mutate<R>(
    change: (doc: LaptopPoolDocument, at: string) => { doc: LaptopPoolDocument; result: R },
  ): Promise<R> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { doc, etag } = await this.read();
      const { doc: changed, result } = change(doc, this.clock.now().toISOString());
      if (changed === doc) return result;
      // The same schema before a write as after a read.
      const next = laptopPoolDocumentSchema.parse(changed);
      try {
        if (etag)
          await this.container
            .item(POOL_ID, POOL)
            .replace(next, { accessCondition: { type: 'IfMatch', condition: etag } });
        else await this.container.items.create(next);
        return result;
      } catch (err) {
        const status = cosmosStatus(err);
        if (status !== 412 && status !== 409) throw err;
        // Another writer won: wait a little (with jitter, so contenders spread out) and decide again.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** Math.min(attempt, 6))));
      }
    }
    throw new TransientError('the laptop pool is too contended; try again');
  }

  async list(status?: LaptopPoolDocument['laptops'][number]['status']) {
    const { doc } = await this.read();
    return doc.laptops.filter((l) => !status || l.status === status);
  }

  add(laptops: Parameters<LaptopPool['add']>[0]) {
    return this.mutate((doc, at) => {
      const r = allocation.addLaptops(doc, laptops, at);
      return {
        doc: r.added > 0 ? r.pool : doc,
        result: { added: r.added, skipped: r.skipped, reservations: r.reservations },
      };
    });
  }

  request(request: Parameters<LaptopPool['request']>[0]) {
    return this.mutate((doc, at) => {
      const held = allocation.heldBy(doc, request.onboardingId);
      if (held) return { doc, result: { held, reservations: [] } };
      const r = allocation.requestLaptop(doc, request, at);
      return {
        doc: r.pool,
        result: { held: allocation.heldBy(r.pool, request.onboardingId) ?? null, reservations: r.reservations },
      };
    });
  }

  markAssigned(onboardingId: string, serialNumber: string) {
    return this.mutate((doc, at) => {
      const held = allocation.heldBy(doc, onboardingId);
      if (held?.serialNumber !== serialNumber) return { doc, result: false };
      if (held.status === 'assigned') return { doc, result: true };
      return { doc: allocation.markAssigned(doc, onboardingId, serialNumber, at), result: true };
    });
  }

  async find(serialNumber: string) {
    return (await this.read()).doc.laptops.find((l) => l.serialNumber === serialNumber) ?? null;
  }

  async heldBy(onboardingId: string) {
    return allocation.heldBy((await this.read()).doc, onboardingId) ?? null;
  }

  release(onboardingId: string) {
    return this.mutate((doc, at) => {
      const holds =
        doc.laptops.some((l) => l.onboardingId === onboardingId) ||
        doc.waiting.some((w) => w.onboardingId === onboardingId);
      if (!holds) return { doc, result: { released: [], reservations: [] } };
      const r = allocation.release(doc, onboardingId, at);
      return { doc: r.pool, result: { released: r.released, reservations: r.reservations } };
    });
  }

  async staleReservations(olderThan: string) {
    const { doc } = await this.read();
    return doc.laptops
      .filter((l) => l.status === 'reserved' && l.onboardingId && l.updatedAt < olderThan)
      .map((l) => ({
        onboardingId: l.onboardingId ?? '',
        employeeId: employeeIdOf(l.onboardingId ?? '') ?? '',
        serialNumber: l.serialNumber,
      }));
  }
}
