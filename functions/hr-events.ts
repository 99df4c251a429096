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
import { secured } from '../shared/http/http-handler';
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

/**
 * POST /api/hr-events/import: an HR file (CSV) of hires. `dryRun=true`: 200 with what it would do; otherwise
 * 202 with the event ids queued. Any invalid row: 400 with every row's errors, nothing queued.
 */
export function hrEventsImport(services: ServicesProvider): HttpFunctionDefinition {
  return securedRoute(
    services,
    'hr-events-import',
    'POST',
    'hr-events/import',
    {
      roles: [Roles.hrEventsSend],
      async handle(_req, tools) {
        const { dryRun = false } = tools.query(importQuerySchema);
        const bytes = await tools.bytes({ maxBytes: MAX_IMPORT_BYTES, contentTypes: CSV_TYPES });
        const summary = await (await services()).intake.importHires(bytes, dryRun);
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
