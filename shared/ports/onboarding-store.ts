import type { OnboardingKind, Onboarding, OnboardingStatus, StepName, StepStatus } from '../schemas/onboarding';
import type { Priority } from '../schemas/hr-events';
import type { AccessoryRequest } from '../schemas/accessories';
import type { LaptopRequest } from '../schemas/laptops';

/** An onboarding as read, with the etag that guards the next write. */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/** Filters of `GET /api/onboardings`, combined with AND. */
export interface OnboardingFilter {
  employeeId?: string;
  status?: OnboardingStatus;
  department?: string;
  priority?: Priority;
  startDateFrom?: string;
  startDateTo?: string;
  decidedBy?: string;
  kind?: OnboardingKind;
  /** Words each found in the display name, upn or employee id, ignoring case and accents. */
  q?: string;
  /** Created at or after this instant, and before `createdBefore` (the reports' days, in Europe/Paris). */
  createdFrom?: string;
  createdBefore?: string;
}

/** How a list is ordered: newest first unless asked (a display name sorts ignoring case and accents). */
export type OnboardingSort = 'createdAt' | 'startDate' | 'displayName';
export interface ListOrder {
  sort: OnboardingSort;
  order: 'asc' | 'desc';
}
export const NEWEST_FIRST: ListOrder = { sort: 'createdAt', order: 'desc' };

/** Why an onboarding needs a person (the console's « À traiter »), in the order they are shown. */
export const ATTENTION_REASONS = [
  'departure-held',
  'account-missing',
  'needs-attention',
  'approval-expiring',
  'late',
] as const;
export type AttentionReason = (typeof ATTENTION_REASONS)[number];

export interface AttentionCriteria {
  /** Today in Europe/Paris: an onboarding not equipped whose start date is before it is late. */
  today: string;
  /** Awaiting approval since before this instant: its approval expires soon. */
  expiringIfCreatedBefore: string;
}

export interface OnboardingPage {
  items: Onboarding[];
  continuationToken: string | null;
}

/** An onboarding without its history, outbox and event ids: what an export row needs. */
export type OnboardingRow = Omit<Onboarding, 'history' | 'outbox' | 'eventIds'>;

export interface OnboardingRowPage {
  items: OnboardingRow[];
  continuationToken: string | null;
}

/** Thrown by `replace` when the etag is stale (another writer won): re-read and re-decide. */
export class ConcurrencyConflict extends Error {
  override readonly name = 'ConcurrencyConflict';
}

/** Thrown by `create` when the id is taken (a concurrent creator won). */
export class AlreadyExists extends Error {
  override readonly name = 'AlreadyExists';
}

/** Thrown when a continuation token cannot be read back. */
export class InvalidContinuationToken extends Error {
  override readonly name = 'InvalidContinuationToken';
}

/** Where onboardings live. Every write is conditional: no read-modify-write without an etag. */
export interface OnboardingStore {
  get(id: string): Promise<Versioned<Onboarding> | null>;
  /** The employee's onboardings, newest (highest sequence) first. */
  listForEmployee(employeeId: string): Promise<Versioned<Onboarding>[]>;
  /**
   * The onboardings whose agent's manager is this person, newest first: by their object id, and those whose
   * manager's object id was not known (their account was not found then) by upn, for the caller to confirm.
   */
  managedBy(manager: { objectId: string; userPrincipalName: string }, limit: number): Promise<Onboarding[]>;
  create(onboarding: Onboarding): Promise<Versioned<Onboarding>>;
  /** Replaces only if the stored etag is still `etag`; otherwise throws ConcurrencyConflict. */
  replace(onboarding: Onboarding, etag: string): Promise<Versioned<Onboarding>>;
  query(
    filter: OnboardingFilter,
    limit: number,
    continuationToken?: string,
    order?: ListOrder,
  ): Promise<OnboardingPage>;
  /**
   * Writes again, as they are, up to `limit` documents of an earlier release that lack the keys a search reads
   * (the store adds them at every write); answers how many. The sweeper calls it, a few a pass.
   */
  addSearchKeys(limit: number): Promise<number>;
  /** The event ids recorded on these employees' onboardings (what an import finds already applied). */
  appliedEvents(employeeIds: readonly string[]): Promise<Set<string>>;
  /** How many match the filter (the list's `total`). */
  count(filter: OnboardingFilter): Promise<number>;
  /** How many onboardings there are of each status. */
  countByStatus(): Promise<Record<OnboardingStatus, number>>;
  /** The departments onboardings name, with how many each. */
  departments(): Promise<Record<string, number>>;
  /** The ids of the onboardings that need a person, by reason (one may have several). */
  attentionIds(criteria: AttentionCriteria): Promise<Record<AttentionReason, string[]>>;
  /** The same as rows, at most `limit` a reason, the earliest start date first. */
  attentionRows(criteria: AttentionCriteria, limit: number): Promise<Record<AttentionReason, OnboardingRow[]>>;
  /** The same list as rows (no history, outbox or event ids): a fifth of the bytes, for the export. */
  rowsPage(filter: OnboardingFilter, limit: number, continuationToken?: string): Promise<OnboardingRowPage>;
  /** Onboardings whose outbox still holds commands last changed before `olderThan`. */
  withPendingOutbox(olderThan: string, limit: number): Promise<Versioned<Onboarding>[]>;
  /**
   * Onboardings unchanged since `olderThan` with a step that should be moving: provisioning with a step
   * pending (and due at `now`: lead times), in progress or (licence) waiting for its re-check; cancelled with
   * a step still to undo; a leaver whose access removal has not finished.
   */
  withStuckSteps(olderThan: string, limit: number, now: string): Promise<Versioned<Onboarding>[]>;
  /**
   * The line for laptops: the first `limit` running onboardings whose laptop step waits, in the order they
   * are served (continuity first, then the earliest start date, then the earliest approval).
   */
  waitingForLaptop(limit: number): Promise<LaptopRequest[]>;
  /** The same line for licence seats: running onboardings whose licence step waits, in the same order. */
  waitingForSeat(limit: number): Promise<LaptopRequest[]>;
  /** The same line for accessories: running onboardings whose accessories step waits, with the kinds they need. */
  waitingForAccessories(limit: number): Promise<AccessoryRequest[]>;
  /**
   * The facts the reports need of the onboardings created in [`from`, `to`) (ISO instants), handed to
   * `onPage` a page at a time (a few fields each, never whole documents): a report never holds them all.
   */
  reportFacts(from: string, to: string, onPage: (rows: ReportFacts[]) => void): Promise<void>;
  /** Finished onboardings (completed, rejected, cancelled, left) last changed before `cutoff`, not yet pseudonymised. */
  finishedBefore(cutoff: string, limit: number): Promise<Versioned<Onboarding>[]>;
}

/** What the summary report reads of one onboarding. */
export interface ReportFacts {
  id: string;
  status: OnboardingStatus;
  priority: Priority;
  createdAt: string;
  decidedAt: string | null;
  completedAt: string | null;
  /** When the laptop reached the agent (its handover), if it did. */
  handedOverAt: string | null;
  steps: Record<StepName, { status: StepStatus; detail?: string }>;
}
