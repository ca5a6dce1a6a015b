// Prompt files: JSONL and CSV parsing with line numbers, size limits, and imports that never duplicate.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inArray } from "drizzle-orm";
import { completions, demonstrations, imports, models, prompts, rankings, tasks } from "../../db/schema";
import { importDataFileInBatches } from "../../server/services/data-import";
import { parsePromptsCsv, parsePromptsJsonl, promptFormatFromName, splitCsv } from "../../server/services/prompt-parse";
import { createProject } from "../../server/services/projects";
import { IMPORT_BATCH_ROWS, recoverInterruptedImports } from "../../server/services/prompt-import-job";
import { importPrompts, insertPromptIfNew, listPrompts, promptsInSplit } from "../../server/services/prompts";
import { exportRecords } from "../../server/services/export";
import { createTempDb, type TempDb } from "../support/db";
import { collect } from "../../server/services/async-iter";

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

  it("rejects U+0000 in a prompt or a completion, which PostgreSQL cannot store (on both databases, so data moves between them)", () => {
    const { errors } = parsePromptsJsonl([JSON.stringify({ prompt: "a\u0000b" }), JSON.stringify({ prompt: "ok", completions: ["x\u0000"] })].join("\n"));
    expect(errors).toEqual([
      { line: 1, message: "prompt: contains U+0000 (NUL), which cannot be stored" },
      { line: 2, message: expect.stringMatching(/^completions.*contains U\+0000/) },
    ]);
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
    const project = await createProject(t.db, { name: "imp", overlap: 3 }, null);
    const first = await importPrompts(t.db, { projectId: project.id, format: "jsonl", content: '{"prompt":"a","id":"1"}\n{"prompt":"b"}\n{"prompt":"b"}\n' }, null);
    expect(first).toEqual({ imported: 2, duplicates: 1, errors: [] });
    const second = await importPrompts(t.db, { projectId: project.id, format: "csv", content: "prompt,id\na changed,1\nb,\nc,\n" }, null);
    expect(second).toEqual({ imported: 1, duplicates: 2, errors: [] });
    const all = await t.db.select().from(tasks);
    expect(all).toHaveLength(3);
    expect(all.every((x) => x.kind === "demonstrate" && x.requiredResponses === 3)).toBe(true);
    expect(await listPrompts(t.db, { projectId: project.id, page: 1, pageSize: 2 })).toMatchObject({ total: 3, items: [{ text: "a" }, { text: "b" }] });
    expect((await listPrompts(t.db, { projectId: project.id, search: "%", page: 1, pageSize: 10 })).total).toBe(0);
  });

  it("lists a split in import order, so seeded sampling and PPO batches repeat", async () => {
    const project = await createProject(t.db, { name: "order" }, null);
    // Twelve prompts in one import share created_at; random ids would shuffle them.
    const texts = Array.from({ length: 12 }, (_, i) => `prompt ${String.fromCharCode(108 - i)}`);
    const content = texts.map((prompt, i) => JSON.stringify({ prompt, split: i % 3 === 0 ? "test" : "train" })).join("\n");
    await importPrompts(t.db, { projectId: project.id, format: "jsonl", content }, null);
    expect((await promptsInSplit(t.db, "train", project.id)).map((p) => p.text)).toEqual(texts.filter((_, i) => i % 3 !== 0));
    expect((await promptsInSplit(t.db, "test")).map((p) => p.text)).toEqual(texts.filter((_, i) => i % 3 === 0));
  });

  it("goes in short batches: prompts first (no task yet), then the tasks, with progress for both", async () => {
    const project = await createProject(t.db, { name: "big" }, null);
    const n = IMPORT_BATCH_ROWS * 2 + 7;
    const content = Array.from({ length: n }, (_, i) => JSON.stringify({ prompt: `p${i}` })).join("\n");
    const seen: string[] = [];
    let tasksWhileWriting = -1;
    const r = await importPrompts(t.db, { projectId: project.id, format: "jsonl", content }, null, async (p) => {
      seen.push(`${p.phase}:${p.done}/${p.total}`);
      if (p.phase === "writing" && p.done === n) tasksWhileWriting = (await t.db.select().from(tasks)).length;
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
    expect(await t.db.select().from(tasks)).toHaveLength(n);
    expect((await t.db.select().from(imports))[0]).toMatchObject({ status: "succeeded", totalRows: n, doneRows: n });
  });

  it("an import whose process died while writing is taken back whole; one that died opening tasks is finished", async () => {
    const project = await createProject(t.db, { name: "crashed" }, null);
    const long = new Date(Date.now() - 10 * 60_000);
    const dead = (await t.db.insert(imports).values({ projectId: project.id, totalRows: 3, heartbeatAt: long }).returning())[0];
    for (const text of ["x1", "x2"]) await insertPromptIfNew(t.db, project.id, { prompt: text, importId: dead.id });
    const half = (await t.db.insert(imports).values({ projectId: project.id, totalRows: 2, status: "opening_tasks", heartbeatAt: long }).returning())[0];
    for (const text of ["y1", "y2"]) await insertPromptIfNew(t.db, project.id, { prompt: text, importId: half.id });
    // A live import (recent heartbeat, another process) is left alone.
    const live = (await t.db.insert(imports).values({ projectId: project.id, totalRows: 1, heartbeatAt: new Date() }).returning())[0];
    await insertPromptIfNew(t.db, project.id, { prompt: "z1", importId: live.id });

    expect(await recoverInterruptedImports(t.db)).toEqual({ takenBack: 1, finished: 1 });
    expect((await t.db.select().from(prompts)).map((p) => p.text).sort()).toEqual(["y1", "y2", "z1"]);
    expect(await t.db.select().from(tasks)).toHaveLength(2);
    const status = Object.fromEntries((await t.db.select().from(imports)).map((i) => [i.id, i.status]));
    expect(status).toEqual({ [dead.id]: "failed", [half.id]: "succeeded", [live.id]: "writing" });
  });

  it("demonstration and ranking files go in batches too, and a dead one is taken back from every table", async () => {
    const project = await createProject(t.db, { name: "data" }, null);
    const n = IMPORT_BATCH_ROWS + 50;
    const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ prompt: `q${i}`, chosen: `good ${i}`, rejected: `bad ${i}` }));
    lines.splice(3, 0, "not json");
    const r = await importDataFileInBatches(t.db, "rankings", { projectId: project.id, content: lines.join("\n") }, null);
    expect(r).toEqual({ imported: n, duplicates: 0, promptsCreated: n, errors: [{ line: 4, message: "not valid JSON" }] });
    expect((await t.db.select().from(imports)).find((i) => i.kind === "rankings")).toMatchObject({ status: "succeeded", importedRows: n });
    const again = await importDataFileInBatches(t.db, "rankings", { projectId: project.id, content: lines.join("\n") }, null);
    expect(again).toMatchObject({ imported: 0, duplicates: n });
    const demos = await importDataFileInBatches(t.db, "demonstrations", { projectId: project.id, content: JSON.stringify({ prompt: "q0", completion: "an answer" }) }, null);
    expect(demos).toMatchObject({ imported: 1, promptsCreated: 0 });

    // A rankings import whose process died half-way: its prompts, completions and rankings all go.
    const dead = (await t.db.insert(imports).values({ kind: "rankings", projectId: project.id, totalRows: 2, heartbeatAt: new Date(Date.now() - 10 * 60_000) }).returning())[0];
    const before = { prompts: (await t.db.select().from(prompts)).length, rankings: (await t.db.select().from(rankings)).length, completions: (await t.db.select().from(completions)).length };
    const p = await insertPromptIfNew(t.db, project.id, { prompt: "half-way", importId: dead.id });
    const c = (await t.db.insert(completions).values({ promptId: p.id, text: "x", origin: "import", importId: dead.id }).returning())[0];
    await t.db.insert(rankings).values({ promptId: p.id, ordering: [[c.id]], source: "import", importId: dead.id });
    expect((await recoverInterruptedImports(t.db)).takenBack).toBe(1);
    expect({ prompts: (await t.db.select().from(prompts)).length, rankings: (await t.db.select().from(rankings)).length, completions: (await t.db.select().from(completions)).length }).toEqual(before);
  });
});

describe("prompt files that bring completions and chat transcripts", () => {
  let t: TempDb;
  beforeEach(() => {
    t = createTempDb();
  });
  afterEach(() => t.close());

  it("reads completions as strings or {text, model}, and CSV completion_N / model_N columns", () => {
    const { rows, errors } = parsePromptsJsonl('{"prompt":"a","completions":["x",{"text":"y","model":"m-1"}]}');
    expect(errors).toEqual([]);
    expect(rows[0]!.completions).toEqual([{ text: "x", model: null }, { text: "y", model: "m-1" }]);
    const csv = parsePromptsCsv("prompt,completion_1,model_1,completion_2,model_2,completion_3\nhi,\"one,\nline two\",alpha,two,beta,\nplain,,,,,\n");
    expect(csv.errors).toEqual([]);
    expect(csv.rows.map((r) => r.completions)).toEqual([[{ text: "one,\nline two", model: "alpha" }, { text: "two", model: "beta" }], undefined]);
  });

  it("checks transcripts: roles, a final user turn, and 256 KB for the whole conversation", () => {
    const turn = (role: string, content: string) => ({ role, content });
    const { errors } = parsePromptsJsonl(
      [
        JSON.stringify({ messages: [turn("user", "hi"), turn("assistant", "yo")] }),
        JSON.stringify({ messages: [turn("tool", "x"), turn("user", "hi")] }),
        JSON.stringify({ messages: Array.from({ length: 5 }, () => turn("user", "x".repeat(60_000))) }),
        JSON.stringify({ tags: ["no prompt"] }),
      ].join("\n"),
    );
    expect(errors.map((e) => [e.line, e.message.split(":")[0]])).toEqual([[1, "messages"], [2, "messages.0.role"], [3, "messages"], [4, "prompt"]]);
    expect(errors[2]!.message).toBe("messages: are longer than 256 KB together");
  });

  it("refuses the whole file, line by line, for K = 1, K > 16, an empty or a repeated completion", async () => {
    const project = await createProject(t.db, { name: "bad-completions" }, null);
    const content = [
      '{"prompt":"fine","completions":["a","b"]}',
      '{"prompt":"one","completions":["a"]}',
      JSON.stringify({ prompt: "many", completions: Array.from({ length: 17 }, (_, i) => `c${i}`) }),
      '{"prompt":"empty","completions":["a",{"text":" ","model":"m"}]}',
      '{"prompt":"twice","completions":["same","other","same"]}',
    ].join("\n");
    const r = await importPrompts(t.db, { projectId: project.id, format: "jsonl", content }, null);
    expect(r).toEqual({
      imported: 0,
      duplicates: 0,
      errors: [
        { line: 2, message: "completions: has 1; a ranking takes 2 to 16" },
        { line: 3, message: "completions: has 17; a ranking takes 2 to 16" },
        { line: 4, message: "completions.1.text: is empty" },
        { line: 5, message: "completions.2: repeats the text of an earlier completion" },
      ],
    });
    expect(await t.db.select().from(prompts)).toEqual([]);
    const csv = await importPrompts(t.db, { projectId: project.id, format: "csv", content: "prompt,completion_1,completion_2\nok,a,b\nsolo,a,\n" }, null);
    expect(csv).toEqual({ imported: 0, duplicates: 0, errors: [{ line: 3, message: "completions: has 1; a ranking takes 2 to 16" }] });
  });

  it("opens a ranking task over exactly the file's completions (K independent of the project's k), each with its model", async () => {
    const project = await createProject(t.db, { name: "byo", k: 4, overlap: 2 }, null);
    const base = (await t.db.select().from(models))[0];
    const registered = base?.name ?? null;
    const content = [
      JSON.stringify({ prompt: "p1", completions: [{ text: "366.", model: "ext-a" }, { text: "12.", model: registered ?? "ext-b" }, "anon"] }),
      JSON.stringify({ messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }, { role: "assistant", content: "hello" }, { role: "user", content: "and?" }], completions: ["x", "y"] }),
      JSON.stringify({ prompt: "plain" }),
    ].join("\n");
    const r = await importPrompts(t.db, { projectId: project.id, format: "jsonl", content }, null);
    expect(r).toEqual({ imported: 3, duplicates: 0, errors: [] });
    const byText = new Map((await t.db.select().from(prompts)).map((p) => [p.text, p]));
    expect(byText.get("and?")!.messages).toHaveLength(4);
    const all = await t.db.select().from(tasks);
    expect(all.map((x) => x.kind).sort()).toEqual(["demonstrate", "rank", "rank"]);
    const p1Task = all.find((x) => x.promptId === byText.get("p1")!.id)!;
    expect(p1Task).toMatchObject({ kind: "rank", requiredResponses: 2 });
    const shown = await t.db.select().from(completions).where(inArray(completions.id, p1Task.completionIds));
    const byId = new Map(shown.map((c) => [c.id, c]));
    expect(p1Task.completionIds.map((id) => [byId.get(id)!.text, byId.get(id)!.modelName])).toEqual([["366.", "ext-a"], ["12.", registered ?? "ext-b"], ["anon", null]]);
    expect(shown.every((c) => c.origin === "import" && c.importId !== null)).toBe(true);
    expect(byId.get(p1Task.completionIds[0]!)!.modelId).toBeNull();
    if (base) expect(byId.get(p1Task.completionIds[1]!)!.modelId).toBe(base.id);

    // A re-import brings nothing twice: the prompts are duplicates, and so are their completions.
    expect(await importPrompts(t.db, { projectId: project.id, format: "jsonl", content }, null)).toMatchObject({ imported: 0, duplicates: 3 });
    expect(await t.db.select().from(completions)).toHaveLength(5);
  });

  it("two transcripts ending with the same user turn are two prompts; the same transcript twice is one", async () => {
    const project = await createProject(t.db, { name: "same-ending" }, null);
    const chat = (first: string) => JSON.stringify({ messages: [{ role: "user", content: first }, { role: "assistant", content: "Done." }, { role: "user", content: "Thanks!" }] });
    const r = await importPrompts(t.db, { projectId: project.id, format: "jsonl", content: [chat("Fix my code"), chat("Book a table"), chat("Fix my code"), '{"prompt":"Thanks!"}'].join("\n") }, null);
    expect(r).toMatchObject({ imported: 3, duplicates: 1 });
  });

  it("prompts imported first get their ranking task when a later file brings their completions", async () => {
    const project = await createProject(t.db, { name: "later" }, null);
    await importPrompts(t.db, { projectId: project.id, format: "jsonl", content: '{"prompt":"p","id":"1"}' }, null);
    const r = await importPrompts(t.db, { projectId: project.id, format: "csv", content: "prompt,id,completion_1,model_1,completion_2,model_2\np,1,a,m1,b,m2\n" }, null);
    expect(r).toMatchObject({ imported: 0, duplicates: 1 });
    expect((await t.db.select().from(tasks)).map((x) => [x.kind, x.completionIds.length])).toEqual([["demonstrate", 0], ["rank", 2]]);
    // The same file again: no new completion, no second task.
    await importPrompts(t.db, { projectId: project.id, format: "csv", content: "prompt,id,completion_1,model_1,completion_2,model_2\np,1,a,m1,b,m2\n" }, null);
    expect(await t.db.select().from(tasks)).toHaveLength(2);
    expect((await t.db.select().from(completions)).map((c) => c.modelName)).toEqual(["m1", "m2"]);
  });

  it("an imported transcript is exported as its chat turns, and the rankings format names each completion's model", async () => {
    const project = await createProject(t.db, { name: "chat" }, null);
    const messages = [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello!" }, { role: "user", content: "A haiku?" }];
    await importPrompts(t.db, { projectId: project.id, format: "jsonl", content: JSON.stringify({ messages, completions: [{ text: "good", model: "m1" }, { text: "bad", model: "m2" }] }) }, null);
    const [good, bad] = await t.db.select().from(completions);
    const p = (await t.db.select().from(prompts))[0]!;
    expect(p.text).toBe("A haiku?");
    await t.db.insert(rankings).values({ promptId: p.id, ordering: [[good!.id], [bad!.id]], source: "import", ratings: { [good!.id]: 5 } });
    expect((await collect(exportRecords(t.db, "trl-preference-chat")))).toEqual([{ prompt: messages, chosen: [{ role: "assistant", content: "good" }], rejected: [{ role: "assistant", content: "bad" }] }]);
    expect((await collect(exportRecords(t.db, "hh-rlhf")))[0]!.chosen).toBe("\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: A haiku?\n\nAssistant: good");
    expect((await collect(exportRecords(t.db, "rankings")))[0]).toMatchObject({ messages, completions: ["good", "bad"], models: ["m1", "m2"], ranking: [[0], [1]], ratings: { "0": 5 } });
  });

  it("the project page counts each prompt's completions, demonstrations and rankings", async () => {
    const project = await createProject(t.db, { name: "counts" }, null);
    await importPrompts(t.db, { projectId: project.id, format: "jsonl", content: '{"prompt":"p","completions":["a","b","c"]}\n{"prompt":"q"}' }, null);
    const [p, q] = await t.db.select().from(prompts);
    const [c1, c2, c3] = await t.db.select().from(completions);
    await t.db.insert(rankings).values({ promptId: p!.id, ordering: [[c1!.id], [c2!.id], [c3!.id]], source: "import" });
    await t.db.insert(demonstrations).values({ promptId: q!.id, text: "d", status: "submitted" });
    const items = (await listPrompts(t.db, { projectId: project.id, page: 1, pageSize: 10 })).items;
    expect(items.map((i) => [i.text, i.completionCount, i.demonstrationCount, i.rankingCount])).toEqual([
      ["p", 3, 0, 1],
      ["q", 0, 1, 0],
    ]);
  });

  it("a dead import that brought completions is taken back whole; one that died opening tasks opens its ranking tasks", async () => {
    const project = await createProject(t.db, { name: "dead-completions" }, null);
    const long = new Date(Date.now() - 10 * 60_000);
    const half = (await t.db.insert(imports).values({ projectId: project.id, totalRows: 1, status: "opening_tasks", heartbeatAt: long }).returning())[0];
    const p = await insertPromptIfNew(t.db, project.id, { prompt: "ranked later", importId: half.id });
    const ids = await Promise.all(["a", "b"].map(async (text) => (await t.db.insert(completions).values({ promptId: p.id, text, origin: "import", importId: half.id }).returning())[0].id));
    expect(await recoverInterruptedImports(t.db)).toEqual({ takenBack: 0, finished: 1 });
    expect(await t.db.select().from(tasks)).toMatchObject([{ kind: "rank", promptId: p.id, completionIds: ids }]);
  });
});
