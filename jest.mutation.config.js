// The suite as mutation testing runs it (npm run test:mutation): the tests that run in this process, so that
// Stryker can tell which tests cover each mutant. MUTATION_SCOPE=domain runs the domain's tables only (they
// cover shared/domain); otherwise the unit and integration tests (the use cases of shared/app run there,
// over the embedded stores). Tests that drive the host as a child process cannot see a mutant.
const base = require('./jest.config.js');

// MUTATION_TESTS=unit: the unit tests alone for the app scope too (minutes instead of hours on 2 cores; what
// it reports is a floor, since the integration tests would only kill more).
const unitOnly = process.env.MUTATION_SCOPE === 'domain' || process.env.MUTATION_TESTS === 'unit';
const roots = unitOnly ? ['<rootDir>/test/unit'] : ['<rootDir>/test/unit', '<rootDir>/test/integration'];

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots,
  testPathIgnorePatterns: ['/node_modules/', 'test/integration/telemetry-setup'],
};
