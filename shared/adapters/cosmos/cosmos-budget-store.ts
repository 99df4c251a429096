import type { Container, Database } from '@azure/cosmos';
import type { BudgetStore, SharedBudgetState } from '../graph/graph-budget';
import { CONTAINERS } from './containers';
import { cosmosStatus } from './cosmos-errors';

const ID = 'graph-budget';

type StoredBudget = { id: string; state: SharedBudgetState; _etag?: string };

/** The Microsoft Graph budget every instance shares: one small document, written with its etag. */
export class CosmosBudgetStore implements BudgetStore {
  private readonly container: Container;

  constructor(database: Database) {
    this.container = database.container(CONTAINERS.coordination.id);
  }

  async read(): Promise<{ state: SharedBudgetState; etag: string } | null> {
    try {
      const { resource } = await this.container.item(ID, ID).read<StoredBudget>();
      return resource?._etag ? { state: resource.state, etag: resource._etag } : null;
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
