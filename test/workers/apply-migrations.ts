// Applies the D1 migrations (read in vitest.config.ts) before each test file.
import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

await applyD1Migrations(env.AUDIT_DB, env.TEST_MIGRATIONS);
