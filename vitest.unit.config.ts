// Node-side unit tests: the SDK and the CLI, against a scripted protocol
// server (test/unit/support/scripted-gateway.ts) on 127.0.0.1. No workerd,
// no wrangler: these run in seconds.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'sdk/**/*.test.ts', 'cli/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
