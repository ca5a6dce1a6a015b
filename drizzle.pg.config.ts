// drizzle-kit for PostgreSQL: `npm run db:generate` writes db/migrations-pg from db/schema-pg.ts, the PostgreSQL
// form derived from db/schema.ts (the one schema), beside the SQLite migrations in db/migrations.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema-pg.ts",
  out: "./db/migrations-pg",
});
