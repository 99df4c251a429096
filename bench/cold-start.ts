import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { BUNDLE, buildPackage, PACKAGE_DIR } from '../cli/package-functions';
import { percentile } from './harness';

/**
 * `npm run bench -- cold-start`: what a new instance of the function app pays before its first invocation. The
 * package of `npm run package` is built, then `node -e "require('./functions/index.js')"` is started in it again and
 * again (a new process each time, as a scale-out is), with telemetry off and on (APPLICATIONINSIGHTS_CONNECTION_STRING
 * set: the Azure Monitor distro starts, pointed at an address that answers nothing). Each run is timed from the
 * spawn to the exit of the process, Node's own start included, and must register every function.
 */

export interface ColdStartFigures {
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export interface ColdStartResult {
  packageMiB: number;
  withoutTelemetry: ColdStartFigures;
  withTelemetry: ColdStartFigures;
  functionsRegistered: number;
}

const TELEMETRY_ON = {
  APPLICATIONINSIGHTS_CONNECTION_STRING:
    'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/',
};

function timeLoads(runs: number, env: Record<string, string>): { figures: ColdStartFigures; registered: number } {
  const once = () => {
    const started = performance.now();
    const run = spawnSync(process.execPath, ['-e', `require('./${BUNDLE}')`], {
      cwd: PACKAGE_DIR,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    const ms = performance.now() - started;
    if (run.status !== 0) throw new Error(`the package did not load: ${run.stderr.slice(0, 2000)}`);
    return { ms, registered: [...`${run.stdout}${run.stderr}`.matchAll(/register function "/g)].length };
  };
  once(); // warm-up: the file cache, as on an instance that already mounted the package
  const samples = Array.from({ length: runs }, once);
  const times = samples.map((s) => s.ms);
  return {
    figures: {
      runs,
      medianMs: Math.round(percentile(times, 50)),
      minMs: Math.round(Math.min(...times)),
      maxMs: Math.round(Math.max(...times)),
    },
    registered: Math.min(...samples.map((s) => s.registered)),
  };
}

export async function coldStart(runs = 15): Promise<ColdStartResult> {
  const { bytes } = await buildPackage(() => undefined);
  const off = timeLoads(runs, {});
  const on = timeLoads(runs, TELEMETRY_ON);
  if (off.registered !== on.registered) throw new Error('telemetry changed what registers');
  return {
    packageMiB: Number((bytes / 1024 / 1024).toFixed(1)),
    withoutTelemetry: off.figures,
    withTelemetry: on.figures,
    functionsRegistered: on.registered,
  };
}
