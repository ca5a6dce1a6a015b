// Every tRPC procedure × every role (and no session), generated from the router itself: a procedure missing
// from the expected table fails the test, so none can ship without a decision about who may call it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../server/routers/_app";
import { updateUser } from "../../server/services/users";
import { createTempDb, type TempDb } from "../support/db";
import { callerFor, makeUser, outcome, type Caller } from "./helpers";

type Audience = "public" | "signed-in" | "annotator" | "researcher" | "reviewer" | "admin";

/** Who may call what. Admins may call everything; "annotator"/"researcher"/"reviewer" include admins. */
const EXPECTED: Record<string, Audience> = {
  "users.me": "signed-in",
  "users.list": "admin",
  "users.create": "admin",
  "users.update": "admin",
  "users.resetPassword": "admin",
  "users.changePassword": "signed-in",
  "users.signInLimits": "admin",
  "users.clearSignInLimit": "admin",
  "projects.list": "signed-in",
  "projects.get": "signed-in",
  "projects.create": "admin",
  "projects.update": "admin",
  "prompts.import": "admin",
  "prompts.importStatus": "admin",
  "prompts.list": "researcher",
  "tasks.next": "annotator",
  "tasks.get": "annotator",
  "tasks.skip": "annotator",
  "demonstrations.saveDraft": "annotator",
  "demonstrations.submit": "annotator",
  "rankings.submit": "annotator",
  "stats.mine": "annotator",
  "stats.projectProgress": "researcher",
  "stats.quality": "researcher",
  "gold.import": "admin",
  "items.list": "researcher",
  "items.get": "researcher",
  "reviews.queue": "reviewer",
  "reviews.get": "reviewer",
  "reviews.resolve": "reviewer",
  "reviews.sendBack": "reviewer",
  "audit.list": "admin",
  "runs.list": "researcher",
  "runs.get": "researcher",
  "runs.create": "admin",
  "runs.cancel": "admin",
  "models.list": "researcher",
  "models.winRates": "researcher",
  "models.leaderboard": "researcher",
  "models.addEndpoint": "admin",
  "runs.samples": "researcher",
  "playground.generate": "researcher",
  "playground.get": "researcher",
  "tokens.mine": "researcher",
  "tokens.create": "researcher",
  "tokens.revoke": "researcher",
  "exports.start": "researcher",
  "exports.get": "researcher",
  "exports.mine": "researcher",
  "exports.cancel": "researcher",
};

const CALLERS = ["anonymous", "annotator", "researcher", "reviewer", "admin", "disabled annotator"] as const;
type CallerName = (typeof CALLERS)[number];

function allowed(audience: Audience, who: CallerName): boolean {
  if (audience === "public") return true;
  if (who === "anonymous" || who === "disabled annotator") return false;
  if (audience === "signed-in" || who === "admin") return true;
  return audience === who;
}

function expectedOutcome(audience: Audience, who: CallerName): "allowed" | "UNAUTHORIZED" | "FORBIDDEN" {
  if (allowed(audience, who)) return "allowed";
  return who === "anonymous" || who === "disabled annotator" ? "UNAUTHORIZED" : "FORBIDDEN";
}

const procedurePaths = Object.keys(appRouter._def.procedures).sort();

describe("role matrix", () => {
  let t: TempDb;
  const callers = {} as Record<CallerName, Caller>;

  beforeAll(async () => {
    t = createTempDb();
    callers.anonymous = await callerFor(t.db, null);
    for (const role of ["annotator", "researcher", "reviewer", "admin"] as const) callers[role] = await callerFor(t.db, await makeUser(t.db, role));
    const disabled = await makeUser(t.db, "annotator");
    await updateUser(t.db, { id: disabled.id, disabled: true }, null);
    callers["disabled annotator"] = await callerFor(t.db, disabled);
  });
  afterAll(() => t.close());

  it("has an expected audience for every procedure, and none for procedures that do not exist", () => {
    expect(procedurePaths.filter((p) => !(p in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((p) => !procedurePaths.includes(p))).toEqual([]);
  });

  for (const path of procedurePaths) {
    for (const who of CALLERS) {
      const audience = EXPECTED[path] ?? "admin";
      const want = expectedOutcome(audience, who);
      it(`${path} as ${who}: ${want}`, async () => {
        // Input is deliberately empty: role checks run before input validation, so an allowed caller gets
        // a result or BAD_REQUEST/NOT_FOUND, never FORBIDDEN or UNAUTHORIZED.
        const fn = path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], callers[who]) as (input?: unknown) => Promise<unknown>;
        const got = await outcome(fn({}));
        if (want === "allowed") expect(["UNAUTHORIZED", "FORBIDDEN"]).not.toContain(got);
        else expect(got).toBe(want);
      });
    }
  }
});
