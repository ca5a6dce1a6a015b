// Label quality through the `rlhf` CLI: project settings, rankings imported with their annotators, gold items,
// `stats quality --json` (its exact contract, numbers worked out by hand) and exports with --consensus, --weights
// and --include-gold.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { closeDatabase, openDb } from "../../db/index";
import { users } from "../../db/schema";
import { errorLine, rlhf } from "../support/cli";
import { cliDatabase } from "../support/db";

const t = cliDatabase("rlhf-quality-");

function file(name: string, lines: object[]): string {
  const p = path.join(t.dir, name);
  fs.writeFileSync(p, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  return p;
}

function readJsonl(p: string): Record<string, unknown>[] {
  return fs.readFileSync(p, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

const XYZ = ["x", "y", "z"];
const FORWARD = [[0], [1], [2]];
const REVERSED = [[2], [1], [0]];
const rank = (prompt: string, ranking: number[][], annotator: string, time_ms: number) => ({ prompt, completions: XYZ, ranking, annotator, time_ms });

describe("label quality from the CLI", () => {
  it("projects create takes the quality settings, and refuses a gold rate outside [0, 0.5] in one line", async () => {
    const r = await rlhf("projects", "create", "Q", "--k", "3", "--overlap", "2", "--gold-rate", "0.2", "--review-below", "0.6", "--selection", "random", "--json");
    expect(r.code).toBe(0);
    expect(r.json!.project).toMatchObject({ name: "Q", k: 3, overlap: 2, gold_rate: 0.2, review_below: 0.6, selection: "random", require_rationale: false });
    const bad = await rlhf("projects", "create", "Q2", "--gold-rate", "0.7");
    expect(bad.code).toBe(2);
    expect(errorLine(bad)).toMatch(/gold rate must be from 0 to 0\.5/);
    const badSelection = await rlhf("projects", "update", "Q", "--selection", "smart");
    expect(badSelection.code).toBe(2);
    expect(errorLine(badSelection)).toMatch(/selection must be one of random, uncertain, disagree/);
    const updated = await rlhf("projects", "update", "Q", "--gold-rate", "0.25", "--require-rationale", "--json");
    expect(updated.json!.project).toMatchObject({ gold_rate: 0.25, require_rationale: true, overlap: 2 });
  });

  it("gold import refuses a ranking that does not cover its completions, and stores good ones", async () => {
    const bad = await rlhf("gold", "import", file("bad-gold.jsonl", [{ prompt: "G1", completions: XYZ, ranking: [[0], [1]] }]), "--project", "Q");
    expect(bad.code).toBe(2);
    expect(errorLine(bad)).toBe("rlhf: line 1: ranking must place every completion (indices 0 to 2) exactly once");
    const ok = await rlhf("gold", "import", file("gold.jsonl", [{ prompt: "G1", completions: XYZ, ranking: FORWARD }]), "--project", "Q", "--json");
    expect(ok.json).toMatchObject({ ok: true, gold_items: 1, tasks_opened: 1 });
  });

  it("stats quality on a project with no overlapping items is a one-line error", async () => {
    const r = await rlhf("stats", "quality", "--project", "Q", "--json");
    expect(r.code).toBe(2);
    expect(r.json).toEqual({ ok: false, error: "no items were ranked by two annotators yet" });
  });

  it("import rankings honours `annotator`: unknown emails are line errors until --create-annotators makes disabled accounts", async () => {
    const lines = [
      rank("P1", FORWARD, "careful@team.org", 1000),
      rank("P1", FORWARD, "reverser@team.org", 500),
      rank("P2", FORWARD, "careful@team.org", 2000),
      rank("P2", REVERSED, "reverser@team.org", 500),
      rank("G1", FORWARD, "careful@team.org", 3000),
      rank("G1", REVERSED, "reverser@team.org", 500),
    ];
    const f = file("rankings.jsonl", lines);
    const refused = await rlhf("import", "rankings", f, "--project", "Q");
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("no user with the email careful@team.org: add them first, or import with --create-annotators");
    const r = await rlhf("import", "rankings", f, "--project", "Q", "--create-annotators", "--json");
    expect(r.json).toMatchObject({ ok: true, imported: 6, errors: [] });
    const again = await rlhf("import", "rankings", f, "--project", "Q", "--json");
    expect(again.json).toMatchObject({ imported: 0, duplicates: 6 });
    const db = openDb(t.file, { migrate: false });
    try {
      const made = await db.select({ email: users.email, disabled: users.disabled, role: users.role }).from(users);
      expect(made).toEqual(
        expect.arrayContaining([
          { email: "careful@team.org", disabled: true, role: "annotator" },
          { email: "reverser@team.org", disabled: true, role: "annotator" },
        ]),
      );
    } finally {
      await closeDatabase(db);
    }
  });

  it("stats quality --json prints exactly the contract, with the figures worked out by hand", async () => {
    const r = await rlhf("stats", "quality", "--project", "Q", "--json");
    expect(r.code).toBe(0);
    const { ok, ...report } = r.json!;
    expect(ok).toBe(true);
    expect(Object.keys(report).sort()).toEqual(["annotators", "items_with_overlap", "krippendorff_alpha", "pairwise_agreement"]);
    // Items P1 (both x>y>z), P2 and G1 (x>y>z against z>y>x). Units per completion, values = group positions:
    // o11 = 2, o22 = 6, o33 = 2, o13 = o31 = 4; n1 = n2 = n3 = 6, n = 18; δ²13 = 144, δ²12 = δ²23 = 36.
    // α = 1 − 17·(8·144)/(2·(36·36 + 36·144 + 36·36)) = 1 − 19584/15552 = −7/27.
    expect(report.items_with_overlap).toBe(3);
    expect(report.krippendorff_alpha).toBeCloseTo(-7 / 27, 10);
    // Per item: P1 1, P2 0.5, G1 0.5.
    expect(report.pairwise_agreement).toBeCloseTo(2 / 3, 10);
    const annotators = report.annotators as Record<string, unknown>[];
    expect(annotators.map((a) => Object.keys(a).sort())).toEqual(
      Array(2).fill(["agreement", "cannot_rank_share", "email", "gold_accuracy", "gold_pairs", "median_time_ms", "rankings", "weight"]),
    );
    // Each agrees with the other on P1 (3 pairs of 3) and on nothing else: 3/9. Weight: (gold + consensus agreeing + 3)
    // / (gold + consensus pairs + 4): careful (3 + 3 + 3)/(3 + 9 + 4) = 9/16, reverser (0 + 3 + 3)/16 = 6/16.
    expect(annotators[0]).toMatchObject({ email: "careful@team.org", rankings: 3, gold_accuracy: 1, gold_pairs: 3, median_time_ms: 2000, cannot_rank_share: 0 });
    expect(annotators[0]!.agreement).toBeCloseTo(1 / 3, 10);
    expect(annotators[0]!.weight).toBeCloseTo(9 / 16, 10);
    expect(annotators[1]).toMatchObject({ email: "reverser@team.org", rankings: 3, gold_accuracy: 0, gold_pairs: 3, median_time_ms: 500 });
    expect(annotators[1]!.weight).toBeCloseTo(6 / 16, 10);
  });

  it("exports leave gold out unless --include-gold, combine items with --consensus and carry --weights", async () => {
    const out = (name: string) => path.join(t.dir, name);
    const plain = await rlhf("export", "--format", "trl-preference", "--project", "Q", "--out", out("plain.jsonl"), "--json");
    expect(plain.json).toMatchObject({ records: 12 }); // P1 and P2: 2 annotators × 3 pairs each
    expect(readJsonl(out("plain.jsonl")).some((r) => r.prompt === "G1")).toBe(false);
    const gold = await rlhf("export", "--format", "trl-preference", "--project", "Q", "--include-gold", "--out", out("gold.jsonl"), "--json");
    expect(gold.json).toMatchObject({ records: 18 });

    // Consensus: P1 stays x>y>z (3 pairs); P2's two rankings cancel into one tie (no pair).
    await rlhf("export", "--format", "trl-preference", "--project", "Q", "--consensus", "--weights", "--out", out("consensus.jsonl"));
    const consensus = readJsonl(out("consensus.jsonl"));
    expect(consensus.map((r) => [r.prompt, r.chosen, r.rejected])).toEqual([
      ["P1", "x", "y"],
      ["P1", "x", "z"],
      ["P1", "y", "z"],
    ]);
    expect(consensus[0]!.weight).toBeCloseTo((9 / 16 + 6 / 16) / 2, 6);

    await rlhf("export", "--format", "trl-preference", "--project", "Q", "--weights", "--out", out("weights.jsonl"));
    const weights = [...new Set(readJsonl(out("weights.jsonl")).map((r) => r.weight))].sort();
    expect(weights).toEqual([0.375, 0.5625]);

    await rlhf("export", "--format", "rankings", "--project", "Q", "--consensus", "--out", out("rankings.jsonl"));
    const items = readJsonl(out("rankings.jsonl")).sort((a, b) => String(a.prompt).localeCompare(String(b.prompt)));
    const texts = (r: Record<string, unknown>) => (r.ranking as number[][]).map((g) => g.map((i) => (r.completions as string[])[i]).sort());
    expect(items.map((r) => [r.prompt, texts(r), r.annotators])).toEqual([
      ["P1", [["x"], ["y"], ["z"]], 2],
      ["P2", [["x", "y", "z"]], 2],
    ]);
  });
});
