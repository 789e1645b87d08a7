// drizzle-kit generates SQL migrations from worker/audit/schema.ts into
// migrations/, where wrangler applies them (`wrangler d1 migrations apply`).
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './worker/audit/schema.ts',
  out: './migrations',
});
