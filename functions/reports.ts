import { z } from 'zod';
import { securedRoute, type HttpFunctionDefinition } from './definition';
import type { ServicesProvider } from '../shared/app/services';
import { json } from '../shared/http/problem';
import { Roles } from '../shared/http/roles';
import { summaryQuerySchema } from '../shared/schemas/api';

/** The first day a summary covers by default. */
const ALL_TIME = '2000-01-01';

const noQuerySchema = z.object({}).strict();

/**
 * `GET /api/reports/summary`: counts, time to equipped, who waits, what needs attention; `GET /api/forecast`:
 * who gets equipped when.
 */
export function reportFunctions(services: ServicesProvider): HttpFunctionDefinition[] {
  return [
    securedRoute(services, 'reports-summary', 'GET', 'reports/summary', {
      roles: [Roles.onboardingRead, Roles.onboardingApprove],
      async handle(_req, tools) {
        const query = tools.query(summaryQuerySchema);
        const s = await services();
        const to = query.to ?? s.clock.now().toISOString().slice(0, 10);
        return json(200, await s.reports.summary(query.from ?? ALL_TIME, to));
      },
    }),
    securedRoute(services, 'forecast', 'GET', 'forecast', {
      roles: [Roles.onboardingRead, Roles.onboardingApprove, Roles.inventoryManage],
      async handle(_req, tools) {
        tools.query(noQuerySchema);
        return json(200, await (await services()).readForecast());
      },
    }),
  ];
}
