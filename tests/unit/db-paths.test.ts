// DATABASE_URL: a file path (or file: URL) is the SQLite database, postgres:// and postgresql:// a PostgreSQL server;
// any other scheme is a one-line error that never repeats the URL (it may hold a password), and nothing is created.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { databasePath, databaseTarget, DatabaseUrlError, schemaDialect } from "../../db/paths";
import { describePostgresUrl } from "../../db/postgres";

const env = (vars: Record<string, string>) => vars as NodeJS.ProcessEnv;

/** The error `fn` throws (the test fails when it throws none). */
function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("databaseTarget", () => {
  it("takes file paths and file: URLs as SQLite", () => {
    expect(databasePath(env({ DATABASE_URL: "./x/rlhf.db" }))).toBe(path.resolve("x/rlhf.db"));
    expect(databasePath(env({ DATABASE_URL: "file:./y.db" }))).toBe(path.resolve("y.db"));
    expect(databasePath(env({ DATABASE_URL: "file:///tmp/z.db" }))).toBe("/tmp/z.db");
    expect(databasePath(env({}))).toBe(path.resolve("data/rlhf.db"));
    expect(databaseTarget(env({}))).toEqual({ dialect: "sqlite", file: path.resolve("data/rlhf.db") });
  });

  it("takes postgres:// and postgresql:// URLs as PostgreSQL, and names the server without the password", () => {
    for (const url of ["postgres://app:s3cret@127.0.0.1:5432/rlhf", "postgresql://u:s3cret@h/db"]) {
      expect(databaseTarget(env({ DATABASE_URL: url }))).toEqual({ dialect: "postgresql", url });
      expect(schemaDialect(env({ DATABASE_URL: url }))).toBe("postgresql");
      expect(describePostgresUrl(url)).not.toContain("s3cret");
      // Commands that need a file say so in one line, without the URL.
      const err = errorOf(() => databasePath(env({ DATABASE_URL: url })));
      expect(err).toBeInstanceOf(DatabaseUrlError);
      expect(err.message).not.toContain("s3cret");
    }
    expect(describePostgresUrl("postgres://app:s3cret@127.0.0.1:5432/rlhf?sslmode=require")).toBe("postgres://app@127.0.0.1:5432/rlhf");
  });

  it("refuses other URL schemes in one line without the password", () => {
    for (const url of ["mysql://u:s3cret@h/db", "mongodb://u:s3cret@h/db"]) {
      const err = errorOf(() => databaseTarget(env({ DATABASE_URL: url })));
      expect(err).toBeInstanceOf(DatabaseUrlError);
      expect(err.message).toMatch(/scheme is not supported/);
      expect(err.message).not.toContain("s3cret");
      expect(err.message).not.toContain("\n");
    }
  });
});
