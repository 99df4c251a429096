import type { Container, Database } from '@azure/cosmos';
import { z } from 'zod';
import type { DepartureGuard } from '../../ports/departure-guard';
import { TransientError } from '../../ports/provisioners';
import { CONTAINERS } from './containers';
import { cosmosStatus } from './cosmos-errors';

const ID = 'departure-guard';
const HOUR_MS = 3600_000;

/** The departures let through within the last hour: a list that never holds more than the threshold. */
const guardSchema = z.object({
  id: z.literal(ID),
  admitted: z.array(z.object({ onboardingId: z.string(), at: z.string() })),
});
type GuardDocument = z.infer<typeof guardSchema>;

/**
 * The guard as one small document of the coordination container, changed with its etag (one writer at a time:
 * two departures counted at once cannot both take the last place). Its size is bounded by the threshold.
 */
export class CosmosDepartureGuard implements DepartureGuard {
  private readonly container: Container;

  constructor(database: Database) {
    this.container = database.container(CONTAINERS.coordination.id);
  }

  private async read(): Promise<{ doc: GuardDocument; etag: string | null }> {
    try {
      const { resource } = await this.container.item(ID, ID).read<GuardDocument & { _etag?: string }>();
      const parsed = guardSchema.safeParse(resource);
      // None yet, or unreadable: a fresh window (it is replaced under its etag at the next write).
      if (resource?._etag)
        return { doc: parsed.success ? parsed.data : { id: ID, admitted: [] }, etag: resource._etag };
    } catch (err) {
      if (cosmosStatus(err) !== 404) throw err;
    }
    return { doc: { id: ID, admitted: [] }, etag: null };
  }

  async admit(onboardingId: string, at: Date, maxPerHour: number): Promise<boolean> {
    for (let i = 0; i < 20; i++) {
      const { doc, etag } = await this.read();
      const since = new Date(at.getTime() - HOUR_MS).toISOString();
      const recent = doc.admitted.filter((a) => a.at > since);
      if (recent.some((a) => a.onboardingId === onboardingId)) return true;
      if (recent.length >= maxPerHour) return false;
      const next: GuardDocument = { id: ID, admitted: [...recent, { onboardingId, at: at.toISOString() }] };
      try {
        if (etag === null) await this.container.items.create(next);
        else await this.container.item(ID, ID).replace(next, { accessCondition: { type: 'IfMatch', condition: etag } });
        return true;
      } catch (err) {
        const status = cosmosStatus(err);
        if (status !== 412 && status !== 409) throw err;
      }
    }
    throw new TransientError('the departure guard is too contended; try again');
  }
}
