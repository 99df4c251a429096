import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import paths of the given layers of shared/, however deep the relative path (`../app/x`, `../../app/x`). */
const above = (layers) => layers.flatMap((l) => [`../${l}/**`, `../../${l}/**`, `../../../${l}/**`, `./${l}/**`]);

/** A layer's rule: what its files may not import, and why. */
function layer(files, message, group) {
  return {
    files: Array.isArray(files) ? files : [files],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group, message }] }] },
  };
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      '.deploy/**',
      'reports/**',
      '.stryker-tmp/**',
      'node_modules/**',
      'coverage/**',
      '.local/**',
      '*.mjs',
      '**/*.cjs',
      'jest.config.js',
      'jest.mutation.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  // The layers (docs/decisions/0012): each may import only those below it. An arrow the wrong way fails the lint.
  //   functions, local, cli, bench  ->  shared/composition  ->  shared/app  ->  shared/ports  ->  shared/domain
  //   shared/adapters implement shared/ports; shared/schemas and shared/domain are below everything.
  layer('shared/domain/**/*.ts', 'shared/domain is pure: no I/O, no SDK, and nothing of the layers above it.', [
    'node:*',
    '@azure/*',
    'fs',
    'http',
    'https',
    'crypto',
    ...above(['app', 'ports', 'adapters', 'composition', 'http']),
  ]),
  layer('shared/schemas/**/*.ts', 'shared/schemas describes data: it imports no layer but the domain.', [
    '@azure/*',
    ...above(['app', 'ports', 'adapters', 'composition', 'http']),
  ]),
  layer('shared/ports/**/*.ts', 'shared/ports are interfaces: no use case, adapter or composition behind them.', [
    '@azure/*',
    ...above(['app', 'adapters', 'composition']),
  ]),
  layer('shared/app/**/*.ts', 'shared/app sees ports only: adapters and SDKs come from a composition root.', [
    '@azure/*',
    'node:fs',
    'node:http',
    'node:https',
    'node:net',
    ...above(['adapters', 'composition', 'http']),
  ]),
  layer('shared/adapters/**/*.ts', 'shared/adapters implement ports: they call no use case and no composition.', [
    ...above(['app', 'composition']),
  ]),
  layer(['functions/**/*.ts'], 'functions register and adapt: they reach adapters only through shared/composition.', [
    '**/shared/adapters/**',
    '**/local/**',
  ]),
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
