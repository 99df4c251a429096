import type { Actor } from '../../domain/actor';
import type { ImportSummary } from '../../import/hr-csv';
import type { EquipmentImportSummary } from './equipment-import';
import type { HrEvent } from '../../schemas/hr-events';
import type { HrEventOutcome } from '../onboarding/handle-hr-event';

/** What a look at an HR event that found no onboarding comes to (its hire may come after it). */
export type HrEventLook =
  | Exclude<HrEventOutcome, { outcome: 'unknown-employee' }>
  | { outcome: 'deferred'; look: number }
  /** Set aside: `code` names why (NoOnboardingForEmployee after the last look, UnknownEmployee for a mover). */
  | { outcome: 'gave-up'; code: string; reason: string };

/** HR's events and files: taken in (`POST /api/hr-events`, the queue), applied, imported. */
export interface IntakeUseCases {
  /** Queues the event on `hr-events` (messageId = eventId: the same event twice is one). */
  accept(event: HrEvent, traceparent: string): Promise<void>;
  /**
   * Applies the event. One that finds no onboarding yet (a cancellation before its hire) is looked at again a
   * minute later, `MAX_LOOKS` times (`looks`: how many were made), then given up.
   */
  handle(event: HrEvent, options: { traceparent?: string; looks: number }): Promise<HrEventLook>;
  /** `POST /api/hr-events/import`: every row checked, then queued (or only counted: `dryRun`). */
  importHires(bytes: Uint8Array, dryRun: boolean): Promise<ImportSummary>;
  /**
   * `POST /api/equipment-requests/import`: the CODIR's list, every row checked and its agent found in the
   * directory, then queued (or only counted: `dryRun`); `by`, the person importing, is named as the requester.
   */
  importEquipmentRequests(
    bytes: Uint8Array,
    options: { dryRun: boolean; by: Actor & { id: string } },
  ): Promise<EquipmentImportSummary>;
}
