// The real-browser tests (test/browser/): Debian's Chromium, driven by
// playwright-core from Node, against the local stack (wrangler dev, IdP,
// origin shim, webhook sink) that each test file starts. `npm run
// test:browser` installs Chromium first if it is missing (scripts/ensure-chromium.sh).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    environment: 'node',
    // One stack and one browser at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
