import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import type { Metafile } from 'esbuild';
import { parse } from 'yaml';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import {
  BUNDLE,
  buildPackage,
  bundleFunctions,
  EXTERNAL,
  LEFT_OUT,
  leftOutMessage,
  PACKAGE_DIR,
  ROOT,
  type PackageResult,
} from '../../cli/package-functions';
import { allFunctions } from '../../functions/all-functions';

// The package azd deploys (azure.yaml: dist .deploy, remoteBuild false, prepackage: npm run package), built here
// the same way: one bundle of the functions and what they load (decision 11), what it holds, what it leaves out,
// its size, and that it starts and registers every function with nothing but itself.

const MAX_PACKAGE_MIB = 10;
/** The settings infra/main.bicep gives the Function App (no secret among them): the composition root builds on them. */
const APP_SETTINGS = {
  CosmosDb__accountEndpoint: 'https://cosmos-test.documents.azure.com:443/',
  ServiceBusConnection__fullyQualifiedNamespace: 'sb-test.servicebus.windows.net',
  AZURE_CLIENT_ID: '00000000-0000-0000-0000-0000000000c1',
  Auth__issuer: 'https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000a1/v2.0',
  Auth__audience: '00000000-0000-0000-0000-0000000000a2',
  Auth__jwksUri: 'https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000a1/discovery/v2.0/keys',
  Graph__vpnGroupId: '00000000-0000-0000-0000-0000000000a3',
  Graph__licenseSkuId: '6fd2c87f-b296-42f0-b197-1e91e994b900',
  Console__signIn: 'entra',
  Console__clientId: '00000000-0000-0000-0000-0000000000a2',
  Console__apiScope: 'api://00000000-0000-0000-0000-0000000000a2/access_as_user',
};
const TELEMETRY = {
  APPLICATIONINSIGHTS_CONNECTION_STRING:
    'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/',
};

function files(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full, base) : [path.relative(base, full)];
  });
}

/** Runs node in the package folder with nothing else on hand: no node_modules above it, no settings. */
function nodeInPackage(script: string, env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ['-e', script], {
    cwd: PACKAGE_DIR,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}`, stdout: run.stdout };
}

const expectedNames = () =>
  allFunctions(() => Promise.reject(new Error('not called')))
    .map((f) => f.name)
    .sort();
// Outside the Functions host, @azure/functions names each registration it skips (test mode).
const registeredIn = (output: string) => [...output.matchAll(/register function "([^"]+)"/g)].map((m) => m[1]).sort();

/** The package of node_modules an input of the bundle comes from, as package-lock.json keys it. */
function lockKeyOf(input: string): string | null {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return null;
  const rest = input.slice(at + 'node_modules/'.length).split('/');
  const name = rest[0]?.startsWith('@') ? rest.slice(0, 2).join('/') : (rest[0] ?? '');
  return `${input.slice(0, at)}node_modules/${name}`;
}

let built: PackageResult;
beforeAll(async () => {
  built = await buildPackage(() => undefined);
}, 120_000);

describe('the deployment package', () => {
  it('when azd deploys, then it takes the package built by npm run package, as it is (no remote build)', () => {
    const azd = parse(readFileSync(path.join(ROOT, 'azure.yaml'), 'utf8')) as {
      services: Record<string, { dist?: string; remoteBuild?: boolean; hooks?: { prepackage?: { run?: string } } }>;
    };
    const api = azd.services.api!;
    expect(api).toMatchObject({ dist: '.deploy', remoteBuild: false });
    expect(api.hooks?.prepackage?.run).toBe('npm run package');
  });

  it('when it is listed, then it holds the bundle, the built web console, host.json, openapi.yaml and package.json, and nothing else', () => {
    expect(files(PACKAGE_DIR).sort()).toEqual(
      [
        'console/app.css',
        'console/app.js',
        'console/app.js.LEGAL.txt',
        'console/index.html',
        'functions/index.js',
        'functions/index.js.LEGAL.txt',
        'host.json',
        'openapi.yaml',
        'package.json',
      ].map((f) => f.split('/').join(path.sep)),
    );
    const pkg = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as Record<string, unknown>;
    // Nothing to install: the bundle holds every dependency.
    expect(pkg.main).toBe(BUNDLE);
    expect(pkg.dependencies).toBeUndefined();
  });

  it('when the bundle is read, then nothing of the local host, the command line, the tests or a development dependency is in it, and no private key', () => {
    const metafile: Metafile = built.metafile;
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.length).toBeGreaterThan(500);
    // The modules left out (LEFT_OUT) are stand-ins that throw, and exactly those.
    expect(inputs.filter((i) => i.startsWith('left-out:')).sort()).toEqual(LEFT_OUT.map((m) => `left-out:${m}`).sort());
    // Optional requires that only a development dependency answers (debug's supports-color) fail as in production.
    expect(inputs.filter((i) => i.startsWith('not-installed:'))).toEqual(['not-installed:supports-color']);
    const own = inputs.filter((i) => !i.includes('node_modules/') && !/^(left-out|not-installed):/.test(i));
    // What the functions run: their definitions and the shared code; the one file of cli/ is the import.meta shim.
    expect(own.filter((i) => !/^(functions|shared)\//.test(i) && i !== 'cli/import-meta-url.ts')).toEqual([]);
    for (const dir of ['local', 'test', 'bench', 'web', 'infra'])
      expect(own.some((i) => i.startsWith(`${dir}/`))).toBe(false);
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const fromPackages = [...new Set(inputs.map(lockKeyOf).filter((k): k is string => k !== null))];
    expect(fromPackages.filter((k) => lock.packages[k] === undefined)).toEqual([]);
    expect(fromPackages.filter((k) => lock.packages[k]?.dev)).toEqual([]);
    for (const tool of ['jest', 'typescript', '@vercel/cosmosdb-server', 'tsx', 'eslint']) {
      expect(fromPackages).not.toContain(`node_modules/${tool}`);
    }
    for (const file of files(PACKAGE_DIR)) {
      expect(
        `${file}: ${/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(readFileSync(path.join(PACKAGE_DIR, file), 'latin1')) ? 'a private key' : 'clean'}`,
      ).toBe(`${file}: clean`);
    }
  });

  it('when the bundle requires something from outside itself, then it is a Node.js built-in or what the Functions worker provides', () => {
    const output = Object.entries(built.metafile.outputs).find(([file]) => file.endsWith(BUNDLE))?.[1];
    // A require.resolve is not a require: @azure/monitor-opentelemetry's statsbeat patcher probes
    // @opentelemetry/instrumentation that way and goes on without it.
    const outside = (output?.imports ?? [])
      .filter((i) => i.external && i.kind !== 'require-resolve')
      .map((i) => i.path);
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    expect([...new Set(outside.filter((p) => !builtins.has(p)))]).toEqual([...EXTERNAL]);
  });

  it('when node loads its entry point with nothing but the package, then every function registers', () => {
    const run = nodeInPackage(`require('./${BUNDLE}')`);
    expect(run.status).toBe(0);
    expect(registeredIn(run.output)).toEqual(expectedNames());
  });

  it('when telemetry is on, then the bundle starts the Azure Monitor distro with the Functions instrumentation patched into its own @azure/functions, and outgoing HTTP traced', () => {
    // https://learn.microsoft.com/azure/azure-functions/opentelemetry-howto: the worker tells the host it sends its
    // logs (capability WorkerOpenTelemetryEnabled) and runs each handler in the invocation's trace context (a
    // preInvocation hook). Inside a bundle no require hook can do it: functions/telemetry-setup.ts does.
    const run = nodeInPackage(
      `require('./${BUNDLE}');
       const https = process.getBuiltinModule('https');
       console.log('HTTPS_TRACED=' + Boolean(https.request.__wrapped));`,
      TELEMETRY,
    );
    expect(run.status).toBe(0);
    expect(registeredIn(run.output)).toEqual(expectedNames());
    expect(run.output).toContain('Capability WorkerOpenTelemetryEnabled set to true.');
    expect(run.output).toContain('register log hook');
    expect(run.output).toContain('register preInvocation hook');
    expect(run.output).toContain('HTTPS_TRACED=true');
    expect(run.output).not.toContain('left out of the deployment package');
  });

  it('when a configuration reaches an exporter left out of the bundle, then the start fails and names it', () => {
    expect(LEFT_OUT).toContain('@opentelemetry/propagator-b3');
    const run = nodeInPackage(`require('./${BUNDLE}')`, { ...TELEMETRY, OTEL_PROPAGATORS: 'b3' });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain(leftOutMessage('@opentelemetry/propagator-b3'));
  });

  it('when the console and the probes are asked for with nothing but the package, then they answer from it', () => {
    // The handlers of the bundle itself (functions/index.js exports what it registered), called as the host would;
    // the console reads its sign-in from the composition root, which the bundle loads on demand.
    const script = `
      const { definitions } = require('./${BUNDLE}');
      const call = (name, params) => definitions.find((d) => d.name === name).handler(
        { method: 'GET', url: 'https://app.example/', params, headers: new Headers(), query: new URLSearchParams() },
        { invocationId: 'x', log() {}, warn() {}, error() {}, functionName: name });
      (async () => {
        const html = await call('console-page', {});
        const js = await call('console-files', { file: 'app.js' });
        const health = await call('health', {});
        console.log(JSON.stringify([html.status, html.headers['content-type'], Buffer.from(html.body).toString().includes('/console/app.js'), js.status, js.body.length > 10000, health.status]));
      })();`;
    const run = nodeInPackage(script, APP_SETTINGS);
    expect(run.status).toBe(0);
    const last = run.stdout.trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(last)).toEqual([200, 'text/html; charset=utf-8', true, 200, true, 200]);
  });

  it("when zod's other languages are left out of the bundle, then its messages are still English, and z.locales keeps en", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'zod-bundle-'));
    await bundleFunctions(
      dir,
      `import { z } from 'zod';
       const issue = z.object({ n: z.string() }).safeParse({ n: 1 }).error?.issues[0];
       console.log(JSON.stringify([issue?.message, Object.keys(z.locales)]));`,
    );
    const run = spawnSync(process.execPath, [path.join(dir, BUNDLE)], { encoding: 'utf8' });
    expect(JSON.parse(run.stdout.trim())).toEqual(['Invalid input: expected string, received number', ['en']]);
  });

  it(`when its size is measured, then it is under ${MAX_PACKAGE_MIB} MiB`, () => {
    expect(built.bytes / 1024 / 1024).toBeLessThan(MAX_PACKAGE_MIB);
  });
});
