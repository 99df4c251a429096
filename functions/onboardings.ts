import { securedRoute, type HttpFunctionDefinition } from './definition';
import type { ServicesProvider } from '../shared/app/services';
import { bulkResults } from '../shared/http/http-handler';
import { json, problem } from '../shared/http/problem';
import { Roles } from '../shared/domain/roles';
import { verifyChain } from '../shared/audit/history-chain';
import {
  bulkDecisionsBodySchema,
  countsQuerySchema,
  decisionBodySchema,
  historyQuerySchema,
  exportOnboardingsQuerySchema,
  listOnboardingsQuerySchema,
  patchOnboardingBodySchema,
  toHandleQuerySchema,
  toOnboardingView,
} from '../shared/schemas/api';

const readers = [Roles.onboardingRead, Roles.onboardingApprove] as const;

const route = securedRoute;

function notFound(id: string) {
  return problem(404, `no onboarding ${id}`, { code: 'ONBOARDING.NOT_FOUND' });
}

/** The onboarding routes of the contract: list, read, history, decision (one or many), retry. */
export function onboardingFunctions(services: ServicesProvider): HttpFunctionDefinition[] {
  return [
    route(services, 'onboardings-list', 'GET', 'onboardings', {
      roles: readers,
      async handle(_req, tools) {
        const { limit, continuationToken, sort, order, ...query } = tools.query(listOnboardingsQuerySchema);
        // Newest first by default; a sort asked without an order: a date ascending would start in the past,
        // so dates keep the newest first and names go from A to Z.
        const listOrder =
          sort || order
            ? { sort: sort ?? 'createdAt', order: order ?? (sort === 'displayName' ? 'asc' : 'desc') }
            : undefined;
        const page = await (await services()).onboardings.list(query, limit, continuationToken, listOrder);
        return json(200, {
          items: page.items.map(toOnboardingView),
          continuationToken: page.continuationToken,
          total: page.total,
        });
      },
    }),
    route(services, 'onboardings-counts', 'GET', 'onboardings/counts', {
      roles: readers,
      async handle(_req, tools) {
        const { include } = tools.query(countsQuerySchema);
        return json(200, await (await services()).onboardings.counts({ departments: include === 'departments' }));
      },
    }),
    // Named before onboardings-get (`onboardings/{id}`): the host tries routes in the order of the names.
    route(services, 'onboardings-attention', 'GET', 'onboardings/to-handle', {
      roles: readers,
      async handle(_req, tools) {
        const { limit } = tools.query(toHandleQuerySchema);
        const { items, total } = await (await services()).onboardings.toHandle(limit);
        return json(200, {
          total,
          items: items.map((i) => ({ onboarding: toOnboardingView(i.onboarding), reasons: i.reasons })),
        });
      },
    }),
    route(services, 'onboardings-export', 'GET', 'onboardings/export', {
      roles: readers,
      async handle(_req, tools) {
        const { format, ...query } = tools.query(exportOnboardingsQuerySchema);
        const lines = (await services()).onboardings.export(query, format);
        const encoder = new TextEncoder();
        // Streamed: each page is read from the store when the client has taken the previous one.
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            const next = await lines.next();
            if (next.done) controller.close();
            else controller.enqueue(encoder.encode(next.value));
          },
          async cancel() {
            await lines.return(undefined);
          },
        });
        return {
          status: 200,
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="${format === 'excel-fr' ? 'arrivees' : 'onboardings'}.csv"`,
          },
          body,
        };
      },
    }),
    route(services, 'onboardings-get', 'GET', 'onboardings/{id}', {
      roles: readers,
      async handle(req) {
        const id = req.params.id ?? '';
        const found = await (await services()).onboardings.get(id);
        return found ? json(200, toOnboardingView(found)) : notFound(id);
      },
    }),
    route(services, 'onboardings-history', 'GET', 'onboardings/{id}/history', {
      roles: readers,
      async handle(req, tools) {
        const { verify } = tools.query(historyQuerySchema);
        const id = req.params.id ?? '';
        const history = await (await services()).onboardings.history(id);
        if (!history) return notFound(id);
        // Oldest first: entries are appended in write order, each stamped when its change was decided.
        return json(200, { items: history, ...(verify ? { verification: verifyChain(history) } : {}) });
      },
    }),
    route(services, 'onboardings-decision', 'POST', 'onboardings/{id}/decision', {
      roles: [Roles.onboardingApprove],
      person: true,
      async handle(req, tools) {
        const body = await tools.body(decisionBodySchema);
        const decided = await (await services()).onboardings.decide(req.params.id ?? '', body, tools.actor);
        return json(200, toOnboardingView(decided));
      },
    }),
    route(services, 'decisions-bulk', 'POST', 'decisions', {
      roles: [Roles.onboardingApprove],
      person: true,
      async handle(_req, tools, context) {
        const { decisions } = await tools.body(bulkDecisionsBodySchema);
        const outcomes = await (await services()).onboardings.decideMany(decisions, tools.actor);
        return json(200, { results: bulkResults(outcomes, toOnboardingView, context) });
      },
    }),
    route(services, 'onboardings-patch', 'PATCH', 'onboardings/{id}', {
      roles: [Roles.onboardingApprove],
      person: true,
      async handle(req, tools) {
        const body = await tools.body(patchOnboardingBodySchema);
        const { onboardings } = await services();
        const id = req.params.id ?? '';
        const changed =
          'priority' in body
            ? await onboardings.changePriority(id, body.priority, tools.actor)
            : await onboardings.correctUpn(id, body.userPrincipalName, tools.actor);
        return json(200, toOnboardingView(changed));
      },
    }),
    route(services, 'onboardings-access-pass', 'POST', 'onboardings/{id}/access-pass', {
      roles: [Roles.onboardingApprove],
      person: true,
      async handle(req, tools) {
        const pass = await (await services()).onboardings.issueAccessPass(req.params.id ?? '', tools.actor);
        // Shown once, to the person who asked: kept by no cache on the way.
        return json(
          201,
          {
            temporaryAccessPass: pass.temporaryAccessPass,
            startDateTime: pass.startDateTime,
            lifetimeInMinutes: pass.lifetimeInMinutes,
            isUsableOnce: pass.isUsableOnce,
          },
          { 'cache-control': 'no-store' },
        );
      },
    }),
    route(services, 'onboardings-decision-undo', 'POST', 'onboardings/{id}/decision/undo', {
      roles: [Roles.onboardingApprove],
      person: true,
      async handle(req, tools) {
        const undone = await (await services()).onboardings.undoDecision(req.params.id ?? '', tools.actor);
        return json(200, toOnboardingView(undone));
      },
    }),
    route(services, 'onboardings-retry', 'POST', 'onboardings/{id}/retry', {
      roles: [Roles.onboardingApprove],
      person: true,
      async handle(req, tools) {
        const retried = await (await services()).onboardings.retry(req.params.id ?? '', tools.actor);
        return json(202, toOnboardingView(retried));
      },
    }),
  ];
}
