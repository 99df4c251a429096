import { securedRoute, type HttpFunctionDefinition } from './definition';
import type { ServicesProvider } from '../shared/app/services';
import { problemOf } from '../shared/http/http-handler';
import { json, problem } from '../shared/http/problem';
import { Roles } from '../shared/domain/roles';
import { verifyChain } from '../shared/audit/history-chain';
import {
  bulkDecisionsBodySchema,
  decisionBodySchema,
  historyQuerySchema,
  exportOnboardingsQuerySchema,
  listOnboardingsQuerySchema,
  patchOnboardingBodySchema,
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
        const { limit, continuationToken, ...filter } = tools.query(listOnboardingsQuerySchema);
        const page = await (await services()).onboardings.list(filter, limit, continuationToken);
        return json(200, { items: page.items.map(toOnboardingView), continuationToken: page.continuationToken });
      },
    }),
    route(services, 'onboardings-export', 'GET', 'onboardings/export', {
      roles: readers,
      async handle(_req, tools) {
        const filter = tools.query(exportOnboardingsQuerySchema);
        const lines = (await services()).onboardings.export(filter);
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
            'content-disposition': 'attachment; filename="onboardings.csv"',
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
        const results = outcomes.map((outcome) => {
          const { onboardingId } = outcome;
          if (outcome.ok) return { onboardingId, status: 200, onboarding: toOnboardingView(outcome.onboarding) };
          const { problem } = problemOf(outcome.error, context);
          return { onboardingId, status: problem.status, problem };
        });
        return json(200, { results });
      },
    }),
    route(services, 'onboardings-patch', 'PATCH', 'onboardings/{id}', {
      roles: [Roles.onboardingApprove],
      person: true,
      async handle(req, tools) {
        const { priority } = await tools.body(patchOnboardingBodySchema);
        const changed = await (await services()).onboardings.changePriority(req.params.id ?? '', priority, tools.actor);
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
