// The label-quality loop through the services and the tRPC router: gold tasks served at the gold rate among ordinary
// ones, a careful annotator and one who reverses everything, the quality report telling them apart, a disagreeing
// item reaching a reviewer, and the export then holding the reviewer's ranking for that item.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { tasks } from "../../db/schema";
import { nextTask } from "../../server/services/assignment";
import { completionIdFor } from "../../server/services/data-import";
import { exportRecords } from "../../server/services/export";
import { importGold } from "../../server/services/gold";
import { createProject } from "../../server/services/projects";
import { insertPromptIfNew } from "../../server/services/prompts";
import { submitRanking } from "../../server/services/responses";
import { openRankTask } from "../../server/services/task-queue";
import { createTempDb, type TempDb } from "../support/db";
import { callerFor, makeUser } from "./helpers";
import { collect } from "../../server/services/async-iter";

let t: TempDb;
let projectId: string;
const XYZ = ["x", "y", "z"];

beforeAll(async () => {
  t = createTempDb("rlhf-quality-flow-");
  projectId = (await createProject(t.db, { name: "Flow", k: 3, overlap: 2, goldRate: 0.5 }, null)).id;
  for (const prompt of ["P1", "P2"]) {
    const p = await insertPromptIfNew(t.db, projectId, { prompt });
    await openRankTask(t.db, { projectId, promptId: p.id, completionIds: await Promise.all(XYZ.map(async (text) => await completionIdFor(t.db, p.id, text, null))) });
  }
  await importGold(t.db, { projectId, content: JSON.stringify({ prompt: "G1", completions: XYZ, ranking: [[0], [1], [2]] }) });
});
afterAll(() => t.close());

/** Ranks every task the queue hands out; `reverse` puts the completions in reverse text order, else in text order. */
async function rankAll(userId: string, reverse: (prompt: string) => boolean, random: () => number): Promise<string[]> {
  const seen: string[] = [];
  for (;;) {
    const task = await nextTask(t.db, userId, { kind: "rank", projectId }, { random });
    if (!task) return seen;
    seen.push(task.prompt);
    const sorted = [...task.completions].sort((a, b) => a.text.localeCompare(b.text));
    if (reverse(task.prompt)) sorted.reverse();
    await submitRanking(t.db, userId, { assignmentId: task.assignmentId, ranking: sorted.map((c) => [c.id]), timeMs: 1000 });
  }
}

describe("label quality, end to end through the services", () => {
  it("serves gold at the gold rate: a draw under it gives the gold task first, one over it the ordinary ones first", async () => {
    const careful = await makeUser(t.db, "annotator", "careful@flow.test");
    const reverser = await makeUser(t.db, "annotator", "reverser@flow.test");
    expect(await rankAll(careful.id, () => false, () => 0.1)).toEqual(["G1", "P1", "P2"]);
    // The reverser agrees on P1 and reverses P2 and the gold item.
    expect(await rankAll(reverser.id, (p) => p !== "P1", () => 0.9)).toEqual(["P1", "P2", "G1"]);
    // Gold tasks never fill up; ordinary ones stop at the overlap.
    const gold = (await t.db.select().from(tasks).where(eq(tasks.gold, true)))[0]!;
    expect(gold.responseCount).toBe(2);
    expect(gold.requiredResponses).toBeGreaterThan(1000);
  });

  it("the quality report shows the reverser's gold accuracy at 0 and a lower weight", async () => {
    const researcher = await callerFor(t.db, await makeUser(t.db, "researcher"));
    const q = await researcher.stats.quality({ projectId });
    expect(q.itemsWithOverlap).toBe(3);
    const byEmail = Object.fromEntries(q.annotators.map((a) => [a.email, a]));
    expect(byEmail["careful@flow.test"]).toMatchObject({ goldAccuracy: 1, goldPairs: 3 });
    expect(byEmail["reverser@flow.test"]).toMatchObject({ goldAccuracy: 0, goldPairs: 3 });
    expect(byEmail["reverser@flow.test"]!.weight).toBeLessThan(byEmail["careful@flow.test"]!.weight);
    const disagreeing = await researcher.items.list({ projectId, filter: "disagree" });
    expect(disagreeing.items.map((i) => i.prompt).sort()).toEqual(["G1", "P2"]);
  });

  it("a disagreeing item reaches a reviewer; their ranking is what the export then holds for it", async () => {
    const reviewer = await callerFor(t.db, await makeUser(t.db, "reviewer", "reviewer@flow.test"));
    const queue = await reviewer.reviews.queue({ projectId });
    expect(queue.map((r) => [r.prompt, r.reason]).sort()).toEqual([
      ["G1", "disagreement"],
      ["P2", "disagreement"],
    ]);
    const p2 = queue.find((r) => r.prompt === "P2")!;
    const { item } = await reviewer.reviews.get({ reviewId: p2.id });
    expect(item.rankings.map((r) => r.annotator).sort()).toEqual(["careful@flow.test", "reverser@flow.test"]);
    const id = Object.fromEntries(item.completions.map((c) => [c.text, c.id]));
    // The reviewer writes their own: y best, then x and z tied.
    await reviewer.reviews.resolve({ reviewId: p2.id, ordering: [[id.y!], [id.x!, id.z!]], note: "y is the only correct one" });
    await expect(reviewer.reviews.resolve({ reviewId: p2.id, ordering: [[id.y!], [id.x!, id.z!]] })).rejects.toThrow(/already adjudicated/);

    const records = (await collect(exportRecords(t.db, "rankings", { projectId }))).filter((r) => r.prompt === "P2");
    expect(records).toHaveLength(1);
    const texts = (records[0]!.ranking as number[][]).map((g) => g.map((i) => (records[0]!.completions as string[])[i]).sort());
    expect(texts).toEqual([["y"], ["x", "z"]]);
    expect(records[0]).toMatchObject({ annotator: "reviewer@flow.test", rationale: "y is the only correct one" });
    const pairs = (await collect(exportRecords(t.db, "trl-preference", { projectId, weights: true }))).filter((r) => r.prompt === "P2");
    expect(pairs.map((p) => [p.chosen, p.rejected, p.weight])).toEqual([
      ["y", "x", 1],
      ["y", "z", 1],
    ]);
  });

  it("sending an item back asks for one more annotator; it returns to the queue when new rankings still need review", async () => {
    const admin = await callerFor(t.db, await makeUser(t.db, "admin"));
    const [g1] = await admin.reviews.queue({ projectId });
    expect(g1!.prompt).toBe("G1");
    const r = await admin.reviews.sendBack({ reviewId: g1!.id, extra: 1 });
    expect(r.status).toBe("sent_back");
    expect(await admin.reviews.queue({ projectId })).toEqual([]);
    // A third annotator ranks it: the item comes back, now for the failed gold check (3 annotators agree 2/3 per pair).
    const third = await makeUser(t.db, "annotator", "third@flow.test");
    expect(await rankAll(third.id, () => false, () => 0.1)).toEqual(["G1"]);
    expect((await admin.reviews.queue({ projectId })).map((r) => [r.prompt, r.reason])).toEqual([["G1", "gold"]]);
    // Annotators, researchers and the anonymous cannot review.
    const annotator = await callerFor(t.db, await makeUser(t.db, "annotator"));
    await expect(annotator.reviews.queue({ projectId })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
