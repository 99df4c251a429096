import { spawnSync } from 'node:child_process';
import path from 'node:path';

// The layers hold by the lint (eslint.config.mjs, decision 0012): an import that runs the wrong way is an
// error of `npm run lint`, and one that runs the right way is not. Each case lints one import as if it were
// written in an existing file of that layer, by ESLint itself (in a process of its own: its configuration is an
// ES module, which jest's CommonJS sandbox cannot load).

const root = path.resolve(__dirname, '..', '..');

const REFUSED: [string, string, string][] = [
  ['shared/app/laptops/laptop-step.ts', '../../adapters/graph/graph-client', 'shared/app sees ports only'],
  ['shared/app/services.ts', '../composition/azure-services', 'shared/app sees ports only'],
  ['shared/app/services.ts', '@azure/cosmos', 'shared/app sees ports only'],
  ['shared/domain/decide.ts', '../ports/clock', 'shared/domain is pure'],
  ['shared/domain/decide.ts', 'node:crypto', 'shared/domain is pure'],
  ['shared/ports/laptop-pool.ts', '../app/services', 'shared/ports are interfaces'],
  ['shared/adapters/graph/vpn-connector.ts', '../../app/services', 'shared/adapters implement ports'],
  ['shared/schemas/onboarding.ts', '../app/services', 'shared/schemas describes data'],
  ['functions/laptops.ts', '../shared/adapters/cosmos/cosmos-laptop-pool', 'functions register and adapt'],
];
const TAKEN: [string, string][] = [
  ['shared/app/laptops/laptop-step.ts', '../../ports/autopilot'],
  ['shared/app/services.ts', '../domain/decide'],
  ['shared/adapters/graph/vpn-connector.ts', '../../ports/provisioners'],
  ['shared/composition/azure-services.ts', '../adapters/graph/graph-client'],
  ['functions/laptops.ts', '../shared/app/services'],
];

/** The restricted-import messages of each case, as `npm run lint` would report them. */
function lintAll(cases: [string, string][]): string[][] {
  const script = `
    const { ESLint } = require('eslint');
    const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const [file, specifier] of cases) {
        const code = ['import * as m from ' + JSON.stringify(specifier) + ';', 'export const used = m;', ''].join(String.fromCharCode(10));
        const [r] = await eslint.lintText(code, { filePath: file });
        out.push(r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const run = spawnSync(process.execPath, ['-e', script], {
    cwd: root,
    input: JSON.stringify(cases.map(([file, specifier]) => [path.join(root, file), specifier])),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as string[][];
}

let refused: string[][] = [];
let taken: string[][] = [];
beforeAll(() => {
  const all = lintAll([...REFUSED.map(([f, s]): [string, string] => [f, s]), ...TAKEN]);
  refused = all.slice(0, REFUSED.length);
  taken = all.slice(REFUSED.length);
}, 60_000);

describe('the layers, held by the lint', () => {
  it.each(REFUSED.map((c, i) => [...c, i] as const))(
    'when %s imports %s, then the lint refuses it (%s)',
    (_file, _specifier, why, i) => {
      expect(refused[i]).toEqual([expect.stringContaining(why)]);
    },
  );

  it.each(TAKEN.map((c, i) => [...c, i] as const))('when %s imports %s, then the lint takes it', (_file, _s, i) => {
    expect(taken[i]).toEqual([]);
  });
});
