import { z } from 'zod';
import type { HttpFunctionDefinition, QueueFunctionDefinition } from './definition';
import { parseMessage, queueFunction, securedRoute, traceparentOf } from './definition';
import { bulkResults } from '../shared/http/http-handler';
import { json } from '../shared/http/problem';
import { Roles } from '../shared/domain/roles';
import { MAX_BULK_DECISIONS, toOnboardingView } from '../shared/schemas/api';
import { departureMessageSchema } from '../shared/app/departures/departures';
import { QUEUES } from '../shared/app/queues';
import type { ServicesProvider } from '../shared/app/services';
import { inMessageSpan } from '../shared/telemetry/telemetry';

/** A leaver's last day ended (scheduled when `employee.left` applied): access removed, the laptop expected back. */
export function departureWorker(services: ServicesProvider): QueueFunctionDefinition {
  return queueFunction(services, {
    name: 'departure-worker',
    queueName: QUEUES.departures,
    async handler(message, context) {
      const due = parseMessage(departureMessageSchema, message, 'InvalidDeparture');
      const s = await services();
      const after = await inMessageSpan(
        'departure',
        traceparentOf(context),
        { 'onboarding.id': due.onboardingId },
        () => s.departures.handle(due),
      );
      context.log(`departure of ${due.onboardingId} (${due.lastDay}): ${after ? after.status : 'no such onboarding'}`);
    },
  });
}

/** `POST /api/departures/confirm`: departures the guard held (past Safety__maxDeparturesPerHour), confirmed. */
const confirmBodySchema = z
  .object({ onboardingIds: z.array(z.string().min(1).max(256)).min(1).max(MAX_BULK_DECISIONS) })
  .strict();

export function departureFunctions(services: ServicesProvider): HttpFunctionDefinition[] {
  return [
    securedRoute(services, 'departures-confirm', 'POST', 'departures/confirm', {
      roles: [Roles.onboardingApprove],
      person: true,
      async handle(_req, tools, context) {
        const { onboardingIds } = await tools.body(confirmBodySchema);
        const outcomes = await (await services()).departures.confirm(onboardingIds, tools.actor);
        return json(200, { results: bulkResults(outcomes, toOnboardingView, context) });
      },
    }),
  ];
}
