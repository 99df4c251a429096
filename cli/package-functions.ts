import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildConsole } from './build-console';

/**
 * `npm run package`: the Function App's deployment package in .deploy/, as azd deploys it (azure.yaml:
 * `dist: .deploy`, `remoteBuild: false`, built by the service's prepackage hook). It holds the compiled
 * functions and shared code, host.json, openapi.yaml, and the production dependencies installed from the
 * lock file: no dev dependency, no local host, command line, infrastructure, tests or private key.
 */
export const ROOT = path.resolve(__dirname, '..');
export const PACKAGE_DIR = path.join(ROOT, '.deploy');

interface PackageJson {
  name: string;
  version: string;
  description?: string;
  dependencies: Record<string, string>;
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

/** What no installed package loads at run time: source maps, type declarations, TypeScript sources, docs. */
const NOT_LOADED = /\.(map|d\.[cm]?ts|ts|md)$/;

function prune(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) prune(full);
    else if (NOT_LOADED.test(entry.name)) unlinkSync(full);
  }
}

export function buildPackage(log: (line: string) => void = console.log): void {
  rmSync(PACKAGE_DIR, { recursive: true, force: true });
  const run = (command: string, args: string[], cwd = ROOT) =>
    execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.deploy.json']);
  buildConsole(PACKAGE_DIR, { sourceMap: false });
  for (const file of ['host.json', 'openapi.yaml', 'package-lock.json']) {
    copyFileSync(path.join(ROOT, file), path.join(PACKAGE_DIR, file));
  }
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as PackageJson;
  const deployed = {
    name: pkg.name,
    version: pkg.version,
    private: true,
    description: pkg.description,
    main: 'functions/index.js',
    // What Azure runs (functionAppConfig.runtime.version is 22); development may use 20.19+.
    engines: { node: '>=22' },
    dependencies: pkg.dependencies,
  };
  writeFileSync(path.join(PACKAGE_DIR, 'package.json'), `${JSON.stringify(deployed, null, 2)}\n`);
  // The lock file's production tree only; from the npm cache when it holds them.
  run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], PACKAGE_DIR);
  prune(path.join(PACKAGE_DIR, 'node_modules'));
  log(`package: ${PACKAGE_DIR} (${(folderBytes(PACKAGE_DIR) / 1024 / 1024).toFixed(1)} MiB)`);
}

if (require.main === module) buildPackage();
