// End-to-end tests in Node against the real local stack: `wrangler dev`
// (workerd with local D1, R2, Durable Objects), the origin shim, the
// development OIDC provider and the webhook sink, each started by the tests.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    // One stack at a time: the files share fixed local ports.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
