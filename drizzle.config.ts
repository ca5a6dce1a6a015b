// drizzle-kit: `npm run db:generate` writes a new SQL migration into db/migrations from db/schema-sqlite.ts.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./db/schema-sqlite.ts",
  out: "./db/migrations",
});
