import type { CosmosStats } from '../local/embedded-cosmos';

// What a run would cost in Azure: its Cosmos DB operations in request units, its Service Bus operations and
// function executions, at list prices. The prices, their date and where they come from: bench/README.md.

/** Azure list prices (USD, pay as you go, West Europe), as recorded on the date below; € at the rate below. */
export const PRICES = {
  recordedOn: '2026-11',
  usdToEur: 0.86,
  /** Cosmos DB serverless: per million request units. */
  cosmosPerMillionRu: 0.25,
  /** Service Bus Standard: per million operations past the 13 million the base charge includes. */
  serviceBusPerMillionOps: 0.8,
  /** Functions Flex Consumption, on demand: per million executions, per GB-second (2 GB instances). */
  functionsPerMillionExecutions: 0.4,
  functionsPerGbSecond: 0.000026,
  instanceMemoryGb: 2,
  /** Azure Storage (general-purpose v2, LRS): queue operations and table transactions, per 10,000. */
  storageQueuePer10kOps: 0.004,
  storageTablePer10kTransactions: 0.00036,
};

/**
 * Request units of one kind of operation, as Cosmos DB charges them (documented rules of thumb: a point read
 * of 1 KB costs 1 RU, a write of 1 KB about 5.5 RU with the default indexing; a query about 2.5 RU plus 1 RU a
 * KB returned; a refused conditional write about 1 RU).
 */
export function requestUnits(kind: string, count: number, bytes: number): number {
  const kb = (n: number) => Math.max(1, n / 1024);
  const average = count > 0 ? bytes / count : 0;
  if (kind.endsWith('(412)')) return count;
  if (kind.endsWith('pointRead')) return count * kb(average);
  if (kind.endsWith('query')) return count * 2.5 + bytes / 1024;
  return count * 5.5 * kb(average);
}

export function cosmosRequestUnits(stats: CosmosStats): number {
  return Object.entries(stats.byKind).reduce((sum, [kind, v]) => sum + requestUnits(kind, v.count, v.bytes), 0);
}

export interface RunCounts {
  onboardings: number;
  cosmos: CosmosStats;
  /** Service Bus: messages sent, delivered, settled (each an operation); busyMs: time a handler was at work. */
  bus: { sent: number; delivered: number; settled: number; busyMs: number };
  /** HTTP requests made to the function app (hires and decisions). */
  httpRequests: number;
  graphCalls: number;
}

export interface CostLine {
  requestUnits: number;
  serviceBusOperations: number;
  executions: number;
  gbSeconds: number;
  graphCalls: number;
  /** € for 1,000: the state store, the messaging, the function executions. */
  eur: { state: number; messaging: number; functions: number; total: number };
}

/** What 1,000 onboardings cost, from the counts of a run of `onboardings`. */
export function costPerThousand(run: RunCounts): CostLine {
  const per = 1000 / run.onboardings;
  const requestUnitsUsed = cosmosRequestUnits(run.cosmos) * per;
  const busOps = (run.bus.sent + run.bus.delivered + run.bus.settled) * per;
  const executions = (run.bus.delivered + run.httpRequests) * per;
  // Billed time (Flex Consumption, on demand): an instance's memory while it executes at least one function;
  // concurrent executions share it. The HTTP routes run while the queue handlers do, so they add none.
  const gbSeconds = (run.bus.busyMs / 1000) * PRICES.instanceMemoryGb * per;
  const eur = {
    state: (requestUnitsUsed / 1e6) * PRICES.cosmosPerMillionRu * PRICES.usdToEur,
    messaging: (busOps / 1e6) * PRICES.serviceBusPerMillionOps * PRICES.usdToEur,
    functions:
      ((executions / 1e6) * PRICES.functionsPerMillionExecutions + gbSeconds * PRICES.functionsPerGbSecond) *
      PRICES.usdToEur,
    total: 0,
  };
  eur.total = eur.state + eur.messaging + eur.functions;
  return {
    requestUnits: requestUnitsUsed,
    serviceBusOperations: busOps,
    executions,
    gbSeconds,
    graphCalls: run.graphCalls * per,
    eur,
  };
}

/**
 * The same three activities and one external approval event with Durable Functions on its default backend
 * (Azure Storage), counted from how that backend works (learn.microsoft.com: durable-functions-azure-storage-provider,
 * durable-functions-billing, durable-functions-task-hubs): each orchestrator episode dequeues and deletes its
 * control-queue message, reads the history, appends to it and updates the instance row (5 transactions); each
 * activity is a work-item message put, read, deleted and its result put on the control queue (4); starting an
 * instance puts a message and inserts an instance row (2); the approval event is a message (1). One orchestration
 * of this shape replays in 5 episodes (start, approval, three results), each replay billed as an execution on
 * consumption plans; idle queue polling is left out (it depends on the number of instances, not of onboardings).
 * `busyGbSeconds`: the billed time of the same work (the activities wait on Graph as our steps do; an
 * orchestrator awaiting is not billed), taken from the measured run.
 */
export function durableFunctionsPerThousand(busyGbSeconds: number): CostLine & { transactions: number } {
  const episodes = 5;
  const activities = 3;
  const queueOps = episodes * 2 + activities * 4 + 2 + 1;
  const tableOps = episodes * 3;
  const executions = episodes + activities + 2; // + the HTTP starter and the HTTP approval
  const per = 1000;
  const eur = {
    state: ((tableOps * per) / 1e4) * PRICES.storageTablePer10kTransactions * PRICES.usdToEur,
    messaging: ((queueOps * per) / 1e4) * PRICES.storageQueuePer10kOps * PRICES.usdToEur,
    functions:
      (((executions * per) / 1e6) * PRICES.functionsPerMillionExecutions +
        busyGbSeconds * PRICES.functionsPerGbSecond) *
      PRICES.usdToEur,
    total: 0,
  };
  eur.total = eur.state + eur.messaging + eur.functions;
  return {
    transactions: (queueOps + tableOps) * per,
    requestUnits: 0,
    serviceBusOperations: 0,
    executions: executions * per,
    gbSeconds: busyGbSeconds,
    graphCalls: 0,
    eur,
  };
}
