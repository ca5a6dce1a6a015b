// Bring your own model's outputs through the CLI: a prompt file with two named models' completions, annotators
// rank them, and `rlhf models leaderboard` / `models show` report win rates and ratings as the contract says.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { closeDatabase, openDb } from "../../db/index";
import { users } from "../../db/schema";
import { nextTask } from "../../server/services/assignment";
import { submitRanking } from "../../server/services/responses";
import { errorLine, rlhf } from "../support/cli";
import { cliDatabase } from "../support/db";

const t = cliDatabase("rlhf-cli-winrates-");

describe("rlhf prompts import with completions, then models leaderboard and show", () => {
  it("imports, ranks, and reports win rates with intervals for external model names", async () => {
    expect((await rlhf("projects", "create", "byo", "--k", "4", "--json")).code).toBe(0);
    const lines = Array.from({ length: 4 }, (_, i) =>
      JSON.stringify({ prompt: `Question ${i}?`, completions: [{ text: `alpha answer ${i}`, model: "alpha-7b" }, { text: `beta answer ${i}`, model: "beta-7b" }] }),
    );
    const file = path.join(t.dir, "byo.jsonl");
    fs.writeFileSync(file, lines.join("\n"));
    const imp = await rlhf("prompts", "import", file, "--project", "byo", "--json");
    expect(imp.json).toMatchObject({ ok: true, imported: 4, duplicates: 0, errors: [] });

    const bad = path.join(t.dir, "bad.jsonl");
    fs.writeFileSync(bad, `${lines[0]}\n{"prompt":"solo","completions":["only one"]}\n`);
    const refused = await rlhf("prompts", "import", bad, "--project", "byo", "--json");
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain(`${bad}:2: completions: has 1; a ranking takes 2 to 16`);
    expect(errorLine(refused)).toMatch(/^rlhf: nothing imported from/);

    // An annotator ranks all four: alpha wins three, beta one.
    const db = openDb(t.file, { migrate: false });
    try {
      const ann = (await db.insert(users).values({ email: "ann@x", passwordHash: "x", role: "annotator" }).returning())[0];
      for (let i = 0; i < 4; i++) {
        const task = (await nextTask(db, ann.id, { kind: "rank" }))!;
        expect(task.completions).toHaveLength(2); // K from the file, not the project's k = 4
        const alphaFirst = i < 3;
        const sorted = [...task.completions].sort((a, b) => (a.text.startsWith("alpha") === alphaFirst ? -1 : 1) - (b.text.startsWith("alpha") === alphaFirst ? -1 : 1));
        await submitRanking(db, ann.id, { assignmentId: task.assignmentId, ranking: sorted.map((c) => [c.id]), timeMs: 500 });
      }
    } finally {
      await closeDatabase(db);
    }

    const board = await rlhf("models", "leaderboard", "--project", "byo", "--json");
    expect(board.code).toBe(0);
    const models = board.json!.models as Array<Record<string, any>>;
    expect(models.map((m) => m.name)).toEqual(["alpha-7b", "beta-7b"]);
    expect(models[0]).toMatchObject({ comparisons: 4, registered: false, win_rates: [{ against: "beta-7b", wins: 3, losses: 1, ties: 0, win_rate: 0.75 }] });
    expect(Object.keys(models[0]!).sort()).toEqual(["comparisons", "name", "rating", "rating_high", "rating_low", "registered", "win_rates"]);
    expect(models[0]!.rating_low).toBeLessThan(models[0]!.rating);
    expect(models[0]!.rating).toBeGreaterThan(models[1]!.rating);
    expect(models[0]!.win_rates[0].ci_low).toBeGreaterThan(0.2);
    expect(models[0]!.win_rates[0].ci_high).toBeLessThan(1);

    const show = await rlhf("models", "show", "beta-7b", "--json");
    expect(show.json).toMatchObject({ name: "beta-7b", registered: false, win_rates: [{ against: "alpha-7b", wins: 1, losses: 3, ties: 0, win_rate: 0.25 }] });
    expect(Object.keys(show.json!.win_rates[0]).sort()).toEqual(["against", "ci_high", "ci_low", "losses", "ties", "win_rate", "wins"]);
    const base = await rlhf("models", "show", "base", "--json");
    expect(base.json).toMatchObject({ name: "base", registered: true, win_rates: [] });

    const missing = await rlhf("models", "show", "nobody");
    expect(missing.code).not.toBe(0);
    expect(errorLine(missing)).toMatch(/no model named 'nobody'/);
    expect((await rlhf("models", "leaderboard", "--project", "nope")).code).not.toBe(0);
  });
});
