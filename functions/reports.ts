import { z } from 'zod';
import { securedRoute, type HttpFunctionDefinition } from './definition';
import type { ServicesProvider } from '../shared/app/services';
import { json } from '../shared/http/problem';
import { Roles } from '../shared/domain/roles';
import { summaryQuerySchema } from '../shared/schemas/api';

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
        return json(200, await (await services()).reports.summary(query.from, query.to));
      },
    }),
    securedRoute(services, 'forecast', 'GET', 'forecast', {
      roles: [Roles.onboardingRead, Roles.onboardingApprove, Roles.inventoryManage],
      async handle(_req, tools) {
        tools.query(noQuerySchema);
        return json(200, await (await services()).reports.forecast());
      },
    }),
  ];
}
