// drizzle-kit generates SQL migrations from the schema files below into
// migrations/, where wrangler applies them (`wrangler d1 migrations apply`).
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: [
    './worker/audit/schema.ts',
    './worker/review/tables.ts',
    './worker/audit/chain-tables.ts',
  ],
  out: './migrations',
});
