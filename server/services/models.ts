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

export async function registerModel(db: Db, input: NewModel): Promise<ModelRow> {
  assertModelName(input.name);
  if (await findModel(db, input.name)) throw conflict(`a model named '${input.name}' already exists; pick another --name`);
  return (await db
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
    .returning())[0];
}

/** A model by name or id, or undefined. */
export async function findModel(db: Db, nameOrId: string): Promise<ModelRow | undefined> {
  return (await db
    .select()
    .from(models)
    .where(or(eq(models.name, nameOrId), eq(models.id, nameOrId))))[0];
}

/** A model by name or id, or a NOT_FOUND error that says how to list them. */
export async function resolveModel(db: Db, nameOrId: string, kind?: ModelKind): Promise<ModelRow> {
  const model = await findModel(db, nameOrId);
  if (!model) throw notFound(`no model named '${nameOrId}'; 'rlhf models list' shows the registered models`);
  if (kind && model.kind !== kind)
    throw conflict(`model '${model.name}' is a ${model.kind} model, but a ${kind} model is needed here`);
  return model;
}

export async function listModels(db: Db): Promise<ModelRow[]> {
  return await db.select().from(models).orderBy(desc(models.createdAt));
}

/** The checkpoint directory as an absolute path (registry paths may be relative to RLHF_HOME). */
export function modelDir(model: Pick<ModelRow, "path">, env: NodeJS.ProcessEnv = process.env): string {
  return path.isAbsolute(model.path) ? model.path : path.join(dataHome(env), model.path);
}

/** `base`, then `base-2`, `base-3`… : the first name not yet registered. */
export async function uniqueModelName(db: Db, base: string): Promise<string> {
  if (!await findModel(db, base)) return base;
  for (let i = 2; ; i++) if (!await findModel(db, `${base}-${i}`)) return `${base}-${i}`;
}
