// Mutation testing (npm run test:mutation, not part of npm test): how many small deliberate changes to the
// code the suite notices. Two scopes, each with its own report in reports/mutation/:
// - domain (MUTATION_SCOPE=domain): shared/domain against the unit tests;
// - app (MUTATION_SCOPE=app): shared/app against the unit and integration tests, over the embedded stores.
//   Static mutants (code that only runs when a module is loaded, or in a beforeAll that builds the services:
//   the composition) are left out: every test covers them, so each would re-run the whole suite, and a broken
//   composition fails every test anyway.
// MUTATION_FILES (comma-separated globs, optional) mutates those files instead of the scope's folder: minutes
// on the file being worked on rather than the whole scope; MUTATION_TESTS (jest.mutation.config.js) narrows
// the tests likewise.
const scope = process.env.MUTATION_SCOPE === 'domain' ? 'domain' : 'app';
const files = (process.env.MUTATION_FILES ?? '')
  .split(',')
  .map((glob) => glob.trim())
  .filter((glob) => glob !== '');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
module.exports = {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { configFile: 'jest.mutation.config.js', enableFindRelatedTests: false },
  coverageAnalysis: 'perTest',
  mutate: files.length > 0 ? files : scope === 'domain' ? ['shared/domain/**/*.ts'] : ['shared/app/**/*.ts'],
  // A narrowed run leaves static mutants out as well (a module's constants: each re-runs every test that loads it,
  // nine tenths of a narrowed domain run's time); they are reported as ignored, outside the score.
  ignoreStatic: scope === 'app' || files.length > 0,
  // Anchored at the root: a bare 'reports' would leave shared/app/reports out of the sandbox too.
  ignorePatterns: ['/.deploy', '/.local', '/dist', '/coverage', '/reports', '/bench/results'],
  thresholds: { high: 90, low: 80, break: null },
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${scope}.html` },
  jsonReporter: { fileName: `reports/mutation/${scope}.json` },
  concurrency: 2,
  timeoutMS: 30000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
