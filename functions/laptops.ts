import { z } from 'zod';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { HttpFunctionDefinition, QueueFunctionDefinition } from './definition';
import { parseMessage, queueFunction, securedRoute } from './definition';
import { QUEUES } from '../shared/app/queues';
import type { ServicesProvider } from '../shared/app/services';
import { ErrorCodes } from '../shared/domain/errors';
import { json, problem } from '../shared/http/problem';
import { Roles } from '../shared/domain/roles';
import {
  addLaptopsBodySchema,
  DEFAULT_POOL,
  deliveryBodySchema,
  handoverBodySchema,
  laptopReturnBodySchema,
  listLaptopsQuerySchema,
  serialNumberSchema,
  toLaptopView,
  type Laptop,
} from '../shared/schemas/laptops';

/**
 * The laptop stock: add laptops (serving the waiting onboardings at once), list them, record a returned one,
 * announce and withdraw expected deliveries.
 */

/**
 * A laptop route's action on the serial of its path: a serial no laptop can have is 404, as an unknown one is;
 * otherwise the laptop as it stands after `act`.
 */
async function onSerial(req: HttpRequest, act: (serial: string) => Promise<Laptop>): Promise<HttpResponseInit> {
  const serial = serialNumberSchema.safeParse(req.params.serialNumber ?? '');
  if (!serial.success) {
    return problem(404, `no laptop ${req.params.serialNumber ?? ''}`, { code: ErrorCodes.laptopNotFound });
  }
  return json(200, toLaptopView(await act(serial.data)));
}

export function laptopFunctions(services: ServicesProvider): HttpFunctionDefinition[] {
  const inventory = [Roles.inventoryManage];
  return [
    securedRoute(services, 'laptops-return', 'POST', 'laptops/{serialNumber}/return', {
      roles: inventory,
      person: true,
      async handle(req, tools) {
        return onSerial(req, async (serial) => {
          const body = await tools.body(laptopReturnBodySchema);
          return (await services()).laptops.returnLaptop(serial, body, tools.actor);
        });
      },
    }),
    securedRoute(services, 'laptops-handover', 'POST', 'laptops/{serialNumber}/handover', {
      roles: inventory,
      person: true,
      async handle(req, tools) {
        return onSerial(req, async (serial) => {
          const body = await tools.body(handoverBodySchema);
          return (await services()).laptops.handOver(serial, body, tools.actor);
        });
      },
    }),
    securedRoute(services, 'laptops-deliveries-add', 'POST', 'laptops/deliveries', {
      roles: inventory,
      async handle(_req, tools) {
        const body = await tools.body(deliveryBodySchema);
        const delivery = await (await services()).laptops.deliveries.add(body);
        return json(201, { id: delivery.id });
      },
    }),
    securedRoute(services, 'laptops-deliveries-list', 'GET', 'laptops/deliveries', {
      // Whoever reads the forecast reads what it counts.
      roles: [Roles.inventoryManage, Roles.onboardingRead, Roles.onboardingApprove],
      async handle() {
        const deliveries = await (await services()).laptops.deliveries.list();
        return json(200, {
          items: deliveries.map((d) => ({
            id: d.id,
            expectedOn: d.expectedOn,
            count: d.count,
            model: d.model ?? null,
            site: d.site ?? null,
          })),
        });
      },
    }),
    securedRoute(services, 'laptops-counts', 'GET', 'laptops/counts', {
      roles: [Roles.inventoryManage, Roles.onboardingRead, Roles.onboardingApprove],
      async handle() {
        return json(200, { byStatus: await (await services()).laptops.counts() });
      },
    }),
    securedRoute(services, 'laptops-deliveries-delete', 'DELETE', 'laptops/deliveries/{id}', {
      roles: inventory,
      async handle(req) {
        const id = req.params.id ?? '';
        if (!(await (await services()).laptops.deliveries.remove(id))) {
          return problem(404, `no expected delivery ${id}`, { code: ErrorCodes.deliveryNotFound });
        }
        return { status: 204 };
      },
    }),
    securedRoute(services, 'laptops-add', 'POST', 'laptops', {
      roles: inventory,
      async handle(_req, tools) {
        const body = await tools.body(addLaptopsBodySchema);
        return json(201, await (await services()).laptops.add(body));
      },
    }),
    securedRoute(services, 'laptops-list', 'GET', 'laptops', {
      // Onboarding.Approve reads everything.
      roles: [Roles.inventoryManage, Roles.onboardingRead, Roles.onboardingApprove],
      async handle(_req, tools) {
        const { status, handedOver, limit, continuationToken } = tools.query(listLaptopsQuerySchema);
        const page = await (
          await services()
        ).laptops.list({
          ...(status ? { status } : {}),
          ...(handedOver !== undefined ? { handedOver } : {}),
          limit,
          ...(continuationToken ? { continuationToken } : {}),
        });
        return json(200, { items: page.items.map(toLaptopView), continuationToken: page.continuationToken });
      },
    }),
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
      const s = await services();
      const { waiting, reserved } = await s.laptops.pass();
      if (reserved > 0) context.log(`allocation pass of ${pool}: ${reserved} laptop(s) reserved, ${waiting} in line`);
      // The accessories' line, in the same session: one pass at a time gives them out too.
      const accessories = await s.accessories.pass();
      if (accessories.reserved > 0) {
        context.log(`accessory pass of ${pool}: ${accessories.reserved} set aside, ${accessories.waiting} in line`);
      }
    },
  });
}
