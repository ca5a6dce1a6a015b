// Exports and agreement: each format's record shape on a hand-made dataset, ties, filters, and the CLI.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeDatabase, closeDb, openDb, type Db } from "../../db/index";
import { completions, demonstrations, projects, prompts, rankings, users } from "../../db/schema";
import { consensusRanking, pairwiseAgreement } from "../../server/services/agreement";
import { exportRecords, resolveExportFilter } from "../../server/services/export";
import { createApiToken, userForApiToken } from "../../server/services/api-tokens";
import { main } from "../../trainer/cli";
import { collect } from "../../server/services/async-iter";

let dir: string;
let db: Db;
const ids: Record<string, string> = {};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlhf-export-"));
  db = openDb(path.join(dir, "t.db"));
  const alice = (await db.insert(users).values({ email: "alice@x", passwordHash: "x", role: "annotator" }).returning())[0];
  const bob = (await db.insert(users).values({ email: "bob@x", passwordHash: "x", role: "annotator" }).returning())[0];
  const proj = (await db.insert(projects).values({ name: "P" }).returning())[0];
  const p1 = (await db.insert(prompts).values({ projectId: proj.id, text: "Say hi.", textHash: "h1" }).returning())[0];
  const p2 = (await db.insert(prompts).values({ projectId: proj.id, text: "Count.", textHash: "h2", split: "test" }).returning())[0];
  for (const [key, promptId, text] of [["a", p1.id, "Hi!"], ["b", p1.id, "Hello."], ["c", p1.id, "Go away."], ["d", p2.id, "1 2 3"], ["e", p2.id, "3 2 1"]] as const)
    ids[key] = (await db.insert(completions).values({ promptId, text, origin: "import" }).returning())[0].id;
  // Two annotators agree on p1 except for one of three pairs; p2 has a single ranking, and one not-rankable.
  await db.insert(rankings).values([
    { promptId: p1.id, userId: alice.id, ordering: [[ids.a!], [ids.b!], [ids.c!]], timeMs: 1000, flags: { [ids.c!]: ["harmful"] }, ratings: { [ids.a!]: 6, [ids.c!]: 1 } },
    { promptId: p1.id, userId: bob.id, ordering: [[ids.b!], [ids.a!], [ids.c!]], timeMs: 2000 },
    { promptId: p2.id, userId: alice.id, ordering: [[ids.d!, ids.e!]], timeMs: 500 },
    { promptId: p2.id, userId: bob.id, ordering: [], notRankable: true, notRankableReason: "both wrong" },
  ]);
  await db.insert(demonstrations).values({ promptId: p1.id, userId: alice.id, text: "Hi there!", status: "submitted" });
  await db.insert(demonstrations).values({ promptId: p1.id, userId: bob.id, text: "draft only", status: "draft" });
});

afterAll(async () => {
  await closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("agreement", () => {
  it("is the majority share per doubly-ranked pair, averaged", () => {
    expect(pairwiseAgreement([[["a"], ["b"], ["c"]], [["b"], ["a"], ["c"]]])).toBeCloseTo((0.5 + 1 + 1) / 3);
    expect(pairwiseAgreement([[["a"], ["b"]]])).toBeNull();
    expect(consensusRanking([[["a"], ["b"], ["c"]], [["a"], ["c"], ["b"]]])).toEqual([["a"], ["b", "c"]]);
  });
});

describe("export formats", () => {
  it("trl-preference: one record per pair, ties and not-rankable give none", async () => {
    const recs = (await collect(exportRecords(db, "trl-preference")));
    expect(recs).toHaveLength(6);
    expect(recs).toContainEqual({ prompt: "Say hi.", chosen: "Hi!", rejected: "Go away." });
    expect(recs.every((r) => r.prompt === "Say hi.")).toBe(true);
  });

  it("trl-preference-chat: messages lists", async () => {
    const [rec] = (await collect(exportRecords(db, "trl-preference-chat")));
    expect(rec!.prompt).toEqual([{ role: "user", content: "Say hi." }]);
    expect((rec!.chosen as { role: string }[])[0]!.role).toBe("assistant");
  });

  it("hh-rlhf: Human/Assistant transcripts", async () => {
    const recs = (await collect(exportRecords(db, "hh-rlhf")));
    expect(recs).toContainEqual({ chosen: "\n\nHuman: Say hi.\n\nAssistant: Hi!", rejected: "\n\nHuman: Say hi.\n\nAssistant: Go away." });
  });

  it("trl-sft: submitted demonstrations only, plain and chat", async () => {
    expect((await collect(exportRecords(db, "trl-sft")))).toEqual([{ prompt: "Say hi.", completion: "Hi there!" }]);
    expect((await collect(exportRecords(db, "trl-sft-chat")))).toEqual([
      { messages: [{ role: "user", content: "Say hi." }, { role: "assistant", content: "Hi there!" }] },
    ]);
  });

  it("rankings: full fidelity with indices, annotator, time, flags and Likert ratings", async () => {
    const recs = (await collect(exportRecords(db, "rankings")));
    expect(recs).toHaveLength(3);
    const alice = recs.find((r) => r.annotator === "alice@x" && r.prompt === "Say hi.")!;
    expect(alice.completions).toEqual(["Hi!", "Hello.", "Go away."]);
    expect(alice.ranking).toEqual([[0], [1], [2]]);
    expect(alice.flags).toEqual({ "2": ["harmful"] });
    expect(alice.ratings).toEqual({ "0": 6, "2": 1 });
    expect(alice.models).toEqual([null, null, null]);
    expect(alice.time_ms).toBe(1000);
    expect(recs.find((r) => r.annotator === "bob@x")!.ratings).toEqual({});
    const tie = recs.find((r) => r.prompt === "Count.")!;
    expect(tie.ranking).toEqual([[0, 1]]);
  });

  it("filters by split, annotator and minimum agreement", async () => {
    const f = async (raw: Parameters<typeof resolveExportFilter>[1]) => await resolveExportFilter(db, raw);
    expect((await collect(exportRecords(db, "rankings", await f({ split: "test" }))))).toHaveLength(1);
    expect((await collect(exportRecords(db, "trl-preference", await f({ annotator: "bob@x" }))))).toHaveLength(3);
    expect((await collect(exportRecords(db, "rankings", await f({ minAgreement: "0.8" }))))).toHaveLength(2);
    expect((await collect(exportRecords(db, "rankings", await f({ minAgreement: "0.9" }))))).toHaveLength(0);
    await expect(async () => await f({ split: "dev" })).rejects.toThrow(/split must be train or test/);
    await expect(async () => await f({ minAgreement: "2" })).rejects.toThrow(/from 0 to 1/);
    await expect(async () => await f({ since: "yesterday-ish" })).rejects.toThrow(/must be a date/);
    await expect(async () => await f({ project: "nope" })).rejects.toThrow(/no project named 'nope'/);
  });
});

describe("api tokens", () => {
  it("are shown once, stored hashed, and resolve to their user", async () => {
    const t = await createApiToken(db, { email: "alice@x", name: "laptop" });
    expect(t.token).toMatch(/^rlhf_/);
    expect((await userForApiToken(db, t.token))?.email).toBe("alice@x");
    expect(await userForApiToken(db, t.token + "x")).toBeUndefined();
    expect(JSON.stringify(db.$client.prepare("select * from api_tokens").all())).not.toContain(t.token);
  });
});

describe("rlhf export", () => {
  it("writes a JSONL file atomically and fails in one line on a bad format", async () => {
    process.env.DATABASE_URL = path.join(dir, "t.db");
    const out = path.join(dir, "prefs.jsonl");
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await main(["export", "--format", "trl-preference", "--out", out, "--json"])).toBe(0);
      expect(JSON.parse(String(stdout.mock.calls.at(-1)![0]))).toMatchObject({ ok: true, records: 6 });
      const lines = fs.readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      expect(lines).toHaveLength(6);
      expect(Object.keys(lines[0]).sort()).toEqual(["chosen", "prompt", "rejected"]);
      expect(await main(["export", "--format", "csv", "--out", out])).toBe(2);
      expect(String(stderr.mock.calls.at(-1)![0])).toMatch(/^rlhf: unknown export format 'csv'.*\n$/);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      await closeDb();
      delete process.env.DATABASE_URL;
    }
  });
});
