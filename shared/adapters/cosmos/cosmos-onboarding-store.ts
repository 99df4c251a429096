import type { Container, Database, SqlParameter } from '@azure/cosmos';
import { onboardingDocumentSchema, type Onboarding } from '../../schemas/onboarding';
import {
  AlreadyExists,
  ConcurrencyConflict,
  InvalidContinuationToken,
  type OnboardingFilter,
  type OnboardingPage,
  type OnboardingStore,
  type Versioned,
} from '../../ports/onboarding-store';
import { employeeIdOf } from '../../domain/onboarding-id';
import { CONTAINERS } from './containers';
import { cosmosStatus } from './cosmos-errors';

interface StoredOnboarding extends Onboarding {
  _etag?: string;
}

function toVersioned(resource: StoredOnboarding | undefined): Versioned<Onboarding> {
  if (!resource?._etag) throw new Error('Cosmos DB returned an onboarding without an etag');
  return { value: onboardingDocumentSchema.parse(resource), etag: resource._etag };
}

/** Keyset pagination: the token carries the last id returned, so every match comes exactly once. */
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
    // falls through to the error below
  }
  throw new InvalidContinuationToken('continuationToken is not one this API returned');
}

export class CosmosOnboardingStore implements OnboardingStore {
  private readonly container: Container;

  constructor(database: Database) {
    this.container = database.container(CONTAINERS.onboardings.id);
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
    return resources.map(toVersioned);
  }

  async create(onboarding: Onboarding): Promise<Versioned<Onboarding>> {
    // The same schema before a write as after a read: a document this code could not read back is never stored.
    const valid = onboardingDocumentSchema.parse(onboarding);
    try {
      const { resource } = await this.container.items.create<StoredOnboarding>(valid);
      return toVersioned(resource);
    } catch (err) {
      if (cosmosStatus(err) === 409) throw new AlreadyExists(`onboarding ${onboarding.id} already exists`);
      throw err;
    }
  }

  async replace(onboarding: Onboarding, etag: string): Promise<Versioned<Onboarding>> {
    const valid = onboardingDocumentSchema.parse(onboarding);
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
    if (filter.startDateFrom) add('c.startDate >= @startDateFrom', '@startDateFrom', filter.startDateFrom);
    if (filter.startDateTo) add('c.startDate <= @startDateTo', '@startDateTo', filter.startDateTo);
    if (filter.decidedBy) add('LOWER(c.decision["by"]) = @decidedBy', '@decidedBy', filter.decidedBy.toLowerCase());
    if (continuationToken) add('c.id > @after', '@after', decodeToken(continuationToken));
    const top = Math.trunc(limit) + 1;
    const { resources } = await this.container.items
      .query<StoredOnboarding>(
        { query: `SELECT TOP ${top} * FROM c WHERE ${where.join(' AND ')} ORDER BY c.id`, parameters },
        filter.employeeId ? { partitionKey: filter.employeeId } : {},
      )
      .fetchAll();
    const page = resources.slice(0, limit).map((r) => toVersioned(r).value);
    const last = page.at(-1);
    return { items: page, continuationToken: resources.length > limit && last ? encodeToken(last.id) : null };
  }

  async withPendingOutbox(olderThan: string, limit: number): Promise<Versioned<Onboarding>[]> {
    const { resources } = await this.container.items
      .query<StoredOnboarding>({
        query: `SELECT TOP ${Math.trunc(limit)} * FROM c WHERE c.docType = 'onboarding' AND ARRAY_LENGTH(c.outbox) > 0 AND c.updatedAt < @olderThan`,
        parameters: [{ name: '@olderThan', value: olderThan }],
      })
      .fetchAll();
    return resources.map(toVersioned);
  }
}
