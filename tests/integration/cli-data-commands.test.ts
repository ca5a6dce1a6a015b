// The `rlhf` data commands through main([...]) against a temp DATABASE_URL, reading what they print.
import { eq } from "drizzle-orm";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { closeDatabase, openDb } from "../../db/index";
import { completions, demonstrations, projects, prompts, rankings, tasks, users } from "../../db/schema";
import { rlhf } from "../support/cli";
import { cliDatabase, onPostgres } from "../support/db";

const t = cliDatabase("rlhf-cli-");

function file(name: string, content: string): string {
  const p = path.join(t.dir, name);
  fs.writeFileSync(p, content);
  return p;
}

async function inspect<T>(fn: (db: ReturnType<typeof openDb>) => Promise<T> | T): Promise<T> {
  const db = openDb(t.file, { migrate: false });
  try {
    return await fn(db);
  } finally {
    await closeDatabase(db);
  }
}

describe("rlhf data commands", () => {
  it("db migrate and db seed (twice: nothing doubles)", async () => {
    expect((await rlhf("db", "migrate", "--json")).json).toMatchObject({ ok: true, migrated: true });
    const first = await rlhf("db", "seed", "--json");
    expect(first.json).toMatchObject({ ok: true, createdProject: true, promptsImported: 30, completionsAdded: 120, rankTasksOpened: 30 });
    const second = await rlhf("db", "seed", "--json");
    expect(second.json).toMatchObject({ ok: true, createdProject: false, promptsImported: 0, completionsAdded: 0, rankTasksOpened: 0 });
    await inspect(async (db) => {
      expect(await db.select().from(prompts)).toHaveLength(30);
      expect((await db.select().from(tasks)).filter((x) => x.kind === "rank")).toHaveLength(30);
    });
  });

  it("users add, with a generated password shown once, and a one-line error for a bad role", async () => {
    const r = await rlhf("users", "add", "--email", "ann@example.com", "--role", "annotator", "--json");
    expect(r.code).toBe(0);
    expect(r.json!.user).toMatchObject({ email: "ann@example.com", role: "annotator" });
    expect(r.json!.password).toMatch(/^\S{16}$/);
    const bad = await rlhf("users", "add", "--email", "x@example.com", "--role", "boss");
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split("\n")).toHaveLength(1);
    expect(bad.err).toContain("--role must be one of");
    const dup = await rlhf("users", "add", "--email", "ann@example.com", "--role", "annotator", "--password", "longenough");
    expect(dup.code).toBe(1);
    expect(dup.err).toContain("already exists");
    await inspect(async (db) => expect(await db.select().from(users)).toHaveLength(1));
  });

  it("users reset-password: a new password (given or generated) and every session of that user ended", async () => {
    const { startSession, findSessionUser } = await import("../../server/services/sessions");
    const add = await rlhf("users", "add", "--email", "reset@cli.test", "--role", "researcher", "--password", "old-password-1", "--json");
    const id = add.json!.user.id as string;
    const sid = await inspect(async (db) => await startSession(db, id));
    const given = await rlhf("users", "reset-password", "--email", "reset@cli.test", "--password", "new-password-2", "--json");
    expect(given.json).toEqual({ ok: true, user: "reset@cli.test", sessions_ended: 1 });
    expect(await inspect(async (db) => await findSessionUser(db, { id, sid }))).toBeUndefined();
    const generated = await rlhf("users", "reset-password", "--email", "reset@cli.test", "--json");
    expect(generated.json!.password).toMatch(/^\S{12,}$/);
    const missing = await rlhf("users", "reset-password", "--email", "nobody@cli.test", "--json");
    expect([missing.code, missing.json!.error]).toEqual([1, "no user with the email 'nobody@cli.test'"]);
    expect((await rlhf("users", "reset-password", "--email", "reset@cli.test", "--password", "short")).code).not.toBe(0);
  });

  it("tokens create | list | revoke: the contract scripts rely on", async () => {
    await rlhf("users", "add", "--email", "tok@cli.test", "--role", "researcher", "--password", "long-enough-1");
    const made = await rlhf("tokens", "create", "--user", "tok@cli.test", "--name", "cluster", "--expires-days", "30", "--json");
    expect(made.code, made.err).toBe(0);
    expect(made.json).toMatchObject({ ok: true, id: expect.any(String), token: expect.stringMatching(/^rlhf_/), name: "cluster", user: "tok@cli.test" });
    expect(Date.parse(made.json!.expires_at) - Date.now()).toBeGreaterThan(29 * 86400_000);
    const list = await rlhf("tokens", "list", "--user", "tok@cli.test", "--json");
    expect(list.json!.tokens).toEqual([
      { id: made.json!.id, name: "cluster", user: "tok@cli.test", scope: "export", created_at: expect.any(String), expires_at: made.json!.expires_at, last_used_at: null, revoked: false, active: true },
    ]);
    expect(JSON.stringify(list.json)).not.toContain(made.json!.token);
    const revoked = await rlhf("tokens", "revoke", made.json!.id, "--json");
    expect(revoked.json).toMatchObject({ ok: true, id: made.json!.id, revoked: true });
    expect((await rlhf("tokens", "list", "--json")).json!.tokens.find((x: { id: string }) => x.id === made.json!.id)).toMatchObject({ revoked: true, active: false });
    expect((await rlhf("tokens", "revoke", made.json!.id)).code).toBe(1);
    expect((await rlhf("tokens", "create", "--user", "tok@cli.test", "--name", "x", "--expires-days", "0")).code).toBe(2);
  });

  it("prompts import: JSONL and CSV, line-numbered errors, re-import adds nothing", async () => {
    const jsonl = file("p.jsonl", ['{"prompt":"Name a color.","id":"c1"}', "{broken", '{"prompt":"Name a fruit.","split":"test","tags":["food"]}'].join("\n"));
    const r = await rlhf("prompts", "import", jsonl, "--json");
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ imported: 2, duplicates: 0, errors: [{ line: 2, message: "not valid JSON" }] });
    expect(r.err).toContain("p.jsonl:2: not valid JSON");
    expect((await rlhf("prompts", "import", jsonl, "--json")).json).toMatchObject({ imported: 0, duplicates: 2 });
    const csv = file("p.csv", 'prompt,id,tags,split\n"Say hi, politely",h1,greeting;short,train\n');
    expect((await rlhf("prompts", "import", csv, "--json")).json).toMatchObject({ imported: 1, errors: [] });
  });

  it("prompts import: clear one-line errors for a missing file, an unknown project, a wrong extension, no valid line", async () => {
    const missing = await rlhf("prompts", "import", path.join(t.dir, "nope.jsonl"));
    expect([missing.code, missing.err.trim()]).toEqual([1, expect.stringContaining("no such file")]);
    const unknown = await rlhf("prompts", "import", file("q.jsonl", '{"prompt":"x"}'), "--project", "Nope", "--json");
    expect(unknown.code).toBe(1);
    expect(unknown.json).toMatchObject({ ok: false, error: expect.stringContaining("no project named 'Nope'") });
    expect((await rlhf("prompts", "import", file("q.txt", "x"))).code).toBe(2);
    const allBad = await rlhf("prompts", "import", file("bad.jsonl", "nope\nnope\n"));
    expect(allBad.code).toBe(1);
    expect(allBad.err).toContain("no valid lines");
  });

  it("import demonstrations", async () => {
    const f = file("d.jsonl", '{"prompt":"Name a color.","completion":"Blue."}\n{"prompt":"New prompt?","completion":"Yes."}\n{"prompt":"x"}\n');
    const r = await rlhf("import", "demonstrations", f, "--json");
    expect(r.json).toMatchObject({ imported: 2, promptsCreated: 1, errors: [{ line: 3 }] });
    expect((await rlhf("import", "demonstrations", f, "--json")).json).toMatchObject({ imported: 0, duplicates: 2 });
    await inspect(async (db) => expect((await db.select().from(demonstrations)).every((d) => d.status === "submitted" && d.userId === null)).toBe(true));
  });

  it("import rankings: full rankings by index with ties, and TRL pairs", async () => {
    const f = file(
      "r.jsonl",
      [
        JSON.stringify({ prompt: "Pick a pet.", completions: ["A cat.", "A dog.", "A rock."], ranking: [[1], [0], [2]] }),
        JSON.stringify({ prompt: "Pick a pet.", completions: ["A cat.", "A dog.", "A rock."], ranking: [[0, 1], [2]] }),
        JSON.stringify({ prompt: "Say hi.", chosen: "Hi there!", rejected: "Go away." }),
        JSON.stringify({ prompt: "Bad.", completions: ["a", "b"], ranking: [[0], [0]] }),
        JSON.stringify({ prompt: "Bad.", completions: ["a", "b"], ranking: [[0], [5]] }),
      ].join("\n"),
    );
    const r = await rlhf("import", "rankings", f, "--json");
    expect(r.json).toMatchObject({ imported: 3, promptsCreated: 2 });
    expect(r.json!.errors.map((e: { line: number }) => e.line)).toEqual([4, 5]);
    expect((await rlhf("import", "rankings", f, "--json")).json).toMatchObject({ imported: 0, duplicates: 3 });
    await inspect(async (db) => {
      const rows = await db.select().from(rankings);
      expect(rows).toHaveLength(3);
      expect(rows.every((x) => x.source === "import" && x.userId === null && x.assignmentId === null)).toBe(true);
      const texts = new Map((await db.select().from(completions)).map((c) => [c.id, c]));
      const tie = rows.find((x) => x.ordering.length === 2 && x.ordering[0]!.length === 2)!;
      expect(tie.ordering[0]!.map((id) => texts.get(id)!.text).sort()).toEqual(["A cat.", "A dog."]);
      expect([...texts.values()].filter((c) => c.text === "A cat.")).toHaveLength(1);
      expect([...texts.values()].every((c) => c.origin === "import" || c.origin === "model")).toBe(true);
    });
  });

  it("projects create and list: a scripted setup on a fresh database, with the web form's checks", async () => {
    const guidelines = file("guidelines.md", "# Rank by helpfulness\n\nPrefer the answer that solves the task.\n");
    const created = await rlhf("projects", "create", "Scripted", "--k", "3", "--overlap", "2", "--allow-ties", "--guidelines", guidelines, "--json");
    expect(created.code, created.err).toBe(0);
    expect(created.json!.project).toMatchObject({ name: "Scripted", k: 3, overlap: 2, allow_ties: true });
    const stored = await inspect(async (db) => (await db.select().from(projects)).find((p) => p.name === "Scripted")!);
    expect(stored).toMatchObject({ k: 3, overlap: 2, allowTies: true, guidelines: fs.readFileSync(guidelines, "utf8") });
    // The new project takes imports at once.
    const imported = await rlhf("prompts", "import", file("scripted.jsonl", '{"prompt":"Hello?"}'), "--project", "Scripted", "--json");
    expect(imported.json).toMatchObject({ ok: true, project: "Scripted", imported: 1 });
    const list = await rlhf("projects", "list", "--json");
    expect(list.json!.projects).toEqual(expect.arrayContaining([expect.objectContaining({ name: "Scripted", k: 3, prompts: 1, open_tasks: 1 })]));
    expect((await rlhf("projects", "list")).out).toMatch(/Scripted\s+3\s+2\s+yes\s+1\s+1/);

    const again = await rlhf("projects", "create", "Scripted", "--json");
    expect([again.code, again.json!.error]).toEqual([1, "A project named 'Scripted' already exists."]);
    const badK = await rlhf("projects", "create", "Wide", "--k", "40", "--json");
    expect(badK.code).toBe(2);
    expect(badK.json!.error).toMatch(/^k: .*16/);
    expect((await rlhf("projects", "create", "Docs", "--guidelines", path.join(t.dir, "none.md"))).err).toContain("cannot read --guidelines");
    expect((await rlhf("projects", "create")).code).toBe(2);
  });

  it("never prints a stored name raw to a terminal, and refuses new names with control characters", async () => {
    // A name that got into the database before names were checked (or by hand) is shown escaped.
    await inspect(async (db) => await db.update(projects).set({ name: "Scripted\x1b[2J\u202E" }).where(eq(projects.name, "Scripted")));
    const list = await rlhf("projects", "list");
    expect(list.out).not.toMatch(/[\x1b\u202E]/);
    expect(list.out).toContain("Scripted\\u{1b}[2J\\u{202e}");
    const bad = await rlhf("projects", "create", "red\x1b[31m", "--json");
    expect(bad.code).toBe(2);
    expect(bad.json!.error).toContain("found U+001B");
    expect(bad.err).not.toContain("\x1b");
  });

  it.skipIf(onPostgres)("db backup writes a consistent copy and refuses to overwrite without --force", async () => {
    const target = path.join(t.dir, "backup", "copy.db");
    const r = await rlhf("db", "backup", target, "--json");
    expect(r.json).toMatchObject({ ok: true, backup: target });
    const copy = openDb(target, { migrate: false });
    expect((await copy.select().from(prompts)).length).toBeGreaterThanOrEqual(30);
    await closeDatabase(copy);
    expect((await rlhf("db", "backup", target)).code).toBe(1);
    expect((await rlhf("db", "backup", target, "--force")).code).toBe(0);
    expect(fs.readdirSync(path.dirname(target))).toEqual(["copy.db"]); // no temporary file left behind
  });

  it.skipIf(onPostgres)("db backup never writes over the live database, its WAL or its shared memory, even through a link", async () => {
    const countPrompts = async () => await inspect(async (db) => (await db.select().from(prompts)).length);
    const before = await countPrompts();
    const link = path.join(t.dir, "innocent.db");
    fs.symlinkSync(`${t.file}-wal`, link);
    for (const target of [t.file, `${t.file}-wal`, `${t.file}-shm`, link]) {
      const r = await rlhf("db", "backup", target, "--force", "--json");
      expect(r.code, target).toBe(2);
      expect(r.json!.error).toMatch(/is the live database or one of its -wal\/-shm files/);
    }
    expect(await countPrompts()).toBe(before);
    expect(await inspect((db) => db.$client.pragma("integrity_check", { simple: true }))).toBe("ok");
  });

  it.runIf(onPostgres)("db backup on PostgreSQL writes a pg_dump archive, never the password on its command line", async () => {
    const target = path.join(t.dir, "backup", "copy.dump");
    const r = await rlhf("db", "backup", target, "--json");
    expect(r.code, r.err).toBe(0);
    expect(r.json).toMatchObject({ ok: true, backup: target });
    expect(fs.readFileSync(target).subarray(0, 5).toString()).toBe("PGDMP"); // pg_dump's custom format
    expect((await rlhf("db", "backup", target)).code).toBe(1);
    expect(fs.readdirSync(path.dirname(target))).toEqual(["copy.dump"]);
  });
});
