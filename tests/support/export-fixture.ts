// A small dataset with every case an export meets: ties, a not-rankable ranking, gold items, an adjudicated item,
// three annotators who disagree, chat prompts, named models, flags, ratings, rationale, texts that need escaping.
// Ids and times are fixed, so its exports are the same bytes on every run (the golden-file test compares them).
import type { Db } from "../../db/index";
import { completions, demonstrations, goldItems, projects, prompts, rankings, reviews, users } from "../../db/schema";

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 0, minute));

export async function buildExportFixture(db: Db): Promise<void> {
  await db.insert(users).values([
    { id: "u-alice", email: "alice@x", passwordHash: "x", role: "annotator", createdAt: at(0) },
    { id: "u-bob", email: "bob@x", passwordHash: "x", role: "annotator", createdAt: at(0) },
    { id: "u-carol", email: "carol@x", passwordHash: "x", role: "annotator", createdAt: at(0) },
    { id: "u-rev", email: "rev@x", passwordHash: "x", role: "reviewer", createdAt: at(0) },
  ]);
  await db.insert(projects).values([{ id: "proj-a", name: "A", createdAt: at(0) }, { id: "proj-b", name: "B", createdAt: at(0) }]);
  const chat = [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }, { role: "assistant", content: "Hello!" }, { role: "user", content: "A haiku?" }];
  await db.insert(prompts).values([
    { id: "p1", projectId: "proj-a", text: 'Say "hi"\n\tplease', textHash: "h1", createdAt: at(1) },
    { id: "p2", projectId: "proj-a", text: "Count to three.", textHash: "h2", split: "test", createdAt: at(2) },
    { id: "p3", projectId: "proj-a", text: "A haiku?", messages: chat, textHash: "h3", createdAt: at(3) },
    { id: "p4", projectId: "proj-a", text: "Gold: 2+2?", textHash: "h4", createdAt: at(4) },
    { id: "p5", projectId: "proj-b", text: "Naïve café — résumé 🙂 \u2028 \\ /", textHash: "h5", createdAt: at(5) },
  ]);
  const c = (id: string, promptId: string, text: string, modelName: string | null = null) => ({ id, promptId, text, origin: "import" as const, modelName, createdAt: at(6) });
  await db.insert(completions).values([
    c("c1a", "p1", "Hi!", "m-one"), c("c1b", "p1", 'Hello, "friend".', "m-two"), c("c1c", "p1", "Go away.\n"), c("c1d", "p1", "Hey 👋"),
    c("c2a", "p2", "1 2 3"), c("c2b", "p2", "3 2 1"), c("c2c", "p2", "one two three"),
    c("c3a", "p3", "Leaves fall slowly", "m-one"), c("c3b", "p3", "I like turtles", "m-two"),
    c("c4a", "p4", "4"), c("c4b", "p4", "5"), c("c4c", "p4", "22"),
    c("c5a", "p5", "Ça va 🙂"), c("c5b", "p5", "\u0001 soh and \u001f"),
  ]);
  await db.insert(goldItems).values({ id: "g4", projectId: "proj-a", promptId: "p4", ordering: [["c4a"], ["c4b", "c4c"]], createdAt: at(7) });
  const r = (id: string, promptId: string, userId: string | null, ordering: string[][], minute: number, extra: Partial<typeof rankings.$inferInsert> = {}) => ({
    id, promptId, userId, ordering, timeMs: 1000 + minute, createdAt: at(minute), ...extra,
  });
  await db.insert(rankings).values([
    // p1: three annotators, one tie, mostly agreeing; alice flags and rates.
    r("r1", "p1", "u-alice", [["c1a"], ["c1b"], ["c1c"], ["c1d"]], 10, { flags: { c1c: ["harmful"] }, ratings: { c1a: 6, c1c: 1 }, rationale: "first is friendliest" }),
    r("r2", "p1", "u-bob", [["c1b"], ["c1a"], ["c1c", "c1d"]], 11),
    r("r3", "p1", "u-carol", [["c1a"], ["c1c"], ["c1b"], ["c1d"]], 12),
    // p2: a full tie (no pairs), a strict ranking by bob, a not-rankable one; alice and bob disagree: adjudicated.
    r("r4", "p2", "u-alice", [["c2a", "c2b"], ["c2c"]], 13),
    r("r5", "p2", "u-bob", [["c2c"], ["c2b"], ["c2a"]], 14),
    r("r6", "p2", "u-carol", [], 15, { notRankable: true, notRankableReason: "all wrong" }),
    // p3: a chat prompt, imported without an annotator.
    r("r7", "p3", null, [["c3a"], ["c3b"]], 16, { source: "import" }),
    // p4: gold, ranked by two annotators.
    r("r8", "p4", "u-alice", [["c4a"], ["c4b"], ["c4c"]], 17),
    r("r9", "p4", "u-bob", [["c4b"], ["c4a"], ["c4c"]], 18),
    // p5: another project, two annotators.
    r("r10", "p5", "u-alice", [["c5a"], ["c5b"]], 19),
    r("r11", "p5", "u-carol", [["c5b"], ["c5a"]], 20),
  ]);
  await db.insert(reviews).values({
    id: "v2", projectId: "proj-a", promptId: "p2", itemKey: "c2a,c2b,c2c", reason: "disagreement", agreement: 0.5, annotators: 2, status: "resolved",
    ordering: [["c2b"], ["c2a"], ["c2c"]], note: "b is right", reviewerId: "u-rev", createdAt: at(21), resolvedAt: at(22),
  });
  await db.insert(demonstrations).values([
    { id: "d1", promptId: "p1", userId: "u-alice", text: "Hi there!", status: "submitted", createdAt: at(23) },
    { id: "d2", promptId: "p3", userId: "u-bob", text: "Autumn \"leaves\"", status: "submitted", createdAt: at(24) },
    { id: "d3", promptId: "p1", userId: "u-bob", text: "draft only", status: "draft", createdAt: at(25) },
  ]);
}

/** The exports the golden-file test compares: every format plain, and the option sets that change records. */
export const GOLDEN_EXPORTS: { name: string; format: string; filter: Record<string, string | boolean> }[] = [
  ...["trl-preference", "trl-preference-chat", "trl-sft", "trl-sft-chat", "rankings", "hh-rlhf"].map((format) => ({ name: format, format, filter: {} })),
  { name: "trl-preference.weights", format: "trl-preference", filter: { weights: true } },
  { name: "trl-preference.consensus-weights-gold", format: "trl-preference", filter: { consensus: true, weights: true, includeGold: true } },
  { name: "trl-preference-chat.weights", format: "trl-preference-chat", filter: { weights: true } },
  { name: "hh-rlhf.consensus", format: "hh-rlhf", filter: { consensus: true } },
  { name: "rankings.consensus-weights", format: "rankings", filter: { consensus: true, weights: true } },
  { name: "rankings.gold", format: "rankings", filter: { includeGold: true } },
  { name: "rankings.min-agreement", format: "rankings", filter: { minAgreement: "0.6" } },
  { name: "trl-preference.project-b-annotator", format: "trl-preference", filter: { project: "B", annotator: "carol@x" } },
  { name: "trl-preference.model", format: "trl-preference", filter: { model: "m-two" } },
  { name: "trl-sft.split-test", format: "trl-sft", filter: { split: "test" } },
  { name: "rankings.since-until", format: "rankings", filter: { since: "2026-11-01T00:11:00Z", until: "2026-11-01T00:17:00Z" } },
];
