// drizzle-kit for PostgreSQL: `npm run db:generate` writes db/migrations-pg from the PostgreSQL form of the one
// schema (db/schema.ts loaded as a PostgreSQL process loads it), beside the SQLite migrations in db/migrations.
import { defineConfig } from "drizzle-kit";

process.env.RLHF_SCHEMA_DIALECT = "postgresql";

export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./db/migrations-pg",
});
