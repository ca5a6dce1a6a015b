// One way to create a run: the same run asked for through tRPC (the browser) and through `rlhf train --queue` (the
// CLI) is the same row, for every run kind, and the same bad input is refused by both with the same sentence.
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, openDb, type Db } from "../../db/index";
import { completions, prompts, runs } from "../../db/schema";
import { updateProject } from "../../server/services/projects";
import { openRankTask } from "../../server/services/task-queue";
import { importRankings } from "../../server/services/data-import";
import { registerModel } from "../../server/services/models";
import { RUN_KIND_DESCRIPTORS, TRAINING_KINDS, type RunKind } from "../../server/services/run-kinds/index";
import { callerFor, makeUser, type Caller } from "./helpers";
import { cliEnv, errorLine, makeTinyCheckpoint, registerTiny, rlhf, seedDemonstrations, type CliEnv } from "./trainer-fixtures";

let env: CliEnv;
let db: Db;
let admin: Caller;

/** A small non-default config per kind, so the comparison covers the user's keys and the defaults filled in. */
const CONFIGS: Partial<Record<RunKind, Record<string, unknown>>> = {
  sft: { max_steps: 7, learning_rate: 3e-4 },
  reward: { num_train_epochs: 1, batch_size: 2 },
  ppo: { max_steps: 2, batch_size: 4, mini_batch_size: 2, beta: 0.2 },
  grpo: { max_steps: 2, batch_size: 8, num_generations: 4, beta: 0.1 },
  rloo: { max_steps: 2, batch_size: 4, num_generations: 2, normalize_advantages: true },
  dpo: { max_steps: 3, beta: 0.2, loss_type: "ipo" },
  score: { project: "Tiny", batch_size: 8 },
};

beforeAll(async () => {
  env = cliEnv("rlhf-parity-");
  const dir = await makeTinyCheckpoint(path.join(env.dir, "tiny"));
  db = openDb(env.dbFile);
  const projectId = await seedDemonstrations(db);
  await registerTiny(db, "tiny", dir);
  await registerModel(db, { name: "tiny-rm", kind: "reward", path: dir, tokenizer: "byte" });
  await importRankings(db, { projectId, content: [JSON.stringify({ prompt: "Say red.", chosen: "red", rejected: "blue" })].join("\n") });
  // A score run needs a project that selects by score and has an open ranking task.
  await updateProject(db, { id: projectId, selection: "uncertain" }, null);
  const red = (await db.select().from(prompts).where(eq(prompts.text, "Say red.")))[0]!;
  await openRankTask(db, { projectId, promptId: red.id, completionIds: (await db.select().from(completions).where(eq(completions.promptId, red.id))).map((c) => c.id) });
  admin = await callerFor(db, await makeUser(db, "admin"));
});
afterAll(async () => {
  await closeDatabase(db);
  await env.restore();
});

const row = async (id: string) => (await db.select().from(runs).where(eq(runs.id, id)))[0]!;

/** The parts of a run row that say what will be trained, and from what. */
const what = async (id: string) => {
  const r = await row(id);
  return { kind: r.kind, status: r.status, config: r.config, baseModelId: r.baseModelId, rewardModelId: r.rewardModelId, workerId: r.workerId };
};

function configFile(kind: RunKind, config: Record<string, unknown>): string {
  const file = path.join(env.dir, `${kind}.json`);
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

describe("a run created through tRPC and through the CLI", () => {
  it.each(TRAINING_KINDS)("%s: identical rows (config with defaults, models, status)", async (kind) => {
    const d = RUN_KIND_DESCRIPTORS[kind];
    const reward = d.needsReward ? "tiny-rm" : undefined;
    const web = await admin.runs.create({ kind, baseModel: "tiny", rewardModel: reward, name: `${kind}-web`, config: CONFIGS[kind]! });
    const cli = await rlhf("train", d.cliVerb, "--base", "tiny", ...(reward ? ["--reward", reward] : []), "--config", configFile(kind, CONFIGS[kind]!), "--name", `${kind}-cli`, "--queue", "--json");
    expect(cli.code, cli.err).toBe(0);
    // A kind that makes no model (score) has no output name.
    expect(cli.json).toMatchObject({ ok: true, kind, status: "queued", queued: true, model: d.outputKind ? `${kind}-cli` : null });
    expect(await what(cli.json!.run_id)).toEqual(await what(web.id));
    expect((await row(web.id)).config).toMatchObject(CONFIGS[kind]!);
    expect((await row(web.id)).name).toBe(d.outputKind ? `${kind}-web` : null);
  });

  it("names unnamed outputs by one rule, skipping names that queued runs claim", async () => {
    const web = await admin.runs.create({ kind: "sft", baseModel: "tiny", config: {} });
    const cli = await rlhf("train", "sft", "--base", "tiny", "--queue", "--json");
    expect([web.name, cli.json!.model]).toEqual(["tiny-sft", "tiny-sft-2"]);
    const named = await rlhf("train", "sft", "--base", "tiny", "--name", "tiny-sft", "--queue", "--json");
    expect(named.json!.error).toBe("a model or an unfinished run already uses the name 'tiny-sft'; pick another name");
  });

  it.each([
    [{ lr: 1e-3 }, "sft config: unknown key 'lr'; did you mean 'learning_rate'?"],
    [{ batch_size: 0 }, "sft config: batch_size must be at least 1 (got 0)"],
    [{ _base_dir: "/etc" }, "sft config: key '_base_dir' is reserved; remove it"],
  ])("refuses %j with the same sentence, creating nothing", async (config, message) => {
    const before = (await db.select().from(runs)).length;
    await expect(admin.runs.create({ kind: "sft", baseModel: "tiny", config })).rejects.toThrow(message);
    const cli = await rlhf("train", "sft", "--base", "tiny", "--config", configFile("sft", config), "--queue", "--json");
    expect(cli.code).toBe(2);
    expect(errorLine(cli)).toBe(`rlhf: ${message}`);
    expect((await db.select().from(runs)).length).toBe(before);
  });
});
