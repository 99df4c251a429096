import { z } from 'zod';
import type { HttpFunctionDefinition, QueueFunctionDefinition } from './definition';
import { parseMessage, queueFunction } from './definition';
import { QUEUES } from '../shared/app/queues';
import type { ServicesProvider } from '../shared/app/services';
import { secured } from '../shared/http/http-handler';
import { json } from '../shared/http/problem';
import { Roles } from '../shared/http/roles';
import { addLaptopsBodySchema, DEFAULT_POOL, listLaptopsQuerySchema, toLaptopView } from '../shared/schemas/laptops';

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
          const { status, limit, continuationToken } = tools.query(listLaptopsQuerySchema);
          const page = await (
            await services()
          ).laptopStock.list({
            ...(status ? { status } : {}),
            limit,
            ...(continuationToken ? { continuationToken } : {}),
          });
          return json(200, { items: page.items.map(toLaptopView), continuationToken: page.continuationToken });
        },
      }),
    },
  ];
}

/** A request for a pass: a laptop step's place in line (its command), a delivery, a release... of a pool. */
const allocationRequestSchema = z.looseObject({ pool: z.string().min(1).default(DEFAULT_POOL) });

/**
 * The pool's allocator: one allocation pass per message. The queue is session-enabled and every message of
 * a pool carries the pool as its session, so Service Bus hands a pool to one receiver at a time: one pass
 * at a time allocates it, in priority order, and a laptop is never given twice.
 */
export function laptopAllocator(services: ServicesProvider): QueueFunctionDefinition {
  return queueFunction(services, {
    name: 'laptop-allocator',
    queueName: QUEUES.laptopAllocation,
    isSessionsEnabled: true,
    async handler(message, context) {
      const { pool } = parseMessage(allocationRequestSchema, message, 'InvalidAllocationRequest');
      const { waiting, reserved } = await (await services()).laptopStock.pass();
      if (reserved > 0) context.log(`allocation pass of ${pool}: ${reserved} laptop(s) reserved, ${waiting} in line`);
    },
  });
}
