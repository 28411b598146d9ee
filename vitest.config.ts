import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: ['test/integration/cluster/**'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 180_000,
        },
      },
      {
        // The production-like lane brings its own Temporal server on PostgreSQL, not the dev server.
        extends: true,
        test: {
          name: 'cluster',
          include: ['test/integration/cluster/**/*.test.ts'],
          testTimeout: 600_000,
        },
      },
    ],
  },
});
