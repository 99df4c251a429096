import { build, type Metafile, type Plugin } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildConsole } from './build-console';

/**
 * `npm run package`: the Function App's deployment package in .deploy/, as azd deploys it (azure.yaml:
 * `dist: .deploy`, `remoteBuild: false`, built by the service's prepackage hook). The functions and everything
 * they load are one file, functions/index.js, bundled by esbuild (decision 11: a cold start no longer resolves and
 * reads hundreds of files of node_modules), beside host.json, openapi.yaml, package.json and the built web console.
 * No node_modules: nothing to install, no dev dependency, local host, command line, infrastructure, tests or private key.
 */
export const ROOT = path.resolve(__dirname, '..');
export const PACKAGE_DIR = path.join(ROOT, '.deploy');
export const ENTRY_POINT = path.join(ROOT, 'functions', 'index.ts');
/** The bundle, relative to the package: package.json's "main". */
export const BUNDLE = 'functions/index.js';

/**
 * Provided at run time by the Azure Functions Node.js worker, never installed: the only module the bundle
 * requires from outside itself besides Node's own.
 */
export const EXTERNAL = ['@azure/functions-core'] as const;

/**
 * What @opentelemetry/sdk-node requires for configurations this app never uses: the OTLP, Zipkin and Prometheus
 * exporters it builds from OTEL_*_EXPORTER when no processor is given (@azure/monitor-opentelemetry gives its
 * own span, metric and log processors), the B3 and Jaeger propagators of OTEL_PROPAGATORS, and the file
 * configuration of its experimental start. About 1.4 MB of the bundle, a fifth of its load time. Each becomes a
 * module that throws, naming itself, if anything reaches into it (decision 11).
 */
export const LEFT_OUT = [
  '@opentelemetry/exporter-trace-otlp-grpc',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/exporter-metrics-otlp-grpc',
  '@opentelemetry/exporter-metrics-otlp-http',
  '@opentelemetry/exporter-metrics-otlp-proto',
  '@opentelemetry/exporter-logs-otlp-grpc',
  '@opentelemetry/exporter-logs-otlp-http',
  '@opentelemetry/exporter-logs-otlp-proto',
  '@opentelemetry/exporter-zipkin',
  '@opentelemetry/exporter-prometheus',
  '@opentelemetry/propagator-b3',
  '@opentelemetry/propagator-jaeger',
  '@opentelemetry/otlp-grpc-exporter-base',
  '@opentelemetry/configuration',
] as const;

/**
 * zod's error messages in its 40 other languages: the API answers in English, which zod's schemas import by
 * themselves (`zod/v4/locales/en.js`). `z.locales` keeps `en` alone. A quarter of a megabyte of the bundle.
 */
const ZOD_LOCALES = /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/;

/** The message of a left-out module reached at run time. */
export const leftOutMessage = (name: string) =>
  `${name} is left out of the deployment package (cli/package-functions.ts, decision 11): telemetry goes to Application Insights only`;

interface PackageJson {
  name: string;
  version: string;
  description?: string;
}

export interface PackageResult {
  /** Bytes of every file of the package. */
  bytes: number;
  /** What esbuild put in the bundle, input by input (the package test reads it). */
  metafile: Metafile;
}

/** The size of a folder, in bytes. */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : statSync(full).size;
  }
  return total;
}

/** The modules of LEFT_OUT, when @opentelemetry/sdk-node asks for them: a module that throws if used. */
const leaveOut: Plugin = {
  name: 'leave-out-unused-telemetry-exporters',
  setup(b) {
    const names = new Set<string>(LEFT_OUT);
    b.onResolve({ filter: /^@opentelemetry\// }, (args) => {
      if (!names.has(args.path) || !args.importer.includes(`${path.sep}@opentelemetry${path.sep}sdk-node${path.sep}`)) {
        return undefined;
      }
      return { path: args.path, namespace: 'left-out' };
    });
    b.onLoad({ filter: ZOD_LOCALES }, () => ({ loader: 'js', contents: "export { default as en } from './en.js';" }));
    b.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      loader: 'js',
      contents: `const message = ${JSON.stringify(leftOutMessage(args.path))};
module.exports = new Proxy({}, { get(_, key) { if (key === '__esModule') return false; throw new Error(message); } });`,
    }));
  },
};

/** The package folders of package-lock.json that `npm ci --omit=dev` leaves out (development dependencies only). */
export function devOnlyPackages(lockFile = path.join(ROOT, 'package-lock.json')): Set<string> {
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  return new Set(
    Object.entries(lock.packages)
      .filter(([key, p]) => key.startsWith('node_modules/') && p.dev === true)
      .map(([key]) => path.join(ROOT, key)),
  );
}

/**
 * The bundle holds what a production install would, no more: a module found only among the development dependencies
 * (debug's optional `require('supports-color')`, say) is not installed in Azure, so it is not bundled either; it
 * fails to load as it would there (MODULE_NOT_FOUND), which such optional requires expect.
 */
const productionOnly = (devOnly: Set<string>): Plugin => ({
  name: 'production-dependencies-only',
  setup(b) {
    const isDevOnly = (file: string) => {
      for (let dir = path.dirname(file); dir.length > ROOT.length; dir = path.dirname(dir))
        if (devOnly.has(dir)) return true;
      return false;
    };
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'resolved' || args.namespace !== 'file') return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'resolved',
      });
      if (resolved.errors.length > 0 || resolved.external || !isDevOnly(resolved.path)) return resolved;
      return { path: args.path, namespace: 'not-installed' };
    });
    b.onLoad({ filter: /.*/, namespace: 'not-installed' }, (args) => ({
      loader: 'js',
      contents: `throw Object.assign(new Error(${JSON.stringify(`Cannot find module '${args.path}'`)}), { code: 'MODULE_NOT_FOUND' });`,
    }));
  },
});

/**
 * Bundles the functions into `<outDir>/functions/index.js` (and its LEGAL.txt): the entry point azd deploys. Tests
 * give other code (`source`, resolved from the project) to check what the same bundling does to a module.
 */
export async function bundleFunctions(outDir: string, source?: string): Promise<Metafile> {
  const result = await build({
    ...(source === undefined
      ? { entryPoints: [ENTRY_POINT] }
      : { stdin: { contents: source, resolveDir: ROOT, loader: 'ts', sourcefile: 'source.ts' } }),
    outfile: path.join(outDir, BUNDLE),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    // Names of classes and functions as written (errors and telemetry name them).
    keepNames: true,
    legalComments: 'linked',
    external: [...EXTERNAL],
    define: { 'import.meta.url': 'importMetaUrl' },
    inject: [path.join(__dirname, 'import-meta-url.ts')],
    plugins: [leaveOut, productionOnly(devOnlyPackages())],
    metafile: true,
    logLevel: 'silent',
  });
  // A warning (a require esbuild cannot follow, an import.meta it cannot replace) is a module that would fail in
  // Azure: refuse the package rather than deploy it.
  if (result.warnings.length > 0) {
    throw new Error(`the bundle has warnings:\n${result.warnings.map((w) => w.text).join('\n')}`);
  }
  return result.metafile;
}

export async function buildPackage(log: (line: string) => void = console.log): Promise<PackageResult> {
  rmSync(PACKAGE_DIR, { recursive: true, force: true });
  mkdirSync(PACKAGE_DIR, { recursive: true });
  const metafile = await bundleFunctions(PACKAGE_DIR);
  buildConsole(PACKAGE_DIR, { sourceMap: false });
  for (const file of ['host.json', 'openapi.yaml']) copyFileSync(path.join(ROOT, file), path.join(PACKAGE_DIR, file));
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as PackageJson;
  // No dependencies: the bundle holds them. The Functions host reads "main".
  const deployed = {
    name: pkg.name,
    version: pkg.version,
    private: true,
    description: pkg.description,
    main: BUNDLE,
    // What Azure runs (functionAppConfig.runtime.version is 22); development may use 20.19+.
    engines: { node: '>=22' },
  };
  writeFileSync(path.join(PACKAGE_DIR, 'package.json'), `${JSON.stringify(deployed, null, 2)}\n`);
  const bytes = folderBytes(PACKAGE_DIR);
  log(`package: ${PACKAGE_DIR} (${(bytes / 1024 / 1024).toFixed(1)} MiB)`);
  return { bytes, metafile };
}

if (require.main === module) {
  buildPackage().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
