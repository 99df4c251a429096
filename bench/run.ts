import os from 'node:os';
import { auditQueries } from './audit';
import { costPerThousand, durableFunctionsPerThousand, PRICES, requestUnits } from './cost-model';
import { burst, CRISIS, rawWriteRate, type BurstResult } from './crisis';
import { lineChart, writeChart, writeResult } from './harness';
import { consoleBench } from './console';
import { coldStart } from './cold-start';
import { journalCost } from './journal-cost';
import { regionCrisis, REGION_CRISIS, type RegionResult } from './region-crisis';

// `npm run bench [-- part...]`: the crisis-day figures of issue 9 (not part of `npm test`).
//   crisis    1,000 hires and approvals at once, 700 laptops, Graph throttled as documented (time scaled),
//             5 % of calls answering 503; with 1 and with 4 instances, and the continuity agents alone
//   region    the seed's crisis: 950 agents in post, the CODIR's 200 PCA agents on a desktop, 120 laptops and
//             deliveries of 100 on the next two days, 100 hires; with 1 and 4 instances, and the PCA agents alone
//   overhead  the same burst, no throttle and no faults: onboardings/s beside the endpoint's raw write rate;
//             Cosmos operations per onboarding by kind
//   cost      RU, Service Bus operations, executions, € per 1,000 onboardings; beside Durable Functions
//   audit     the list and its filters over 10,000 stored onboardings
//   journal   the local host's journal: throughput with and without it (not run by default)
//   console   the web console: bundle size, and in Chromium a list of 1,000 to approve (not run by default)
//   cold-start the deployment package: its size, and the time a new process takes to load it and register every
//             function, telemetry off and on (run it on Node 22, the runtime of the Function App)
// Results: bench/results/<part>.json and bench/results/crisis.svg.

const DEFAULT_PARTS = ['crisis', 'region', 'overhead', 'cost', 'audit', 'cold-start'];
const requested = process.argv.slice(2);
const parts = new Set(requested.length > 0 ? requested : DEFAULT_PARTS);
const machine = {
  node: process.version,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  at: new Date().toISOString(),
};

const seconds = (ms: number) => Number((ms / 1000).toFixed(1));
const fixed = (n: number, digits = 2) => Number(n.toFixed(digits));

function crisisRow(r: BurstResult) {
  return {
    instances: r.instances,
    'provisioned in (s)': seconds(r.elapsedMs),
    'lower bound (s)': seconds(r.lowerBoundMs),
    ratio: fixed(r.ratio),
    'Graph calls': r.graph.calls,
    '429s': r.graph.throttled,
    '503s': r.graph.unavailable,
    'approvals done (s)': seconds(r.intakeMs),
    'continuity equipped': `${r.continuity.equipped}/${r.continuity.agents}`,
    'last continuity (s)': seconds(r.continuity.lastEquippedMs),
    'standard before it': r.continuity.standardBefore,
    'of which approved after it': r.continuity.overtaking,
    'last continuity approved (s)': seconds(r.continuity.approvedMs),
    'last continuity laptop (s)': seconds(r.continuity.lastLaptopMs),
    'standard laptops before it': r.continuity.standardBeforeLaptop,
    'continuity left waiting': r.continuity.leftWaiting,
    completed: r.completed,
  };
}

async function crisis(): Promise<BurstResult[]> {
  const runs: BurstResult[] = [];
  // What Graph's limits allow for the continuity agents alone: the same hires, only theirs.
  const alone = await burst({
    label: 'crisis, the continuity agents alone',
    instances: 1,
    hires: CRISIS.hires,
    laptops: CRISIS.laptops,
    throttled: true,
    failureRate: CRISIS.failureRate,
    continuityOnly: true,
  });
  for (const instances of [1, 4]) {
    runs.push(
      await burst({
        label: `crisis, ${instances} instance${instances > 1 ? 's' : ''}`,
        instances,
        hires: CRISIS.hires,
        laptops: CRISIS.laptops,
        throttled: true,
        failureRate: CRISIS.failureRate,
      }),
    );
  }
  console.log(`\n-- crisis burst: ${CRISIS.hires} hires (20 % continuity), ${CRISIS.laptops} laptops, Graph throttled`);
  console.log(
    `   (documented limits, windows ÷ ${CRISIS.timeScale}), ${CRISIS.failureRate * 100} % of calls answering 503 --`,
  );
  console.table([...runs.map(crisisRow), { ...crisisRow(alone), instances: '1, continuity alone' }]);
  for (const r of runs) {
    console.log(
      `   ${r.instances} instance(s): last continuity agent equipped at ${seconds(r.continuity.lastEquippedMs)} s, ` +
        `${fixed(r.continuity.lastEquippedMs / alone.lowerBoundMs)} × Graph's lower bound for them alone ` +
        `(${seconds(alone.lowerBoundMs)} s; alone they took ${seconds(alone.continuity.lastEquippedMs)} s, ` +
        `${fixed(r.continuity.lastEquippedMs / alone.continuity.lastEquippedMs)} × that)`,
    );
  }
  const series = runs.flatMap((r) => [
    {
      name: `licences, ${r.instances} inst.`,
      points: r.timeline.map(([s, , lic]) => [s, lic] as [number, number]),
      dashed: r.instances > 1,
    },
    {
      name: `laptops, ${r.instances} inst.`,
      points: r.timeline.map(([s, , , lap]) => [s, lap] as [number, number]),
      dashed: r.instances > 1,
    },
  ]);
  const svg = writeChart(
    'crisis',
    lineChart({
      title: `Crisis burst: ${CRISIS.hires} hires, ${CRISIS.laptops} laptops, Graph throttled`,
      xLabel: 'seconds since the first hire',
      yLabel: 'agents provisioned',
      series,
      markers: [{ x: (runs[0]?.lowerBoundMs ?? 0) / 1000, label: 'lower bound' }],
    }),
  );
  const file = writeResult('crisis', {
    machine,
    crisis: CRISIS,
    runs: runs.map((r) => ({ ...r, cosmos: undefined, timeline: undefined })),
    continuityAlone: { ...alone, cosmos: undefined, timeline: undefined },
  });
  console.log(`results: ${file}, chart: ${svg}`);
  return runs;
}

async function region(): Promise<void> {
  const runs: RegionResult[] = [];
  for (const instances of [1, 4]) {
    runs.push(await regionCrisis({ label: `region, ${instances} instance${instances > 1 ? 's' : ''}`, instances }));
  }
  const alone = await regionCrisis({ label: 'region, the PCA agents alone', instances: 1, continuityOnly: true });
  console.log(
    `\n-- the seed's crisis: ${REGION_CRISIS.agents} agents in post, the CODIR's ${REGION_CRISIS.pcaAgents} PCA agents on a ` +
      `desktop, ${REGION_CRISIS.stock} laptops then ${REGION_CRISIS.deliveries.join(' and ')} on the next days, ` +
      `${REGION_CRISIS.hires} hires --`,
  );
  console.table(
    [...runs, alone].flatMap((r) =>
      r.days.map((d) => ({
        run: r.continuityOnly ? 'PCA alone' : `${r.instances} inst.`,
        day: d.day,
        'laptops in': d.laptopsIn,
        'day done (s)': seconds(d.elapsedMs),
        'continuity equipped': d.continuityEquipped,
        'last continuity (s)': seconds(d.lastContinuityMs),
        'standard before it': d.standardBefore,
        'of which approved after it': d.overtaking,
        'lower bound (s)': seconds(d.lowerBoundMs),
      })),
    ),
  );
  for (const r of runs) {
    console.log(
      `   ${r.instances} instance(s): every continuity agent equipped in ${seconds(r.continuityMs)} s of work ` +
        `(Graph's lower bound for them alone ${seconds(alone.lowerBoundMs)} s; alone they took ${seconds(alone.continuityMs)} s), ` +
        `${r.graph.throttled} 429s, ${r.continuityLeftWaiting} continuity left waiting`,
    );
  }
  const file = writeResult('region', { machine, scenario: REGION_CRISIS, runs, continuityAlone: alone });
  console.log(`results: ${file}`);
}

async function overhead(): Promise<{ run: BurstResult; rawWritesPerSecond: number }> {
  const run = await burst({
    label: 'overhead',
    instances: 1,
    hires: CRISIS.hires,
    laptops: CRISIS.laptops,
    throttled: false,
    failureRate: 0,
  });
  const writes = Object.entries(run.cosmos.byKind).filter(
    ([kind]) => !kind.endsWith('pointRead') && !kind.endsWith('query') && !kind.endsWith('(412)'),
  );
  const writeCount = writes.reduce((n, [, v]) => n + v.count, 0);
  const writeBytes = writes.reduce((n, [, v]) => n + v.bytes, 0);
  const rawWritesPerSecond = await rawWriteRate(writeCount, writeCount > 0 ? writeBytes / writeCount : 1024);
  const engineWritesPerSecond = writeCount / (run.elapsedMs / 1000);
  console.log(`\n-- engine overhead: the same burst, no throttle, no faults (1 instance) --`);
  console.table({
    'onboardings/s (every possible step done)': fixed(run.hires / (run.elapsedMs / 1000), 1),
    'store writes/s by the engine': fixed(engineWritesPerSecond, 0),
    'raw writes/s of the same endpoint (same size)': fixed(rawWritesPerSecond, 0),
    completed: run.completed,
    'waiting for a laptop': run.waitingForLaptop,
  });
  const perOnboarding = Object.fromEntries(
    Object.entries(run.cosmos.byKind)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, v]) => [
        kind,
        {
          'per onboarding': fixed(v.count / run.hires),
          'avg KB': fixed(v.count > 0 ? v.bytes / v.count / 1024 : 0),
          'max KB': fixed(v.maxBytes / 1024),
          'RU per onboarding': fixed(requestUnits(kind, v.count, v.bytes) / run.hires),
        },
      ]),
  );
  const totals = {
    reads: fixed((run.cosmos.pointReads + run.cosmos.queries) / run.hires),
    writes: fixed(writeCount / run.hires),
    preconditionFailed: fixed(run.cosmos.preconditionFailed / run.hires),
  };
  console.log('Cosmos DB operations per onboarding, by container and kind:');
  console.table(perOnboarding);
  console.log(
    `per onboarding: ${totals.reads} reads, ${totals.writes} writes, ${totals.preconditionFailed} refused (412)`,
  );
  const file = writeResult('overhead', {
    machine,
    hires: run.hires,
    laptops: run.laptops,
    elapsedMs: run.elapsedMs,
    onboardingsPerSecond: run.hires / (run.elapsedMs / 1000),
    engineWritesPerSecond,
    rawWritesPerSecond,
    completed: run.completed,
    waitingForLaptop: run.waitingForLaptop,
    perOnboarding,
    totals,
    bus: run.bus,
  });
  console.log(`results: ${file}`);
  return { run, rawWritesPerSecond };
}

function cost(run: BurstResult): void {
  const counts = {
    onboardings: run.hires,
    cosmos: run.cosmos,
    bus: run.bus,
    httpRequests: run.hires * 2,
    graphCalls: run.graph.calls,
  };
  const ours = costPerThousand(counts);
  const durable = durableFunctionsPerThousand(ours.gbSeconds);
  const row = (c: typeof ours) => ({
    'RU (Cosmos DB)': fixed(c.requestUnits, 0),
    'Service Bus ops': fixed(c.serviceBusOperations, 0),
    'storage transactions': 'transactions' in c ? c.transactions : 0,
    executions: fixed(c.executions, 0),
    'GB-s': fixed(c.gbSeconds, 1),
    'Graph calls': fixed(c.graphCalls, 0),
    '€ state': fixed(c.eur.state, 4),
    '€ messaging': fixed(c.eur.messaging, 4),
    '€ functions': fixed(c.eur.functions, 4),
    '€ total': fixed(c.eur.total, 4),
  });
  console.log(`\n-- cost of 1,000 onboardings at list prices (${PRICES.recordedOn}, bench/README.md) --`);
  console.table({
    'this service (Service Bus + Cosmos DB serverless)': row(ours),
    'Durable Functions, Azure Storage backend': { ...row(durable), 'Graph calls': 'the same' },
  });
  const file = writeResult('cost', { machine, prices: PRICES, perThousand: { ours, durableFunctions: durable } });
  console.log(`results: ${file}`);
}

async function audit(): Promise<void> {
  const result = await auditQueries();
  console.log(`\n-- audit queries over ${result.stored} stored onboardings (through the API) --`);
  console.table(
    Object.fromEntries(
      result.figures.map((f) => [
        f.query,
        {
          'p50 ms': fixed(f.p50Ms, 1),
          'p95 ms': fixed(f.p95Ms, 1),
          'RU/request': fixed(f.ruPerRequest, 1),
          items: f.itemsPerRequest,
          'peak RSS growth (MiB)': 'peakRssGrowthMiB' in f ? fixed(Number(f.peakRssGrowthMiB), 0) : '',
        },
      ]),
    ),
  );
  const file = writeResult('audit', { machine, ...result });
  console.log(`results: ${file}`);
}

async function coldStartPart(): Promise<void> {
  const result = await coldStart();
  console.log(`\n-- cold start: the deployment package (${result.packageMiB} MiB), loaded by a new process --`);
  console.table({
    'telemetry off': { ...result.withoutTelemetry, functions: result.functionsRegistered },
    'telemetry on': { ...result.withTelemetry, functions: result.functionsRegistered },
  });
  const file = writeResult('cold-start', { machine, ...result });
  console.log(`results: ${file}`);
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`bench on ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}`);
  if (parts.has('crisis')) await crisis();
  if (parts.has('region')) await region();
  if (parts.has('overhead') || parts.has('cost')) {
    const { run } = await overhead();
    if (parts.has('cost')) cost(run);
  }
  if (parts.has('audit')) await audit();
  if (parts.has('journal')) await journalCost();
  if (parts.has('console')) await consoleBench();
  if (parts.has('cold-start')) await coldStartPart();
  console.log(`\nbench done in ${seconds(Date.now() - started)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
