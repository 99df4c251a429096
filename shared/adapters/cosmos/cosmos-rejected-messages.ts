import type { Container, Database, SqlParameter } from '@azure/cosmos';
import { ConcurrencyConflict, type Versioned } from '../../ports/onboarding-store';
import type { RejectedMessageStore } from '../../ports/rejected-messages';
import { rejectedMessageSchema, type RejectedMessage } from '../../schemas/rejected-message';
import { CONTAINERS } from './containers';
import { cosmosStatus } from './cosmos-errors';
import { parseStored, readableOnly } from './stored-documents';
import { UnreadableDocument, type OnUnreadable } from '../../ports/unreadable-document';

/** Rejected messages in Cosmos DB, partitioned by queue. */
export class CosmosRejectedMessages implements RejectedMessageStore {
  private readonly container: Container;

  /** `onUnreadable`: told of each document that fails its schema; the list goes on without it. */
  constructor(
    database: Database,
    private readonly onUnreadable: OnUnreadable = () => undefined,
  ) {
    this.container = database.container(CONTAINERS.rejectedMessages.id);
  }

  async record(message: RejectedMessage): Promise<RejectedMessage> {
    const valid = rejectedMessageSchema.parse(message);
    try {
      await this.container.items.create(valid);
      return valid;
    } catch (err) {
      if (cosmosStatus(err) !== 409) throw err;
      return (await this.get(valid.queue, valid.id))?.value ?? valid;
    }
  }

  async get(queue: string, id: string): Promise<Versioned<RejectedMessage> | null> {
    try {
      const { resource } = await this.container.item(id, queue).read<RejectedMessage & { _etag?: string }>();
      if (!resource?._etag) return null;
      return { value: parseStored(rejectedMessageSchema, resource), etag: resource._etag };
    } catch (err) {
      if (cosmosStatus(err) === 404) return null;
      if (err instanceof UnreadableDocument) await this.onUnreadable(err);
      throw err;
    }
  }

  async list(options: { queue?: string; includeResubmitted?: boolean; limit: number }): Promise<RejectedMessage[]> {
    const where = ["c.docType = 'rejected-message'"];
    const parameters: SqlParameter[] = [];
    if (options.queue) {
      where.push('c.queue = @queue');
      parameters.push({ name: '@queue', value: options.queue });
    }
    if (!options.includeResubmitted) where.push('ARRAY_LENGTH(c.resubmissions) = 0');
    const { resources } = await this.container.items
      .query<RejectedMessage>({
        query: `SELECT TOP ${Math.trunc(options.limit)} * FROM c WHERE ${where.join(' AND ')} ORDER BY c.rejectedAt`,
        parameters,
      })
      .fetchAll();
    return readableOnly(resources, (r) => parseStored(rejectedMessageSchema, r), this.onUnreadable);
  }

  async replace(message: RejectedMessage, etag: string): Promise<void> {
    const valid = rejectedMessageSchema.parse(message);
    try {
      await this.container
        .item(valid.id, valid.queue)
        .replace(valid, { accessCondition: { type: 'IfMatch', condition: etag } });
    } catch (err) {
      if (cosmosStatus(err) === 412) throw new ConcurrencyConflict(`rejected message ${valid.id} changed meanwhile`);
      throw err;
    }
  }
}
