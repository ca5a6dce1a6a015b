// The review queue is refreshed (a read of every ranking of the project) only when what decides it changed: new
// rankings, gold items or the project's review threshold; reading it again with nothing new does no refresh.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { projects, rankings } from "../../db/schema";
import * as quality from "../../server/services/quality";
import { createTempDb, type TempDb } from "../support/db";
import { buildExportFixture } from "../support/export-fixture";
import { eq } from "drizzle-orm";
import { callerFor, makeUser, type Caller } from "./helpers";

let t: TempDb;
let reviewer: Caller;

beforeAll(async () => {
  t = createTempDb("rlhf-review-refresh-");
  await buildExportFixture(t.db);
  reviewer = await callerFor(t.db, await makeUser(t.db, "reviewer"));
});
afterAll(() => t.close());

describe("the review queue", () => {
  it("follows the threshold and new rankings, and reads the rankings again only when one of them changed", async () => {
    const reads = vi.spyOn(quality, "qualityReport");
    const prompts = async () => (await reviewer.reviews.queue({ projectId: "proj-a" })).map((r) => r.promptId).sort();
    // p1's three annotators agree 0.89: above the default threshold (0.5).
    expect(await prompts()).not.toContain("p1");
    expect(await prompts()).not.toContain("p1");
    expect(reads).toHaveBeenCalledTimes(1);
    await t.db.update(projects).set({ reviewBelow: 0.9 }).where(eq(projects.id, "proj-a"));
    expect(await prompts()).toContain("p1");
    expect(reads).toHaveBeenCalledTimes(2);
    // New rankings (two annotators who disagree) are read on the next look.
    await t.db.insert(rankings).values([
      { promptId: "p3", userId: "u-alice", ordering: [["c3b"], ["c3a"]] },
      { promptId: "p3", userId: "u-bob", ordering: [["c3a"], ["c3b"]] },
    ]);
    expect(await prompts()).toContain("p3");
    expect(reads).toHaveBeenCalledTimes(3);
    reads.mockRestore();
  });
});
