// Shared set-up for the trainer's CLI tests: a temp DATABASE_URL + RLHF_HOME, a tiny byte-level base checkpoint,
// demonstrations in a project, and `rlhf(...)` that runs main([...]) capturing what it prints.
import { afterAll, beforeAll } from "vitest";
import path from "node:path";
import { closeDatabase, closeDb, openDb, type Db } from "../../db/index";
import { createTempDb } from "../support/db";
import { importDemonstrations } from "../../server/services/data-import";
import { registerModel } from "../../server/services/models";
import { createProject } from "../../server/services/projects";
import { importPromptRows } from "../../server/services/prompts";
import { initBackend } from "../../trainer/backend/index";
import { saveCheckpoint } from "../../trainer/checkpoint/index";
import { GPT } from "../../trainer/model/gpt";

export const TINY_CONFIG = { vocab_size: 260, n_positions: 96, n_embd: 32, n_layer: 1, n_head: 2, layer_norm_epsilon: 1e-5 };

export interface CliEnv {
  dir: string;
  dbFile: string;
  /** A short-lived connection for arranging and inspecting (the CLI opens its own from DATABASE_URL). */
  withDb<T>(fn: (db: Db) => Promise<T> | T): Promise<T>;
  restore(): Promise<void>;
}

export function cliEnv(prefix: string): CliEnv {
  // A migrated database (a SQLite file, or a fresh PostgreSQL database in a PostgreSQL run) and a folder for RLHF_HOME.
  const temp = createTempDb(prefix);
  void closeDatabase(temp.db);
  const { dir, file: dbFile } = temp;
  const saved = { DATABASE_URL: process.env.DATABASE_URL, RLHF_HOME: process.env.RLHF_HOME, RLHF_QUIET_BACKEND: process.env.RLHF_QUIET_BACKEND };
  process.env.DATABASE_URL = dbFile;
  process.env.RLHF_HOME = dir;
  process.env.RLHF_QUIET_BACKEND = "1";
  return {
    dir,
    dbFile,
    async withDb(fn) {
      const db = openDb(dbFile);
      try {
        return await fn(db);
      } finally {
        await closeDatabase(db);
      }
    },
    async restore() {
      await closeDb();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await temp.close();
    },
  };
}

/** A randomly initialised tiny byte-level GPT checkpoint (seeded). */
export async function makeTinyCheckpoint(dir: string, seed = 1): Promise<string> {
  await initBackend("wasm");
  const model = new GPT(TINY_CONFIG, { seed });
  await saveCheckpoint(dir, model, { tokenizer: "byte" });
  model.dispose();
  return dir;
}

export const WORDS = ["red", "blue", "green", "cat", "dog", "sun", "moon", "tea", "cake", "rain", "snow", "tree"];

/** A project with prompts "Say W." (the last three in the test split) and a demonstration for each. */
export async function seedDemonstrations(db: Db, projectName = "Tiny", words = WORDS): Promise<string> {
  const project = await createProject(db, { name: projectName }, null);
  await importPromptRows(db, project.id, words.map((w, i) => ({ prompt: `Say ${w}.`, split: i >= words.length - 3 ? "test" : "train" })) as never, null);
  const content = words.map((w) => JSON.stringify({ prompt: `Say ${w}.`, completion: `Sure: ${w}, ${w}.` })).join("\n");
  await importDemonstrations(db, { projectId: project.id, content });
  return project.id;
}

export async function registerTiny(db: Db, name: string, dir: string, tokenizer = "byte") {
  return await registerModel(db, { name, kind: "policy", path: dir, tokenizer });
}

export { errorLine, rlhf, type CliResult } from "../support/cli";

/**
 * The common set-up of the worker tests: a CliEnv, the tiny checkpoint registered as `tiny`, a connection for the
 * test, and `arrange` for the file's own data; all made in beforeAll and removed in afterAll. Read `env` and `db`
 * from the returned object inside tests (they fill in at beforeAll).
 */
export function tinyModelDatabase(prefix: string, arrange: (db: Db) => Promise<unknown>): { env: CliEnv; db: Db } {
  const holder = {} as { env: CliEnv; db: Db };
  beforeAll(async () => {
    holder.env = cliEnv(prefix);
    const dir = await makeTinyCheckpoint(path.join(holder.env.dir, "tiny"));
    holder.db = openDb(holder.env.dbFile);
    await arrange(holder.db);
    await registerTiny(holder.db, "tiny", dir);
  });
  afterAll(async () => {
    await closeDatabase(holder.db);
    await holder.env.restore();
  });
  return holder;
}
