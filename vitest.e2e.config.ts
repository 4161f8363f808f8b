import { defineConfig } from 'vitest/config';

// End-to-end suites: run as root against the real engine, registry, sudo rule and test users
// (e2e/setup-host.sh, then `cida-docker setup --user cida-dev1 --user cida-dev2`). One file at a
// time, one test at a time: they share the engine, the policy file and the audit log.
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    sequence: { concurrent: false },
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
