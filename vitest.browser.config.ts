import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// The browser tests: Debian's Chromium driven by playwright-core (scripts/install-chromium.sh).
const conditions = ['@tasks/source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: { include: ['packages/*/src/**/*.browser.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
