import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { pgBouncerInstalled } from './test/postgres/pgbouncer.js';

// Tests run on the TypeScript sources: each package exports them under the "@tasks/source" condition.
const conditions = ['@tasks/source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // Needs Chromium: `npm run test:browser`.
    // Needs Debian's pgbouncer; without it the run says which tests did not run (test/postgres/global-setup.ts).
    exclude: ['**/node_modules/**', '**/*.browser.test.ts', ...(pgBouncerInstalled() ? [] : ['**/through-pgbouncer.int.test.ts'])],
    // One PostgreSQL server for the whole run; each file that needs it gets a database of its own.
    globalSetup: ['test/postgres/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: more workers only add contention for the database and the app processes.
    maxWorkers: 2,
  },
});
