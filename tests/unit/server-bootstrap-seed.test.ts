// First start: one admin (from the environment or generated), the demo project seeded once, env validation.
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { projects, prompts, tasks, users } from "../../db/schema";
import { DEMO_PROMPTS } from "../../db/seed/demo-data";
import { ensureBootstrap } from "../../server/services/bootstrap";
import { readEnv } from "../../server/env";
import { verifyPassword } from "../../server/services/users";
import { createTempDb, type TempDb } from "../support/db";

let t: TempDb;
beforeEach(() => {
  t = createTempDb();
});
afterEach(() => t.close());

describe("ensureBootstrap", () => {
  it("creates admin@localhost with a generated password once, and seeds the demo project once", async () => {
    const first = await ensureBootstrap(t.db, {});
    expect(first).toMatchObject({ adminEmail: "admin@localhost", seededDemo: true });
    const admin = (await t.db.select().from(users))[0]!;
    expect(verifyPassword(first.generatedPassword!, admin.passwordHash)).toBe(true);
    expect(await ensureBootstrap(t.db, {})).toEqual({ adminEmail: null, generatedPassword: null, seededDemo: false });
    expect(await t.db.select().from(users)).toHaveLength(1);
    const project = (await t.db.select().from(projects))[0]!;
    expect(project).toMatchObject({ name: "Demo: helpful assistant", k: 4, overlap: 1, allowTies: true, likertScale: 7, flags: ["harmful", "untruthful", "off-topic"] });
    const all = await t.db.select().from(prompts);
    expect(all).toHaveLength(30);
    expect(all.filter((p) => p.split === "test")).toHaveLength(5);
    expect((await t.db.select().from(tasks)).filter((x) => x.kind === "rank" && x.completionIds.length === 4)).toHaveLength(30);
  });

  it("uses ADMIN_EMAIL and ADMIN_PASSWORD when given, and prints no password", async () => {
    const r = await ensureBootstrap(t.db, { ADMIN_EMAIL: "Boss@Example.com", ADMIN_PASSWORD: "s3cret-pass" });
    expect(r).toMatchObject({ adminEmail: "boss@example.com", generatedPassword: null });
  });
});

describe("demo data", () => {
  it("db/seed/prompts.jsonl lists the same prompts as the seed", () => {
    const file = fileURLToPath(new URL("../../db/seed/prompts.jsonl", import.meta.url));
    const lines = fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual(DEMO_PROMPTS.map((p) => ({ id: p.id, prompt: p.prompt, split: p.split, tags: p.tags })));
    for (const p of DEMO_PROMPTS) {
      expect(new Set(p.completions).size).toBe(4);
      // eslint-disable-next-line no-control-regex
      for (const c of p.completions) expect(c).toMatch(/^[\x20-\x7e]+$/);
    }
  });
});

describe("readEnv", () => {
  it("names the variable and the rule when a value is bad, and treats empty as unset", () => {
    expect(() => readEnv({ ADMIN_EMAIL: "not-an-email" })).toThrow(/ADMIN_EMAIL must be an email address/);
    expect(() => readEnv({ NEXTAUTH_SECRET: "short" })).toThrow(/NEXTAUTH_SECRET must have at least 32 characters/);
    expect(readEnv({ ADMIN_PASSWORD: "" }).ADMIN_PASSWORD).toBeUndefined();
  });
});
