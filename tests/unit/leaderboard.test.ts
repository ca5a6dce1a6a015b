// Win rates read from the database: grouped by the model that wrote each completion (an external name or a
// registered model), per project, the parent first on a model's page, and not-rankable answers left out.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { completions, models, prompts, rankings } from "../../db/schema";
import { importRankings } from "../../server/services/data-import";
import { modelWinRates, projectLeaderboard } from "../../server/services/leaderboard";
import { createProject } from "../../server/services/projects";
import { insertPromptIfNew } from "../../server/services/prompts";
import { createTempDb, type TempDb } from "../support/db";

let t: TempDb;
beforeEach(() => {
  t = createTempDb();
});
afterEach(() => t.close());

async function rank(projectId: string, text: string, byModel: [string | null, string | null][], order: number[][], notRankable = false) {
  const p = await insertPromptIfNew(t.db, projectId, { prompt: text });
  const ids = await Promise.all(byModel.map(async ([modelName, modelId], i) => (await t.db.insert(completions).values({ promptId: p.id, text: `${text} ${i}`, origin: "import", modelName, modelId }).returning())[0].id));
  await t.db.insert(rankings).values({ promptId: p.id, ordering: notRankable ? [] : order.map((g) => g.map((i) => ids[i]!)), notRankable, source: "import" });
}

describe("win rates from the database", () => {
  it("groups by model name (or the registered model a completion points at), per project, parent first", async () => {
    const a = await createProject(t.db, { name: "a" }, null);
    const b = await createProject(t.db, { name: "b" }, null);
    const parent = (await t.db.insert(models).values({ name: "sft-1", kind: "policy", path: "x", tokenizer: "byte" }).returning())[0];
    const child = (await t.db.insert(models).values({ name: "ppo-1", kind: "policy", path: "y", tokenizer: "byte", parentId: parent.id }).returning())[0];
    // ppo-1 meets the external gpt-x twice (wins once) and its parent once (wins), in project a.
    await rank(a.id, "q1", [["ppo-1", child.id], ["gpt-x", null]], [[0], [1]]);
    await rank(a.id, "q2", [["ppo-1", child.id], ["gpt-x", null]], [[1], [0]]);
    await rank(a.id, "q3", [[null, child.id], [null, parent.id]], [[0], [1]]); // names come from the registry
    await rank(a.id, "q4", [["ppo-1", child.id], ["gpt-x", null]], [], true); // not rankable: no comparison
    // In project b, ppo-1 loses to gpt-x.
    await rank(b.id, "q5", [["ppo-1", child.id], ["gpt-x", null]], [[1], [0]]);

    expect((await modelWinRates(t.db, "ppo-1", a.id)).map((r) => [r.against, r.wins, r.losses])).toEqual([
      ["sft-1", 1, 0],
      ["gpt-x", 1, 1],
    ]);
    expect((await modelWinRates(t.db, "ppo-1")).find((r) => r.against === "gpt-x")).toMatchObject({ wins: 1, losses: 2, comparisons: 3 });
    const board = await projectLeaderboard(t.db, b.id);
    expect(board.map((r) => [r.name, r.registered, r.comparisons])).toEqual([
      ["gpt-x", false, 1],
      ["ppo-1", true, 1],
    ]);
    await expect(async () => await modelWinRates(t.db, "nobody")).rejects.toThrow(/no model named 'nobody'/);
    expect(await modelWinRates(t.db, "sft-1", b.id)).toEqual([]);
    expect(await t.db.select().from(prompts)).toHaveLength(5);
  });

  it("a rankings file (as the rankings export writes it) brings each completion's model back", async () => {
    const project = await createProject(t.db, { name: "round-trip" }, null);
    const line = (prompt: string, ranking: number[][]) => JSON.stringify({ prompt, completions: ["x", "y"], models: ["m-a", "m-b"], ranking });
    const r = await importRankings(t.db, { projectId: project.id, content: [line("p1", [[0], [1]]), line("p2", [[1], [0]]), line("p3", [[0], [1]]), JSON.stringify({ prompt: "bad", completions: ["x", "y"], models: ["m-a"], ranking: [[0], [1]] })].join("\n") });
    expect(r.errors).toEqual([{ line: 4, message: "models names 1 models for 2 completions" }]);
    expect(await modelWinRates(t.db, "m-a", project.id)).toMatchObject([{ against: "m-b", wins: 2, losses: 1 }]);
  });
});
