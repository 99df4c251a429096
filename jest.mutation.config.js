// The suite as mutation testing runs it (npm run test:mutation): the tests that run in this process, so that
// Stryker can tell which tests cover each mutant. MUTATION_SCOPE=domain runs the domain's tables only (they
// cover shared/domain); otherwise the unit and integration tests (the use cases of shared/app run there,
// over the embedded stores). Tests that drive the host as a child process cannot see a mutant.
const base = require('./jest.config.js');

// MUTATION_TESTS=unit: the unit tests alone for the app scope too (minutes instead of hours on 2 cores; what
// it reports is a floor, since the integration tests would only kill more). MUTATION_TESTS=<globs>
// (comma-separated, from the project root, e.g. test/unit/forecast.test.ts,test/unit/decide*.test.ts): those
// test files alone, the narrowing `jest --testPathPattern` would give (Stryker's jest runner takes no such
// flag, but reads this configuration). Also a floor: the suites left out could only kill more.
const tests = process.env.MUTATION_TESTS ?? '';
const globs =
  tests === 'unit'
    ? []
    : tests
        .split(',')
        .map((glob) => glob.trim())
        .filter((glob) => glob !== '');
const unitOnly = process.env.MUTATION_SCOPE === 'domain' || tests === 'unit';
const roots = unitOnly ? ['<rootDir>/test/unit'] : ['<rootDir>/test/unit', '<rootDir>/test/integration'];

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots,
  ...(globs.length > 0 ? { testMatch: globs.map((glob) => `<rootDir>/${glob}`) } : {}),
  testPathIgnorePatterns: ['/node_modules/', 'test/integration/telemetry-setup'],
};
