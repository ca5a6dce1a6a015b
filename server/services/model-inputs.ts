// Resolves a model a run or command names (a registry name or id, or a checkpoint directory path) to a checkpoint
// directory, and checks that directory cheaply (config.json, safetensors header and size) without loading tfjs, so
// bad input fails before a run is created. The CLI, the web app's run creation and the worker all come here.
import fs from "node:fs";
import path from "node:path";
import type { Db } from "../../db/index";
import { ADAPTER_WEIGHTS_FILE, adapterBaseDir, isAdapterDir, readAdapterConfig } from "./adapters";
import { ensureBuiltinModel } from "./builtin-model";
import { badRequest, notFound } from "./errors";
import { findModel, listModels, modelDir, type ModelKind, type ModelRow } from "./models";
import { TOKENIZER_NAMES } from "./tokenizer-names";


/** A checkpoint directory a run or command reads from, with the registry row it came from (null for a bare path). */
export interface ModelInput {
  row: ModelRow | null;
  /** Absolute checkpoint directory (config.json + model.safetensors, or a PEFT adapter over another). */
  dir: string;
  /** Tokenizer name recorded for the model ('byte' | 'words' | 'gpt2'). */
  tokenizer: string;
  /** Registry name, or the directory for a bare path: for log lines and messages. */
  label: string;
}
const KNOWN_TOKENIZERS: readonly string[] = TOKENIZER_NAMES;

function checkTokenizer(tokenizer: string, label: string): void {
  if (!KNOWN_TOKENIZERS.includes(tokenizer))
    throw badRequest(`model '${label}': unknown tokenizer '${tokenizer}' (this build knows ${KNOWN_TOKENIZERS.join(", ")})`);
}

/** Tokenizer of a bare checkpoint directory: config.json's "rlhf".tokenizer; a plain HF GPT-2 config means gpt2. */
export function tokenizerFromConfig(config: Record<string, unknown>): string {
  const named = (config.rlhf as Record<string, unknown> | undefined)?.tokenizer;
  return typeof named === "string" && named ? named : "gpt2";
}

/**
 * Reads and validates a checkpoint directory's config.json and safetensors header; throws a one-line BAD_REQUEST.
 * A LoRA adapter directory (PEFT's layout) is checked the same way, with its base: the config returned is the base's.
 */
export function checkCheckpointDir(dir: string, label = dir, depth = 0): { config: Record<string, unknown> } {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw badRequest(`model '${label}': checkpoint directory ${dir} does not exist`);
  if (isAdapterDir(dir)) {
    // An adapter over an adapter is fine; a chain that loops back is not.
    if (depth > 16) throw badRequest(`model '${label}': adapters' base_model_name_or_path chain is too deep (a loop?)`);
    const adapter = readAdapterConfig(dir, label);
    checkSafetensors(path.join(dir, ADAPTER_WEIGHTS_FILE), label);
    return checkCheckpointDir(adapterBaseDir(dir, adapter, label), label, depth + 1);
  }
  const configFile = path.join(dir, "config.json");
  if (!fs.existsSync(configFile)) throw badRequest(`model '${label}': ${configFile} is missing`);
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(fs.readFileSync(configFile, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw badRequest(`model '${label}': config.json is not valid JSON (${(err as Error).message})`);
  }
  if (typeof config !== "object" || config === null || Array.isArray(config))
    throw badRequest(`model '${label}': config.json must hold a JSON object`);
  checkSafetensors(path.join(dir, "model.safetensors"), label);
  return { config };
}

/** A safetensors file whose header parses and whose size matches the tensors it declares. */
export function checkSafetensors(file: string, label: string): void {
  const bad = (why: string) => badRequest(`model '${label}': ${path.basename(file)} is corrupt (${why}); re-save or re-import the checkpoint`);
  if (!fs.existsSync(file)) throw badRequest(`model '${label}': ${file} is missing`);
  const size = fs.statSync(file).size;
  if (size < 8) throw bad("file shorter than its 8-byte header length");
  const fd = fs.openSync(file, "r");
  try {
    const lenBuf = Buffer.alloc(8);
    fs.readSync(fd, lenBuf, 0, 8, 0);
    const headerLen = Number(lenBuf.readBigUInt64LE(0));
    if (headerLen <= 0 || 8 + headerLen > size || headerLen > 100 * 1024 * 1024) throw bad("header length out of range");
    const headerBuf = Buffer.alloc(headerLen);
    fs.readSync(fd, headerBuf, 0, headerLen, 8);
    let header: Record<string, { data_offsets?: [number, number] } | unknown>;
    try {
      header = JSON.parse(headerBuf.toString("utf8")) as typeof header;
    } catch {
      throw bad("header is not JSON");
    }
    let end = 0;
    for (const [name, info] of Object.entries(header)) {
      if (name === "__metadata__") continue;
      const offsets = (info as { data_offsets?: unknown }).data_offsets;
      if (!Array.isArray(offsets) || offsets.length !== 2) throw bad(`tensor ${name} has no data_offsets`);
      end = Math.max(end, Number(offsets[1]));
    }
    if (8 + headerLen + end !== size) throw bad(`size ${size} bytes, header declares ${8 + headerLen + end}`);
  } finally {
    fs.closeSync(fd);
  }
}

function looksLikePath(value: string): boolean {
  return value.includes("/") || value.includes(path.sep) || value.startsWith(".");
}

/**
 * A registered model (name or id) or a checkpoint directory. Registered models win over a same-named folder in the
 * working directory; an unknown value that is not a directory gets an error listing a few registered names.
 */
export async function resolveModelInput(
  db: Db,
  value: string,
  opts: { kind?: ModelKind; flag?: string; check?: boolean; registeredOnly?: boolean } = {},
): Promise<ModelInput> {
  const flag = opts.flag ?? "--model";
  // Every model lookup goes through here, so the shipped base policy is registered before the first one.
  await ensureBuiltinModel(db);
  const row = looksLikePath(value) ? undefined : await findModel(db, value);
  if (row) {
    // An endpoint has no weights here: it can be sampled (sample runs, the playground) but never trained or loaded.
    if (row.source === "endpoint")
      throw badRequest(`${flag} ${value}: '${row.name}' is an endpoint model (served elsewhere); it can be sampled but not trained or loaded here: pick a checkpoint of ours`);
    if (opts.kind && row.kind !== opts.kind)
      throw badRequest(`${flag} ${value}: '${row.name}' is a ${row.kind} model, but a ${opts.kind} model is needed here`);
    const dir = modelDir(row);
    if (opts.check !== false) {
      const { config } = checkCheckpointDir(dir, row.name);
      checkTokenizer(row.tokenizer, row.name);
      checkTokenizer(tokenizerFromConfig(config), row.name);
    }
    return { row, dir, tokenizer: row.tokenizer, label: row.name };
  }
  const dir = path.resolve(value);
  // The browser may only name registered models: a path from a web form must not open server directories.
  if (!opts.registeredOnly && fs.existsSync(dir) && fs.statSync(dir).isDirectory()) {
    const byPath = (await listModels(db)).find((m) => m.source === "local" && path.resolve(modelDir(m)) === dir);
    if (byPath) return await resolveModelInput(db, byPath.id, opts);
    const { config } = checkCheckpointDir(dir, value);
    const tokenizer = tokenizerFromConfig(config);
    checkTokenizer(tokenizer, value);
    return { row: null, dir, tokenizer, label: value };
  }
  const names = (await listModels(db)).slice(0, 5).map((m) => m.name);
  const hint = names.length ? `registered: ${names.join(", ")}${names.length === 5 ? ", …" : ""}` : "no models are registered yet";
  const what = opts.registeredOnly ? "no registered model" : "no such model or checkpoint directory";
  throw notFound(`${flag} ${value}: ${what} (${hint}; see 'rlhf models list')`);
}
