// Unit and integration tests that run inside workerd, with the gateway's real
// bindings (local D1, R2, Durable Objects) from wrangler.toml. D1 migrations
// are read here (Node side) and applied in test/workers/apply-migrations.ts.
import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'));

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        // AUDIT_MAC_KEY: a test-only audit signing key (production sets a secret).
        bindings: {
          TEST_MIGRATIONS: migrations,
          AUDIT_MAC_KEY: 'vitest-only-audit-mac-key-0123456789abcdef',
        },
        // A test that reaches the network by accident fails loudly.
        outboundService: (request: Request) =>
          new Response(`unexpected outbound request in a test: ${request.url}`, { status: 599 }),
      },
    }),
  ],
  resolve: {
    // wrangler.toml's [alias] for the bundled configuration, as vite spells it.
    alias: { 'tracegate-config': `${path.join(import.meta.dirname, 'tracegate.yaml')}?raw` },
  },
  test: {
    include: ['worker/**/*.test.ts', 'durable-objects/**/*.test.ts', 'test/workers/**/*.test.ts'],
    setupFiles: ['./test/workers/apply-migrations.ts'],
    testTimeout: 20_000,
  },
});
