import type { InvocationContext } from '@azure/functions';
import type { HttpFunctionDefinition, QueueFunctionDefinition } from './definition';
import {
  applicationProperty,
  DeadLetterError,
  parseMessage,
  queueFunction,
  securedRoute,
  traceparentOf,
} from './definition';
import { activeTraceparent, inMessageSpan, isTraceparent, newTraceparent } from '../shared/telemetry/telemetry';
import { QUEUES } from '../shared/app/queues';
import type { ServicesProvider } from '../shared/app/services';
import { secured, type RequestTools, type SecuredRoute } from '../shared/http/http-handler';
import { json, problem } from '../shared/http/problem';
import { z } from 'zod';
import { Roles } from '../shared/domain/roles';
import { hrEventSchema } from '../shared/schemas/hr-events';
import { booleanQueryParam } from '../shared/schemas/validation';

/** POST /api/hr-events: validates, then queues on hr-events with messageId = eventId (duplicates dropped). */
export function hrEventsHttp(services: ServicesProvider): HttpFunctionDefinition {
  return {
    kind: 'http',
    name: 'hr-events-http',
    methods: ['POST'],
    route: 'hr-events',
    handler: secured(services, {
      roles: [Roles.hrEventsSend],
      async handle(req, tools) {
        const event = await tools.body(hrEventSchema);
        if (event.type === 'employee.equipment-requested' && event.requestedBy !== undefined) {
          return problem(400, 'requestedBy is set by POST /api/equipment-requests/import, not by HR', {
            code: 'VALIDATION',
            errors: [{ path: 'requestedBy', message: 'set by the import of the CODIR list only' }],
          });
        }
        // The onboarding's trace starts with the caller's (W3C traceparent header), or here.
        const header = req.headers.get('traceparent');
        const traceparent = activeTraceparent() ?? (isTraceparent(header) ? header : newTraceparent());
        await (await services()).intake.accept(event, traceparent);
        return json(202, { eventId: event.eventId });
      },
    }),
  };
}

/** The largest HR file `POST /api/hr-events/import` takes (contract: up to 2 MiB). */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;

/** The media types a CSV comes with: from the HR system, curl, or a browser (Excel's own, on Windows). */
const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel'] as const;

const importQuerySchema = z
  .object({
    dryRun: booleanQueryParam,
  })
  .strict();

/** What both imports answer: the rows and their errors; the rest are counts. */
interface CsvImportSummary {
  errors: { line: number; path: string; message: string }[];
}

/**
 * A CSV import route: `dryRun=true` answers 200 with what it would do; otherwise 202 with the event ids
 * queued. Any invalid row: 400 with every row's errors (and the counts as members), nothing queued.
 */
function csvImportRoute(
  services: ServicesProvider,
  name: string,
  route: string,
  access: Pick<SecuredRoute, 'roles' | 'person'>,
  run: (bytes: Uint8Array, dryRun: boolean, tools: RequestTools) => Promise<CsvImportSummary>,
): HttpFunctionDefinition {
  return securedRoute(
    services,
    name,
    'POST',
    route,
    {
      ...access,
      async handle(_req, tools) {
        const { dryRun = false } = tools.query(importQuerySchema);
        const bytes = await tools.bytes({ maxBytes: MAX_IMPORT_BYTES, contentTypes: CSV_TYPES });
        const summary = await run(bytes, dryRun, tools);
        if (summary.errors.length > 0) {
          const lines = new Set(summary.errors.map((e) => e.line)).size;
          const { errors, ...counts } = summary;
          return problem(400, `the file has errors on ${lines} line(s); nothing was imported`, {
            code: 'VALIDATION',
            errors,
            members: counts,
          });
        }
        return json(dryRun ? 200 : 202, summary);
      },
    },
    { maxBodyBytes: MAX_IMPORT_BYTES },
  );
}

/** POST /api/hr-events/import: an HR file (CSV) of hires. */
export function hrEventsImport(services: ServicesProvider): HttpFunctionDefinition {
  return csvImportRoute(
    services,
    'hr-events-import',
    'hr-events/import',
    { roles: [Roles.hrEventsSend] },
    async (bytes, dryRun) => (await services()).intake.importHires(bytes, dryRun),
  );
}

/**
 * POST /api/equipment-requests/import: the CODIR's list (CSV) of agents in post to equip; a person approving
 * onboardings imports it, and is named in each onboarding's history as the one who asked.
 */
export function equipmentRequestsImport(services: ServicesProvider): HttpFunctionDefinition {
  return csvImportRoute(
    services,
    'equipment-requests-import',
    'equipment-requests/import',
    { roles: [Roles.onboardingApprove], person: true },
    async (bytes, dryRun, tools) => {
      const { name, id } = tools.actor;
      if (id === undefined) throw new Error('a person signed in has an object id');
      return (await services()).intake.importEquipmentRequests(bytes, { dryRun, by: { name, id } });
    },
  );
}

function looksOf(context: InvocationContext): number {
  const value = applicationProperty(context, 'deferCount');
  return typeof value === 'number' ? value : 0;
}

/** The hr-events queue: one HR event per message; one that does not parse is dead-lettered at once. */
export function hrEventsQueue(services: ServicesProvider): QueueFunctionDefinition {
  return queueFunction(services, {
    name: 'hr-events-queue',
    queueName: QUEUES.hrEvents,
    async handler(message, context) {
      const event = parseMessage(hrEventSchema, message, 'InvalidHrEvent');
      const traceparent = traceparentOf(context);
      const s = await services();
      const result = await inMessageSpan(
        `hr-event ${event.type}`,
        traceparent,
        { 'onboarding.event_id': event.eventId },
        () => s.intake.handle(event, { traceparent: traceparent ?? activeTraceparent(), looks: looksOf(context) }),
      );
      context.log(`hr event ${event.eventId} (${event.type}): ${JSON.stringify(result)}`);
      // No onboarding after the last look (a cancellation of a hire that never came): set aside.
      if (result.outcome === 'gave-up') throw new DeadLetterError(result.code, result.reason);
    },
  });
}
