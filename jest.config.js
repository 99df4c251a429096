/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  testTimeout: 30000,
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  // Two workers on two cores: most suites wait on loopback I/O (HTTP, the embedded stores, real seconds).
  maxWorkers: 2,
};
