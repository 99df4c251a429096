import { createHash } from 'node:crypto';
import type { Actor } from '../../domain/actor';
import { byLine } from '../../import/csv';
import { parseEquipmentCsv, type EquipmentImportSummary, type EquipmentRow } from '../../import/equipment-csv';
import type { Clock } from '../../ports/clock';
import type { Directory, DirectoryAgent } from '../../ports/directory';
import type { LaptopPool } from '../../ports/laptop-pool';
import type { MessageBus } from '../../ports/message-bus';
import { equipmentRequestedSchema, type EquipmentRequested } from '../../schemas/hr-events';
import { toFieldErrors } from '../../schemas/validation';
import { newTraceparent } from '../../telemetry/telemetry';
import { hrEventMessage, QUEUES } from '../queues';

export type { EquipmentImportSummary };

/** Directory lookups at once: a person waits for the dry run, and Graph's budget is shared. */
const LOOKUPS_IN_FLIGHT = 8;
/** Messages per send, as the HR import sends them. */
const SEND_BATCH = 100;

/**
 * The event id of a row: the agent and what the row asks, so that the same file (or the same rows in another
 * order, or sent in parts) gives the same events, each applied once.
 */
export function equipmentEventId(employeeId: string, row: EquipmentRow): string {
  const asked = JSON.stringify([row.priority, row.neededBy ?? '', row.needs, row.replaces?.toUpperCase() ?? '']);
  return `codir/${employeeId}/${createHash('sha256').update(asked).digest('hex').slice(0, 16)}`;
}

async function inPool<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

/**
 * `POST /api/equipment-requests/import`: the CODIR's list becomes one `employee.equipment-requested` a row,
 * queued on hr-events as HR's events are. Each row's agent is looked up in the directory (an unknown one is
 * an error of its line); one invalid row and nothing is queued. `by`: the person importing, whom the history
 * names as the requester.
 */
export function createImportEquipmentRequests(deps: {
  bus: MessageBus;
  laptops: LaptopPool;
  directory: Directory;
  clock: Clock;
  /** The event ids already applied for these employees: a row of them is not new. */
  appliedEvents: (employeeIds: readonly string[]) => Promise<Set<string>>;
}) {
  const lookUp = (row: EquipmentRow): Promise<DirectoryAgent | null> =>
    'userPrincipalName' in row.agent
      ? deps.directory.agent(row.agent.userPrincipalName)
      : deps.directory.agentByEmployeeId(row.agent.employeeId);

  return async function importEquipmentRequests(
    bytes: Uint8Array,
    options: { dryRun: boolean; by: Actor & { id: string } },
  ): Promise<EquipmentImportSummary> {
    const parsed = parseEquipmentCsv(bytes);
    const occurredAt = deps.clock.now().toISOString();
    const errors = [...parsed.errors];
    const unknownAgents: string[] = [];
    const events: EquipmentRequested[] = [];
    let alreadyEquipped = 0;
    let laptopsNeeded = 0;
    const agents = await inPool(parsed.requests, LOOKUPS_IN_FLIGHT, async (row) => {
      const agent = await lookUp(row);
      const held = agent && row.needs.laptop ? await deps.laptops.assignedTo(agent.userPrincipalName) : null;
      return { agent, held };
    });
    const seen = new Map<string, number>();
    parsed.requests.forEach((row, i) => {
      const { agent, held } = agents[i] ?? { agent: null, held: null };
      const named = 'userPrincipalName' in row.agent ? row.agent.userPrincipalName : row.agent.employeeId;
      const path = 'userPrincipalName' in row.agent ? 'userPrincipalName' : 'employeeId';
      const column = parsed.headerOf[path];
      const where = { line: row.line, path, value: named, ...(column !== undefined ? { column } : {}) };
      if (!agent) {
        unknownAgents.push(named);
        errors.push({ ...where, message: `the directory has no agent ${named}`, code: 'unknown-agent' });
        return;
      }
      if (!agent.employeeId) {
        errors.push({
          ...where,
          message: `the directory has no employee id (matricule) for ${agent.userPrincipalName}`,
          code: 'no-employee-id',
        });
        return;
      }
      const first = seen.get(agent.employeeId);
      if (first !== undefined) {
        errors.push({
          ...where,
          message: `agent ${named} is already on line ${first}`,
          code: 'duplicate',
          firstLine: first,
        });
        return;
      }
      seen.set(agent.employeeId, row.line);
      const event = equipmentRequestedSchema.safeParse({
        eventId: equipmentEventId(agent.employeeId, row),
        type: 'employee.equipment-requested',
        occurredAt,
        employee: {
          employeeId: agent.employeeId,
          userPrincipalName: agent.userPrincipalName,
          priority: row.priority,
          ...(row.neededBy !== undefined ? { neededBy: row.neededBy } : {}),
        },
        needs: row.needs,
        ...(row.replaces !== undefined ? { replaces: { serialNumber: row.replaces } } : {}),
        ...(row.priority === 'continuity' ? { reason: 'continuity' } : {}),
        requestedBy: { userPrincipalName: options.by.name, objectId: options.by.id },
      });
      if (!event.success) {
        for (const e of toFieldErrors(event.error)) {
          errors.push({ line: row.line, path: e.path.replace(/^employee\./, ''), message: e.message });
        }
        return;
      }
      if (row.needs.laptop) {
        const keepsTheirs = held !== null && held.serialNumber.toUpperCase() !== row.replaces?.toUpperCase();
        if (keepsTheirs) alreadyEquipped += 1;
        else laptopsNeeded += 1;
      }
      events.push(event.data);
    });
    const applied = await deps.appliedEvents(events.map((e) => e.employee.employeeId));
    const summary: EquipmentImportSummary = {
      rows: parsed.rows,
      valid: events.length,
      errors: byLine(errors),
      continuity: events.filter((e) => e.employee.priority === 'continuity').length,
      alreadyEquipped,
      laptopsNeeded,
      laptopsAvailable: await deps.laptops.count('available'),
      unknownAgents,
      alreadyImported: events.filter((e) => applied.has(e.eventId)).length,
    };
    if (options.dryRun || summary.errors.length > 0) return summary;
    for (let i = 0; i < events.length; i += SEND_BATCH) {
      await deps.bus.send(
        QUEUES.hrEvents,
        events.slice(i, i + SEND_BATCH).map((event) => hrEventMessage(event, newTraceparent())),
      );
    }
    return { ...summary, eventIds: events.map((e) => e.eventId) };
  };
}
