// The suite as mutation testing runs it (npm run test:mutation): every test that runs in this process,
// so that Stryker can tell which tests cover each mutant. Tests that drive the host as a child process
// (kill -9, signals, the command line) cannot see a mutant and are left to npm test.
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testPathIgnorePatterns: [
    '/node_modules/',
    'test/e2e/kill-anywhere',
    'test/e2e/processes',
    'test/e2e/host-service',
    'test/infra/',
    'test/integration/telemetry-setup',
  ],
};
