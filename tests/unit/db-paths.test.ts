// DATABASE_URL: a file path (or file: URL) is the SQLite database; any other scheme is a one-line error that never
// repeats the URL (it may hold a password), and nothing is created for it.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { databasePath, DatabaseUrlError } from "../../db/paths";

const env = (vars: Record<string, string>) => vars as NodeJS.ProcessEnv;

describe("databasePath", () => {
  it("takes file paths and file: URLs", () => {
    expect(databasePath(env({ DATABASE_URL: "./x/rlhf.db" }))).toBe(path.resolve("x/rlhf.db"));
    expect(databasePath(env({ DATABASE_URL: "file:./y.db" }))).toBe(path.resolve("y.db"));
    expect(databasePath(env({ DATABASE_URL: "file:///tmp/z.db" }))).toBe("/tmp/z.db");
    expect(databasePath(env({}))).toBe(path.resolve("data/rlhf.db"));
  });

  it("refuses other URL schemes in one line without the password", () => {
    for (const url of ["postgres://app:s3cret@127.0.0.1:5432/rlhf", "postgresql://u:s3cret@h/db", "mysql://u:s3cret@h/db"]) {
      let err: unknown;
      try {
        databasePath(env({ DATABASE_URL: url }));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DatabaseUrlError);
      const message = (err as Error).message;
      expect(message).toMatch(/scheme is not supported/);
      expect(message).not.toContain("s3cret");
      expect(message).not.toContain("\n");
    }
  });
});
