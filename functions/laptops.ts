import type { HttpFunctionDefinition } from './definition';
import type { ServicesProvider } from '../shared/app/services';
import { secured } from '../shared/http/http-handler';
import { json } from '../shared/http/problem';
import { Roles } from '../shared/http/roles';
import { addLaptopsBodySchema, listLaptopsQuerySchema, toLaptopView } from '../shared/schemas/laptops';

/** The laptop stock: add laptops (serving the waiting onboardings at once), list them. */
export function laptopFunctions(services: ServicesProvider): HttpFunctionDefinition[] {
  const validator = async () => (await services()).tokenValidator;
  return [
    {
      kind: 'http',
      name: 'laptops-add',
      methods: ['POST'],
      route: 'laptops',
      handler: secured(validator, {
        roles: [Roles.inventoryManage],
        async handle(_req, tools) {
          const body = await tools.body(addLaptopsBodySchema);
          return json(201, await (await services()).laptopStock.add(body));
        },
      }),
    },
    {
      kind: 'http',
      name: 'laptops-list',
      methods: ['GET'],
      route: 'laptops',
      handler: secured(validator, {
        // Onboarding.Approve reads everything.
        roles: [Roles.inventoryManage, Roles.onboardingRead, Roles.onboardingApprove],
        async handle(_req, tools) {
          const { status } = tools.query(listLaptopsQuerySchema);
          const laptops = await (await services()).laptopStock.list(status);
          return json(200, { items: laptops.map(toLaptopView) });
        },
      }),
    },
  ];
}
