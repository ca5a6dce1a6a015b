// The model registry: policies and reward models with their parent, run and checkpoint directory.
import path from "node:path";
import { desc, eq, or } from "drizzle-orm";
import type { Db } from "../../db/index";
import { models } from "../../db/schema";
import { dataHome } from "../../db/paths";
import { conflict, notFound } from "./errors";
import { MODEL_NAME_RE, MODEL_NAME_RULE } from "./model-names";

export type ModelRow = typeof models.$inferSelect;
export type ModelKind = ModelRow["kind"];

export interface NewModel {
  name: string;
  kind: ModelKind;
  /** Checkpoint directory: absolute, or relative to RLHF_HOME. */
  path: string;
  tokenizer: string;
  parentId?: string | null;
  runId?: string | null;
  config?: Record<string, unknown>;
}

export function assertModelName(name: string): void {
  if (!MODEL_NAME_RE.test(name)) throw conflict(`model name '${name}' is not allowed: use ${MODEL_NAME_RULE}`);
}

export function registerModel(db: Db, input: NewModel): ModelRow {
  assertModelName(input.name);
  if (findModel(db, input.name)) throw conflict(`a model named '${input.name}' already exists; pick another --name`);
  return db
    .insert(models)
    .values({
      name: input.name,
      kind: input.kind,
      path: input.path,
      tokenizer: input.tokenizer,
      parentId: input.parentId ?? null,
      runId: input.runId ?? null,
      config: input.config ?? {},
    })
    .returning()
    .get();
}

/** A model by name or id, or undefined. */
export function findModel(db: Db, nameOrId: string): ModelRow | undefined {
  return db
    .select()
    .from(models)
    .where(or(eq(models.name, nameOrId), eq(models.id, nameOrId)))
    .get();
}

/** A model by name or id, or a NOT_FOUND error that says how to list them. */
export function resolveModel(db: Db, nameOrId: string, kind?: ModelKind): ModelRow {
  const model = findModel(db, nameOrId);
  if (!model) throw notFound(`no model named '${nameOrId}'; 'rlhf models list' shows the registered models`);
  if (kind && model.kind !== kind)
    throw conflict(`model '${model.name}' is a ${model.kind} model, but a ${kind} model is needed here`);
  return model;
}

export function listModels(db: Db): ModelRow[] {
  return db.select().from(models).orderBy(desc(models.createdAt)).all();
}

/** The checkpoint directory as an absolute path (registry paths may be relative to RLHF_HOME). */
export function modelDir(model: Pick<ModelRow, "path">, env: NodeJS.ProcessEnv = process.env): string {
  return path.isAbsolute(model.path) ? model.path : path.join(dataHome(env), model.path);
}

/** `base`, then `base-2`, `base-3`… : the first name not yet registered. */
export function uniqueModelName(db: Db, base: string): string {
  if (!findModel(db, base)) return base;
  for (let i = 2; ; i++) if (!findModel(db, `${base}-${i}`)) return `${base}-${i}`;
}
