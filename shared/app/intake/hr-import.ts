import { parseHrCsv, type ImportSummary } from '../../import/hr-csv';

export type { ImportSummary };
import type { Clock } from '../../ports/clock';
import type { Directory } from '../../ports/directory';
import type { LaptopPool } from '../../ports/laptop-pool';
import type { MessageBus } from '../../ports/message-bus';
import { newTraceparent } from '../../telemetry/telemetry';
import { hrEventMessage, QUEUES } from '../queues';

/** Messages per send: a batch well under Service Bus's 256 KB (standard tier) for hires of under 1 KB. */
const SEND_BATCH = 100;

/**
 * `POST /api/hr-events/import`: the HR file becomes one `employee.hired` event a row, queued as
 * `POST /api/hr-events` queues one (messageId = eventId). Every row is checked first: one invalid row and
 * nothing is queued. The event ids come from the rows (employee and start date), so the same file twice is
 * the same events: Service Bus drops re-sends within its duplicate window, and the handler applies an event
 * id once whenever it comes.
 */
export function createImportHires(deps: {
  bus: MessageBus;
  laptops: LaptopPool;
  directory: Directory;
  clock: Clock;
  /** The event ids already applied for these employees: a row of them is not new. */
  appliedEvents: (employeeIds: readonly string[]) => Promise<Set<string>>;
}) {
  return async function importHires(bytes: Uint8Array, dryRun: boolean): Promise<ImportSummary> {
    const parsed = parseHrCsv(bytes, deps.clock.now().toISOString());
    const hires = parsed.hires;
    const needed = (need: 'laptop' | 'officeLicense') => hires.filter((h) => h.needs[need]).length;
    const [laptopsAvailable, seatsFree, applied] = await Promise.all([
      deps.laptops.count('available'),
      deps.directory.freeSeats(),
      deps.appliedEvents(hires.map((h) => h.employee.employeeId)),
    ]);
    const summary: ImportSummary = {
      rows: parsed.rows,
      valid: hires.length,
      errors: parsed.errors,
      continuity: hires.filter((h) => h.employee.priority === 'continuity').length,
      laptopsNeeded: needed('laptop'),
      laptopsAvailable,
      seatsNeeded: needed('officeLicense'),
      seatsFree,
      alreadyImported: hires.filter((h) => applied.has(h.eventId)).length,
    };
    if (dryRun || parsed.errors.length > 0) return summary;
    for (let i = 0; i < hires.length; i += SEND_BATCH) {
      await deps.bus.send(
        QUEUES.hrEvents,
        hires.slice(i, i + SEND_BATCH).map((event) => hrEventMessage(event, newTraceparent())),
      );
    }
    return { ...summary, eventIds: hires.map((h) => h.eventId) };
  };
}
