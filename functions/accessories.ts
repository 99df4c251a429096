import type { HttpFunctionDefinition } from './definition';
import { securedRoute } from './definition';
import type { ServicesProvider } from '../shared/app/services';
import { Roles } from '../shared/domain/roles';
import { json } from '../shared/http/problem';
import { addAccessoriesBodySchema } from '../shared/schemas/accessories';

/** The counted accessories: add to a kind's stock at a site (the line is served at once), list them. */
export function accessoryFunctions(services: ServicesProvider): HttpFunctionDefinition[] {
  return [
    securedRoute(services, 'accessories-add', 'POST', 'stock/accessories', {
      roles: [Roles.inventoryManage],
      async handle(_req, tools) {
        const body = await tools.body(addAccessoriesBodySchema);
        return json(201, await (await services()).accessories.add(body));
      },
    }),
    securedRoute(services, 'accessories-list', 'GET', 'stock/accessories', {
      roles: [Roles.inventoryManage, Roles.onboardingRead, Roles.onboardingApprove],
      async handle() {
        return json(200, { items: await (await services()).accessories.list() });
      },
    }),
  ];
}
