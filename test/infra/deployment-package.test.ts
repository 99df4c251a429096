import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { buildPackage, folderBytes, PACKAGE_DIR, ROOT } from '../../cli/package-functions';
import { allFunctions } from '../../functions/all-functions';

// The package azd deploys (azure.yaml: dist .deploy, remoteBuild false, prepackage: npm run package),
// built here the same way: what it holds, what it leaves out, and its size.

const MAX_PACKAGE_MIB = 64;

function files(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : files(full, base);
    return [path.relative(base, full)];
  });
}

beforeAll(() => buildPackage(() => undefined), 120_000);

describe('the deployment package', () => {
  it('when azd deploys, then it takes the package built by npm run package, as it is (no remote build)', () => {
    const azd = parse(readFileSync(path.join(ROOT, 'azure.yaml'), 'utf8')) as {
      services: Record<string, { dist?: string; remoteBuild?: boolean; hooks?: { prepackage?: { run?: string } } }>;
    };
    const api = azd.services.api!;
    expect(api).toMatchObject({ dist: '.deploy', remoteBuild: false });
    expect(api.hooks?.prepackage?.run).toBe('npm run package');
  });

  it('when it is listed, then it holds the compiled functions and shared code, the built web console, host.json and openapi.yaml, and nothing else of the project', () => {
    const own = files(PACKAGE_DIR);
    expect(own).toEqual(
      expect.arrayContaining(['functions/index.js', 'host.json', 'openapi.yaml', 'package.json', 'package-lock.json']),
    );
    const tops = new Set(own.map((f) => f.split(path.sep)[0]));
    expect([...tops].sort()).toEqual([
      'console',
      'functions',
      'host.json',
      'openapi.yaml',
      'package-lock.json',
      'package.json',
      'shared',
    ]);
    expect(own.filter((f) => /\.(ts|pem|key)$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    // The console as the function serves it (functions/console.js reads ../console/), bundled: no source.
    expect(own.filter((f) => f.startsWith(`console${path.sep}`)).sort()).toEqual(
      ['app.css', 'app.js', 'app.js.LEGAL.txt', 'index.html'].map((f) => path.join('console', f)),
    );
    for (const dir of ['local', 'cli', 'infra', 'test', 'bench', 'docs', '.local']) {
      expect(existsSync(path.join(PACKAGE_DIR, dir))).toBe(false);
    }
  });

  it('when its dependencies are listed, then none is a development dependency', () => {
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([name, p]) => name.startsWith('node_modules/') && p.dev)
      .map(([name]) => name);
    expect(devOnly.length).toBeGreaterThan(50); // jest, typescript, the local stand-ins...
    expect(devOnly.filter((name) => existsSync(path.join(PACKAGE_DIR, name)))).toEqual([]);
    for (const tool of ['jest', 'typescript', '@vercel/cosmosdb-server', 'tsx', 'eslint']) {
      expect(existsSync(path.join(PACKAGE_DIR, 'node_modules', tool))).toBe(false);
    }
  });

  it('when node loads its entry point with nothing but the package, then every function registers', () => {
    const run = spawnSync(process.execPath, ['-e', "require('./functions/index.js')"], {
      cwd: PACKAGE_DIR,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(run.status).toBe(0);
    const output = `${run.stdout}${run.stderr}`;
    // Outside the Functions host, @azure/functions names each registration it skips (test mode).
    const registered = [...output.matchAll(/register function "([^"]+)"/g)].map((m) => m[1]).sort();
    const expected = allFunctions(() => Promise.reject(new Error('not called')))
      .map((f) => f.name)
      .sort();
    expect(registered).toEqual(expected);
  });

  it('when the console is asked for with nothing but the package, then the page and its script are served from it', () => {
    const script = `
      const { HttpRequest, InvocationContext } = require('@azure/functions');
      const { webConsole } = require('./functions/console.js');
      const [page, files] = webConsole(() => Promise.resolve({ config: { Console__signIn: 'development' } }));
      (async () => {
        const get = (fn, params) => fn.handler(new HttpRequest({ method: 'GET', url: 'https://app.example/', params }), new InvocationContext());
        const html = await get(page, {});
        const js = await get(files, { file: 'app.js' });
        console.log(JSON.stringify([html.status, html.headers['content-type'], Buffer.from(html.body).toString().includes('/console/app.js'), js.status, js.body.length > 10000]));
      })();`;
    const run = spawnSync(process.execPath, ['-e', script], {
      cwd: PACKAGE_DIR,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(run.status).toBe(0);
    const last = run.stdout.trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(last)).toEqual([200, 'text/html; charset=utf-8', true, 200, true]);
  });

  it(`when its size is measured, then it is under ${MAX_PACKAGE_MIB} MiB`, () => {
    const mib = folderBytes(PACKAGE_DIR) / 1024 / 1024;
    expect(mib).toBeLessThan(MAX_PACKAGE_MIB);
  });
});
