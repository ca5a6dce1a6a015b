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

function rank(projectId: string, text: string, byModel: [string | null, string | null][], order: number[][], notRankable = false) {
  const p = insertPromptIfNew(t.db, projectId, { prompt: text });
  const ids = byModel.map(([modelName, modelId], i) => t.db.insert(completions).values({ promptId: p.id, text: `${text} ${i}`, origin: "import", modelName, modelId }).returning().get().id);
  t.db.insert(rankings).values({ promptId: p.id, ordering: notRankable ? [] : order.map((g) => g.map((i) => ids[i]!)), notRankable, source: "import" }).run();
}

describe("win rates from the database", () => {
  it("groups by model name (or the registered model a completion points at), per project, parent first", () => {
    const a = createProject(t.db, { name: "a" }, null);
    const b = createProject(t.db, { name: "b" }, null);
    const parent = t.db.insert(models).values({ name: "sft-1", kind: "policy", path: "x", tokenizer: "byte" }).returning().get();
    const child = t.db.insert(models).values({ name: "ppo-1", kind: "policy", path: "y", tokenizer: "byte", parentId: parent.id }).returning().get();
    // ppo-1 meets the external gpt-x twice (wins once) and its parent once (wins), in project a.
    rank(a.id, "q1", [["ppo-1", child.id], ["gpt-x", null]], [[0], [1]]);
    rank(a.id, "q2", [["ppo-1", child.id], ["gpt-x", null]], [[1], [0]]);
    rank(a.id, "q3", [[null, child.id], [null, parent.id]], [[0], [1]]); // names come from the registry
    rank(a.id, "q4", [["ppo-1", child.id], ["gpt-x", null]], [], true); // not rankable: no comparison
    // In project b, ppo-1 loses to gpt-x.
    rank(b.id, "q5", [["ppo-1", child.id], ["gpt-x", null]], [[1], [0]]);

    expect(modelWinRates(t.db, "ppo-1", a.id).map((r) => [r.against, r.wins, r.losses])).toEqual([
      ["sft-1", 1, 0],
      ["gpt-x", 1, 1],
    ]);
    expect(modelWinRates(t.db, "ppo-1").find((r) => r.against === "gpt-x")).toMatchObject({ wins: 1, losses: 2, comparisons: 3 });
    const board = projectLeaderboard(t.db, b.id);
    expect(board.map((r) => [r.name, r.registered, r.comparisons])).toEqual([
      ["gpt-x", false, 1],
      ["ppo-1", true, 1],
    ]);
    expect(() => modelWinRates(t.db, "nobody")).toThrow(/no model named 'nobody'/);
    expect(modelWinRates(t.db, "sft-1", b.id)).toEqual([]);
    expect(t.db.select().from(prompts).all()).toHaveLength(5);
  });

  it("a rankings file (as the rankings export writes it) brings each completion's model back", () => {
    const project = createProject(t.db, { name: "round-trip" }, null);
    const line = (prompt: string, ranking: number[][]) => JSON.stringify({ prompt, completions: ["x", "y"], models: ["m-a", "m-b"], ranking });
    const r = importRankings(t.db, { projectId: project.id, content: [line("p1", [[0], [1]]), line("p2", [[1], [0]]), line("p3", [[0], [1]]), JSON.stringify({ prompt: "bad", completions: ["x", "y"], models: ["m-a"], ranking: [[0], [1]] })].join("\n") });
    expect(r.errors).toEqual([{ line: 4, message: "models names 1 models for 2 completions" }]);
    expect(modelWinRates(t.db, "m-a", project.id)).toMatchObject([{ against: "m-b", wins: 2, losses: 1 }]);
  });
});
