// Prompt files: JSONL and CSV parsing with line numbers, size limits, and imports that never duplicate.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { completions, imports, prompts, rankings, tasks } from "../../db/schema";
import { importDataFileInBatches } from "../../server/services/data-import";
import { parsePromptsCsv, parsePromptsJsonl, promptFormatFromName, splitCsv } from "../../server/services/prompt-parse";
import { createProject } from "../../server/services/projects";
import { IMPORT_BATCH_ROWS, recoverInterruptedImports } from "../../server/services/prompt-import-job";
import { importPrompts, insertPromptIfNew, listPrompts, promptsInSplit } from "../../server/services/prompts";
import { createTempDb, type TempDb } from "../support/db";

describe("parsePromptsJsonl", () => {
  it("keeps valid lines and reports each bad one by its line number", () => {
    const content = ['{"prompt":"a"}', "", "not json", '{"prompt":"b","id":7,"tags":["x"],"split":"test"}', '{"prompt":""}', '{"prompt":"c","split":"dev"}', "[1]"].join("\n");
    const { rows, errors } = parsePromptsJsonl(content);
    expect(rows).toEqual([
      { line: 1, prompt: "a", externalId: null, tags: [], split: null },
      { line: 4, prompt: "b", externalId: "7", tags: ["x"], split: "test" },
    ]);
    expect(errors.map((e) => e.line)).toEqual([3, 5, 6, 7]);
    expect(errors[0]!.message).toBe("not valid JSON");
    expect(errors[1]!.message).toBe("prompt: is empty");
    expect(errors[2]!.message).toMatch(/^split:/);
  });

  it("rejects a prompt over 64 KB", () => {
    const { errors } = parsePromptsJsonl(JSON.stringify({ prompt: "x".repeat(64 * 1024 + 1) }));
    expect(errors).toEqual([{ line: 1, message: "prompt: is longer than 64 KB" }]);
  });
});

describe("parsePromptsCsv", () => {
  it("reads quoted fields with commas, quotes and newlines, and numbers lines from the file", () => {
    const csv = 'prompt,id,tags,split\r\n"Hello, ""world""",h1,a;b,train\n"two\nlines",,,TEST\nbad row\n';
    const { rows, errors } = parsePromptsCsv(csv);
    expect(rows).toEqual([
      { line: 2, prompt: 'Hello, "world"', externalId: "h1", tags: ["a", "b"], split: "train" },
      { line: 3, prompt: "two\nlines", externalId: null, tags: [], split: "test" },
    ]);
    expect(errors).toEqual([{ line: 5, message: "expected 4 fields like the header, found 1" }]);
  });

  it("needs a prompt column and reports an unclosed quote", () => {
    expect(parsePromptsCsv("text\nhello\n").errors[0]!.message).toMatch(/'prompt' column/);
    expect(splitCsv('prompt\n"open')).toEqual([{ line: 1, fields: ["prompt"] }, { line: 2, fields: [], error: "a quoted field is never closed" }]);
  });

  it("tells the format from the file name", () => {
    expect([promptFormatFromName("a.JSONL"), promptFormatFromName("b.csv"), promptFormatFromName("c.txt")]).toEqual(["jsonl", "csv", null]);
  });
});

describe("importPrompts", () => {
  let t: TempDb;
  beforeEach(() => {
    t = createTempDb();
  });
  afterEach(() => t.close());

  it("dedupes by external id or text hash, within a file and across imports, and opens one demonstrate task each", async () => {
    const project = createProject(t.db, { name: "imp", overlap: 3 }, null);
    const first = await importPrompts(t.db, { projectId: project.id, format: "jsonl", content: '{"prompt":"a","id":"1"}\n{"prompt":"b"}\n{"prompt":"b"}\n' }, null);
    expect(first).toEqual({ imported: 2, duplicates: 1, errors: [] });
    const second = await importPrompts(t.db, { projectId: project.id, format: "csv", content: "prompt,id\na changed,1\nb,\nc,\n" }, null);
    expect(second).toEqual({ imported: 1, duplicates: 2, errors: [] });
    const all = t.db.select().from(tasks).all();
    expect(all).toHaveLength(3);
    expect(all.every((x) => x.kind === "demonstrate" && x.requiredResponses === 3)).toBe(true);
    expect(listPrompts(t.db, { projectId: project.id, page: 1, pageSize: 2 })).toMatchObject({ total: 3, items: [{ text: "a" }, { text: "b" }] });
    expect(listPrompts(t.db, { projectId: project.id, search: "%", page: 1, pageSize: 10 }).total).toBe(0);
  });

  it("lists a split in import order, so seeded sampling and PPO batches repeat", async () => {
    const project = createProject(t.db, { name: "order" }, null);
    // Twelve prompts in one import share created_at; random ids would shuffle them.
    const texts = Array.from({ length: 12 }, (_, i) => `prompt ${String.fromCharCode(108 - i)}`);
    const content = texts.map((prompt, i) => JSON.stringify({ prompt, split: i % 3 === 0 ? "test" : "train" })).join("\n");
    await importPrompts(t.db, { projectId: project.id, format: "jsonl", content }, null);
    expect(promptsInSplit(t.db, "train", project.id).map((p) => p.text)).toEqual(texts.filter((_, i) => i % 3 !== 0));
    expect(promptsInSplit(t.db, "test").map((p) => p.text)).toEqual(texts.filter((_, i) => i % 3 === 0));
  });

  it("goes in short batches: prompts first (no task yet), then the tasks, with progress for both", async () => {
    const project = createProject(t.db, { name: "big" }, null);
    const n = IMPORT_BATCH_ROWS * 2 + 7;
    const content = Array.from({ length: n }, (_, i) => JSON.stringify({ prompt: `p${i}` })).join("\n");
    const seen: string[] = [];
    let tasksWhileWriting = -1;
    const r = await importPrompts(t.db, { projectId: project.id, format: "jsonl", content }, null, (p) => {
      seen.push(`${p.phase}:${p.done}/${p.total}`);
      if (p.phase === "writing" && p.done === n) tasksWhileWriting = t.db.select().from(tasks).all().length;
    });
    expect(r).toEqual({ imported: n, duplicates: 0, errors: [] });
    expect(tasksWhileWriting).toBe(0); // annotators see nothing until every prompt is in
    // Batches end at IMPORT_BATCH_ROWS rows or IMPORT_BATCH_MS of lock, whichever comes first.
    const written = seen.filter((s) => s.startsWith("writing")).map((s) => Number(s.slice("writing:".length).split("/")[0]));
    expect(written.length).toBeGreaterThanOrEqual(3);
    expect(written.at(-1)).toBe(n);
    written.forEach((done, b) => expect(done - (written[b - 1] ?? 0)).toBeGreaterThanOrEqual(1));
    written.forEach((done, b) => expect(done - (written[b - 1] ?? 0)).toBeLessThanOrEqual(IMPORT_BATCH_ROWS));
    expect(seen.at(-1)).toBe(`opening_tasks:${n}/${n}`);
    expect(t.db.select().from(tasks).all()).toHaveLength(n);
    expect(t.db.select().from(imports).get()).toMatchObject({ status: "succeeded", totalRows: n, doneRows: n });
  });

  it("an import whose process died while writing is taken back whole; one that died opening tasks is finished", () => {
    const project = createProject(t.db, { name: "crashed" }, null);
    const long = new Date(Date.now() - 10 * 60_000);
    const dead = t.db.insert(imports).values({ projectId: project.id, totalRows: 3, heartbeatAt: long }).returning().get();
    for (const text of ["x1", "x2"]) insertPromptIfNew(t.db, project.id, { prompt: text, importId: dead.id });
    const half = t.db.insert(imports).values({ projectId: project.id, totalRows: 2, status: "opening_tasks", heartbeatAt: long }).returning().get();
    for (const text of ["y1", "y2"]) insertPromptIfNew(t.db, project.id, { prompt: text, importId: half.id });
    // A live import (recent heartbeat, another process) is left alone.
    const live = t.db.insert(imports).values({ projectId: project.id, totalRows: 1, heartbeatAt: new Date() }).returning().get();
    insertPromptIfNew(t.db, project.id, { prompt: "z1", importId: live.id });

    expect(recoverInterruptedImports(t.db)).toEqual({ takenBack: 1, finished: 1 });
    expect(t.db.select().from(prompts).all().map((p) => p.text).sort()).toEqual(["y1", "y2", "z1"]);
    expect(t.db.select().from(tasks).all()).toHaveLength(2);
    const status = Object.fromEntries(t.db.select().from(imports).all().map((i) => [i.id, i.status]));
    expect(status).toEqual({ [dead.id]: "failed", [half.id]: "succeeded", [live.id]: "writing" });
  });

  it("demonstration and ranking files go in batches too, and a dead one is taken back from every table", async () => {
    const project = createProject(t.db, { name: "data" }, null);
    const n = IMPORT_BATCH_ROWS + 50;
    const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ prompt: `q${i}`, chosen: `good ${i}`, rejected: `bad ${i}` }));
    lines.splice(3, 0, "not json");
    const r = await importDataFileInBatches(t.db, "rankings", { projectId: project.id, content: lines.join("\n") }, null);
    expect(r).toEqual({ imported: n, duplicates: 0, promptsCreated: n, errors: [{ line: 4, message: "not valid JSON" }] });
    expect(t.db.select().from(imports).all().find((i) => i.kind === "rankings")).toMatchObject({ status: "succeeded", importedRows: n });
    const again = await importDataFileInBatches(t.db, "rankings", { projectId: project.id, content: lines.join("\n") }, null);
    expect(again).toMatchObject({ imported: 0, duplicates: n });
    const demos = await importDataFileInBatches(t.db, "demonstrations", { projectId: project.id, content: JSON.stringify({ prompt: "q0", completion: "an answer" }) }, null);
    expect(demos).toMatchObject({ imported: 1, promptsCreated: 0 });

    // A rankings import whose process died half-way: its prompts, completions and rankings all go.
    const dead = t.db.insert(imports).values({ kind: "rankings", projectId: project.id, totalRows: 2, heartbeatAt: new Date(Date.now() - 10 * 60_000) }).returning().get();
    const before = { prompts: t.db.select().from(prompts).all().length, rankings: t.db.select().from(rankings).all().length, completions: t.db.select().from(completions).all().length };
    const p = insertPromptIfNew(t.db, project.id, { prompt: "half-way", importId: dead.id });
    const c = t.db.insert(completions).values({ promptId: p.id, text: "x", origin: "import", importId: dead.id }).returning().get();
    t.db.insert(rankings).values({ promptId: p.id, ordering: [[c.id]], source: "import", importId: dead.id }).run();
    expect(recoverInterruptedImports(t.db).takenBack).toBe(1);
    expect({ prompts: t.db.select().from(prompts).all().length, rankings: t.db.select().from(rankings).all().length, completions: t.db.select().from(completions).all().length }).toEqual(before);
  });
});
