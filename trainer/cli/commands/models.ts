// `rlhf models list | import-hf | merge | show | leaderboard`: the model registry, and how each model fares in human
// rankings. An imported HF GPT-2 checkpoint is loaded once (names, shapes and dtypes proven) before it is copied
// under RLHF_HOME and registered; a LoRA adapter model merges into a plain HF checkpoint of its own.
import fs from "node:fs";
import path from "node:path";
import { getDb } from "../../../db/index";
import { dataHome } from "../../../db/paths";
import { describeEndpoint, endpointOf, registerEndpoint } from "../../../server/services/endpoints";
import { checkCheckpointDir } from "../../../server/services/model-inputs";
import { modelWinRates, projectLeaderboard, winRateJson } from "../../../server/services/leaderboard";
import { ADAPTER_CONFIG_FILE, adapterBaseDir, isAdapterDir, readAdapterConfig } from "../../../server/services/adapters";
import { assertModelName, findModel, listModels, modelDir, registerModel } from "../../../server/services/models";
import { CliError, UsageError } from "../args";
import { fmt, iso, projectByName, registryDb, table } from "../shared";
import type { Command, Handler } from "../types";

const modelsList: Handler = async (args) => {
  args.assertAllUsed();
  const db = await registryDb();
  const rows = await listModels(db);
  const byId = new Map(rows.map((m) => [m.id, m.name]));
  const models = rows.map((m) => ({
    id: m.id,
    name: m.name,
    kind: m.kind,
    // A LoRA run's output: an adapter over its parent, loaded as parent + adapter everywhere.
    adapter: (m.config as Record<string, unknown> | null)?.adapter === true,
    parent: m.parentId ? (byId.get(m.parentId) ?? m.parentId) : null,
    run_id: m.runId,
    source: m.source,
    tokenizer: m.tokenizer,
    path: m.path,
    // Where an endpoint lives and the NAME of its key's variable; the key itself is never stored.
    endpoint: endpointOf(m),
    created_at: iso(m.createdAt),
  }));
  const text = models.length
    ? table([["NAME", "KIND", "PARENT", "SOURCE", "ID"], ...models.map((m) => [m.name, m.adapter ? `${m.kind} (lora)` : m.kind, m.parent ?? "-", m.endpoint ? describeEndpoint(m.endpoint) : `local (${m.tokenizer})`, m.id])])
    : "no models registered (the built-in 'base' is registered at first start; 'rlhf models import-hf DIR --name N' adds one)";
  return { json: { models }, text };
};

const modelsImportHf: Handler = async (args, io) => {
  const dir = path.resolve(args.positional(0, "DIR (an HF GPT-2 checkpoint directory)"));
  const name = args.string("name", { required: true });
  args.assertAllUsed();
  const db = getDb();
  assertModelName(name);
  if (await findModel(db, name)) throw new CliError(`a model named '${name}' already exists; pick another --name`);
  checkCheckpointDir(dir, name);
  // Loading proves the tensors match the config (names, shapes, dtypes) before anything is copied or registered.
  const { loadCheckpoint } = await import("../../checkpoint/index");
  const loaded = await (async () => {
    try {
      return await loadCheckpoint(dir);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  })();
  // A PEFT adapter is imported as an adapter model over its base (registered as its parent when the base is).
  const adapterBase = isAdapterDir(dir) ? adapterBaseDir(dir, readAdapterConfig(dir, name), name) : null;
  const parent = adapterBase ? (await listModels(db)).find((m) => path.resolve(modelDir(m)) === path.resolve(adapterBase)) : undefined;
  const summary = { ...loaded.config, n_params: loaded.model.numParams(), imported_from: dir, head: loaded.headKind, ...(adapterBase ? { adapter: true, base_model: parent?.name ?? adapterBase } : {}) };
  const tokenizer = loaded.tokenizer;
  const kind = loaded.headKind === "reward" ? "reward" : "policy";
  loaded.model.dispose();
  loaded.head?.dispose();
  for (const t of loaded.extraTensors.values()) t.dispose();

  const rel = path.join("models", name);
  const target = path.join(dataHome(), rel);
  if (fs.existsSync(target)) throw new CliError(`${target} already exists; remove it or pick another --name`);
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    // Only what a checkpoint is made of: weights, configs and optional tokenizer files (not other large files).
    for (const f of fs.readdirSync(dir)) {
      if (/^(config\.json|model\.safetensors|optimizer\.safetensors|adapter_config\.json|adapter_model\.safetensors|generation_config\.json|tokenizer.*|vocab\.json|merges\.txt|special_tokens_map\.json)$/.test(f))
        fs.copyFileSync(path.join(dir, f), path.join(tmp, f));
    }
    if (adapterBase) {
      // The copy lives elsewhere: a relative base path would no longer point at the base.
      const file = path.join(tmp, ADAPTER_CONFIG_FILE);
      fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, "utf8")), base_model_name_or_path: path.resolve(adapterBase) }, null, 2) + "\n");
    }
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  try {
    const model = await registerModel(db, { name, kind, path: rel, tokenizer, parentId: parent?.id ?? null, config: summary });
    io.log(`copied ${dir} to ${target}`);
    return {
      json: { model: model.name, model_id: model.id, kind, tokenizer, path: target, n_params: summary.n_params },
      text: `registered ${kind} model '${model.name}' (${summary.n_params} parameters, tokenizer ${tokenizer}) from ${dir}`,
    };
  } catch (err) {
    fs.rmSync(target, { recursive: true, force: true });
    throw err;
  }
};

const modelsMerge: Handler = async (args, io) => {
  const source = args.positional(0, "NAME (a registered LoRA adapter model)");
  const name = args.string("name", { required: true });
  args.assertAllUsed();
  const db = getDb();
  assertModelName(name);
  if (await findModel(db, name)) throw new CliError(`a model named '${name}' already exists; pick another --name`);
  const row = await findModel(db, source);
  if (!row) throw new CliError(`no model named '${source}'; 'rlhf models list' shows the registered models`);
  const dir = modelDir(row);
  if (!isAdapterDir(dir)) throw new CliError(`model '${row.name}' is a full checkpoint, not a LoRA adapter: there is nothing to merge`);
  checkCheckpointDir(dir, row.name);
  const rel = path.join("models", name);
  const target = path.join(dataHome(), rel);
  if (fs.existsSync(target)) throw new CliError(`${target} already exists; remove it or pick another --name`);
  const [{ initBackend }, { loadCheckpoint, saveCheckpoint }] = await Promise.all([import("../../backend/index"), import("../../checkpoint/index")]);
  await initBackend();
  // Loading an adapter directory loads its base and merges the adapter in (W += A·B·alpha/r).
  const loaded = await (async () => {
    try {
      return await loadCheckpoint(dir);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  })();
  const { adapter, ...meta } = loaded.meta;
  try {
    await saveCheckpoint(target, loaded.model, {
      tokenizer: loaded.tokenizer,
      head: loaded.head && loaded.headKind ? { kind: loaded.headKind, module: loaded.head } : undefined,
      extraTensors: loaded.extraTensors,
      meta: { ...meta, merged_from: row.name },
    });
  } finally {
    loaded.model.dispose();
    loaded.head?.dispose();
    for (const t of loaded.extraTensors.values()) t.dispose();
  }
  try {
    const { adapter: _a, lora: _l, n_trainable_params: _n, ...config } = row.config as Record<string, unknown>;
    const model = await registerModel(db, { name, kind: row.kind, path: rel, tokenizer: row.tokenizer, parentId: row.id, config: { ...config, merged_from: row.name, merged_adapter: adapter ?? null } });
    io.log(`wrote ${target}`);
    return {
      json: { model: model.name, model_id: model.id, kind: model.kind, parent: row.name, path: target },
      text: `merged adapter '${row.name}' into its base: registered ${model.kind} model '${model.name}' (${target})`,
    };
  } catch (err) {
    fs.rmSync(target, { recursive: true, force: true });
    throw err;
  }
};

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

function winRatesTable(rates: ReturnType<typeof winRateJson>[]): string {
  return table([
    ["AGAINST", "WINS", "LOSSES", "TIES", "WIN RATE", "95% CI"],
    ...rates.map((r) => [r.against, String(r.wins), String(r.losses), String(r.ties), percent(r.win_rate), `${percent(r.ci_low)}–${percent(r.ci_high)}`]),
  ]);
}

const WIN_RATE_NOTE = "win rate = (wins + ties/2) / comparisons; 95% Wilson interval";

const modelsShow: Handler = async (args) => {
  const name = args.positional(0, "NAME (a registered model, or a model name from imported completions)");
  const projectName = args.string("project");
  args.assertAllUsed();
  const db = await registryDb();
  const project = projectName ? await projectByName(db, projectName) : undefined;
  const model = await findModel(db, name);
  let rates;
  try {
    rates = (await modelWinRates(db, model?.name ?? name, project?.id)).map(winRateJson);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const parent = model?.parentId ? (await listModels(db)).find((m) => m.id === model.parentId)?.name ?? null : null;
  const json = {
    name: model?.name ?? name,
    registered: !!model,
    id: model?.id ?? null,
    kind: model?.kind ?? null,
    source: model?.source ?? "external",
    parent,
    run_id: model?.runId ?? null,
    tokenizer: model?.tokenizer ?? null,
    path: model?.path ?? null,
    created_at: iso(model?.createdAt),
    project: project?.name ?? null,
    win_rates: rates,
  };
  const head = model ? `${model.name}: ${model.kind} model${parent ? ` from ${parent}` : ""}, tokenizer ${model.tokenizer}` : `${name}: an external model (named in imported completions)`;
  const body = rates.length ? `${winRatesTable(rates)}\n${WIN_RATE_NOTE}` : "no human ranking has compared its completions with another model's yet";
  return { json, text: `${head}\n${body}` };
};

const modelsLeaderboard: Handler = async (args) => {
  const project = args.string("project", { required: true });
  args.assertAllUsed();
  const db = await registryDb();
  const p = await projectByName(db, project);
  const rows = await projectLeaderboard(db, p.id);
  const json = {
    project: p.name,
    models: rows.map((r) => ({
      name: r.name,
      registered: r.registered,
      rating: r.rating,
      rating_low: r.ratingLow,
      rating_high: r.ratingHigh,
      comparisons: r.comparisons,
      win_rates: r.winRates.map(winRateJson),
    })),
  };
  const text = rows.length
    ? `${table([
        ["MODEL", "RATING", "95% CI", "COMPARISONS", ""],
        ...rows.map((r) => [r.name, fmt(Math.round(r.rating)), `${Math.round(r.ratingLow)}–${Math.round(r.ratingHigh)}`, String(r.comparisons), r.registered ? "" : "external"]),
      ])}\nBradley–Terry ratings (1000 + 400·log10(e)·θ, Newton fit, 95% interval from the Hessian); ${WIN_RATE_NOTE}`
    : `no ranking in '${p.name}' has compared two models' completions yet`;
  return { json, text };
};

const modelsAddEndpoint: Handler = async (args) => {
  const name = args.string("name", { required: true });
  const baseUrl = args.string("base-url", { required: true });
  const model = args.string("model", { required: true });
  const apiKeyEnv = args.string("api-key-env");
  const chat = args.bool("chat");
  const completions = args.bool("completions");
  args.assertAllUsed();
  if (chat && completions) throw new UsageError("give one of --chat (the default: /v1/chat/completions) or --completions (/v1/completions)");
  const row = await registerEndpoint(await registryDb(), { name, baseUrl, model, apiKeyEnv, api: completions ? "completions" : "chat" });
  const e = endpointOf(row)!;
  return {
    json: { model: row.name, model_id: row.id, kind: row.kind, source: row.source, endpoint: e },
    text: `registered endpoint policy '${row.name}': ${describeEndpoint(e)}`,
  };
};

export const commands: Command[] = [
  { name: "models list", usage: "rlhf models list", run: modelsList },
  { name: "models import-hf", usage: "rlhf models import-hf DIR --name N", run: modelsImportHf },
  {
    name: "models merge",
    usage: "rlhf models merge NAME --name OUT",
    help: "Merges a LoRA adapter model (a use_peft run's output) into its base and registers the result as a plain HF checkpoint.",
    run: modelsMerge,
  },
  {
    name: "models show",
    usage: "rlhf models show NAME [--project P]",
    help: `A model (registered, or a name from imported completions) and its win rate against each model its completions met in human rankings, its parent first (${WIN_RATE_NOTE}).`,
    run: modelsShow,
  },
  {
    name: "models leaderboard",
    usage: "rlhf models leaderboard --project P",
    help: "Every model whose completions met another's in the project's rankings: a Bradley–Terry rating with its 95% interval, and win rates against each other model.",
    run: modelsLeaderboard,
  },
  {
    name: "models add-endpoint",
    usage: "rlhf models add-endpoint --name N --base-url URL --model M [--api-key-env VAR] [--chat|--completions]",
    help: "Registers a policy served behind an OpenAI-compatible API (vLLM, TGI, Ollama, llama.cpp, a hosted API). --api-key-env names the variable holding the key, read at each call; the key is never stored.",
    run: modelsAddEndpoint,
  },
];
