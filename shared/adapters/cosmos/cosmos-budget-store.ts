import type { Container, Database } from '@azure/cosmos';
import { sharedBudgetStateSchema, type BudgetStore, type SharedBudgetState } from '../graph/graph-budget';
import { UnreadableDocument, type OnUnreadable } from '../../ports/unreadable-document';
import { z } from 'zod';
import { parseStored } from './stored-documents';
import { CONTAINERS } from './containers';
import { cosmosStatus } from './cosmos-errors';

const ID = 'graph-budget';

type StoredBudget = { id: string; state: unknown; _etag?: string };
const storedBudgetSchema = z.object({ id: z.literal(ID), state: sharedBudgetStateSchema });

/** The Microsoft Graph budget every instance shares: one small document, written with its etag. */
export class CosmosBudgetStore implements BudgetStore {
  private readonly container: Container;

  /** `onUnreadable`: told when the stored state fails its schema (it is then replaced at the next write). */
  constructor(
    database: Database,
    private readonly onUnreadable: OnUnreadable = () => undefined,
  ) {
    this.container = database.container(CONTAINERS.coordination.id);
  }

  async read(): Promise<{ state: SharedBudgetState | null; etag: string } | null> {
    try {
      const { resource } = await this.container.item(ID, ID).read<StoredBudget>();
      if (!resource?._etag) return null;
      try {
        return { state: parseStored(storedBudgetSchema, resource).state, etag: resource._etag };
      } catch (err) {
        if (!(err instanceof UnreadableDocument)) throw err;
        await this.onUnreadable(err);
        return { state: null, etag: resource._etag };
      }
    } catch (err) {
      if (cosmosStatus(err) === 404) return null;
      throw err;
    }
  }

  async write(state: SharedBudgetState, etag: string | null): Promise<boolean> {
    try {
      if (etag === null) await this.container.items.create({ id: ID, state });
      else
        await this.container
          .item(ID, ID)
          .replace({ id: ID, state }, { accessCondition: { type: 'IfMatch', condition: etag } });
      return true;
    } catch (err) {
      const status = cosmosStatus(err);
      if (status === 412 || status === 409 || status === 404) return false;
      throw err;
    }
  }
}
