// Trains the built-in base policy from scratch on the generated assistant corpus and writes its checkpoint to
// trainer/builtin/base (config.json + model.safetensors), after learning the word tokenizer's vocabulary from the same
// corpus (trainer/tokenizer/words-vocab.json). Deterministic: fixed seeds, fixed corpus, wasm backend.
//
//   node trainer/bin/run-ts.mjs scripts/make-base-model.ts [--out DIR] [--steps N] [--backend wasm|cpu]
//
// The corpus comes from trainer/builtin/topics.ts plus db/seed/prompts.jsonl (its sha256 is recorded in the
// checkpoint's config.json under rlhf.builtin, with every training setting), so the same inputs give the same weights.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { initBackend } from "../trainer/backend/index";
import { generateCorpus } from "../trainer/builtin/corpus";
import { BUILTIN_MODEL_CONFIG, BUILTIN_MODEL_DIR } from "../trainer/builtin/paths";
import { saveCheckpoint } from "../trainer/checkpoint/index";
import { ProgressBar } from "../trainer/runs/progress";
import type { TokenizedExample } from "../trainer/data/collate";
import { holdOut } from "../trainer/data/loader";
import { generate } from "../trainer/generate/index";
import { GPT } from "../trainer/model/gpt";
import { parseRunConfig } from "../server/services/run-kinds/index";
import { trainSFT } from "../trainer/sft/trainer";
import { buildExample, buildPrompt, decodeResponse, learnWordVocab, PROMPT_PREFIX, PROMPT_SUFFIX, WordTokenizer } from "../trainer/tokenizer/index";
import { WORDS_VOCAB_FILE } from "../trainer/tokenizer/words";

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const RECIPE = {
  corpusSeed: 20261121, // fixes which prompts, replies and styles the corpus holds
  templatePairs: 12000, // generated pairs; ~1.4M bytes, enough variety that the model cannot just memorise a few
  repliesPerSeedPrompt: 8, // only for seed prompts the templates do not already produce
  maxReplyChars: 160, // short replies: every example fits the context, and training stays within minutes
  modelSeed: 7, // weight init
  evalExamples: 256, // held-out pairs for eval/loss
};

const TRAIN = {
  learning_rate: 3e-3, // from scratch a tiny model tolerates (and needs) a far higher rate than fine-tuning
  batch_size: 16, // word tokens make a sequence ~37 tokens, so 16 of them are still a small step (~600 tokens)
  max_steps: Number(flag("steps", "2400")), // ~3 passes over the corpus
  warmup_ratio: 0.02,
  lr_scheduler_type: "cosine",
  min_lr_ratio: 0.1, // keep learning a little at the end instead of stalling at 0
  adam_beta2: 0.99, // nanoGPT's choice for small character models: faster-adapting second moments
  weight_decay: 0.01,
  eval_steps: 200,
  eval_batch_size: 32,
  group_by_length: true, // similar lengths per batch: far less padding, far less wasted compute
  seed: 11,
  logging_steps: 25,
  load_best_model_at_end: false, // the corpus is generated and plentiful: the last weights are the best
};

async function main(): Promise<void> {
  const out = path.resolve(flag("out", BUILTIN_MODEL_DIR));
  const backend = await initBackend(flag("backend", "wasm"));
  const started = Date.now();

  const seedFile = path.resolve("db/seed/prompts.jsonl");
  const seedText = fs.existsSync(seedFile) ? fs.readFileSync(seedFile, "utf8") : "";
  const seedPrompts = seedText.split("\n").filter((l) => l.trim()).map((l) => String((JSON.parse(l) as { prompt: string }).prompt));
  const corpus = generateCorpus({
    seed: RECIPE.corpusSeed,
    templatePairs: RECIPE.templatePairs,
    seedPrompts,
    repliesPerSeedPrompt: RECIPE.repliesPerSeedPrompt,
    maxReplyChars: RECIPE.maxReplyChars,
  });

  // The vocabulary is every word piece of the corpus as the chat template encodes it, so every prompt and reply of
  // the corpus is whole-word tokens and no byte fallback is ever trained into a reply.
  const vocab = learnWordVocab(corpus.flatMap((p) => [PROMPT_PREFIX + p.prompt + PROMPT_SUFFIX, " " + p.reply]));
  fs.writeFileSync(WORDS_VOCAB_FILE, JSON.stringify(vocab, null, 0) + "\n");
  const tok = new WordTokenizer(vocab);
  const modelConfig = { ...BUILTIN_MODEL_CONFIG, vocab_size: tok.vocabSize };
  console.log(`vocabulary: ${vocab.length} word pieces (+ 256 bytes and 4 specials) -> ${WORDS_VOCAB_FILE}`);
  // Pretraining-style: every token after the first carries loss (prompts teach spelling and words too).
  const examples: TokenizedExample[] = corpus
    .map((p) => buildExample(tok, p.prompt, p.reply))
    .filter((e) => e.ids.length <= modelConfig.n_positions)
    .map((e) => ({ ids: e.ids, responseMask: e.ids.map(() => 1) }));
  const split = holdOut(examples, RECIPE.evalExamples / examples.length, RECIPE.corpusSeed);
  const bytes = examples.reduce((n, e) => n + e.ids.length, 0);
  console.log(`corpus: ${corpus.length} pairs, ${examples.length} within context, ${bytes} tokens; seed prompts: ${seedPrompts.length}`);

  const model = new GPT(modelConfig, { seed: RECIPE.modelSeed });
  console.log(`model: ${model.numParams()} parameters, backend ${backend}`);
  const config = parseRunConfig("sft", TRAIN);
  const bar = new ProgressBar({ total: config.max_steps, label: "base", unit: "step", everyPercent: 5 });
  const result = await trainSFT({
    model,
    config,
    train: split.train,
    eval: split.eval,
    padId: tok.padId,
    hooks: {
      log: (m) => console.log(m),
      reportMetrics: (step, m) => {
        if ("eval/loss" in m) console.log(`step ${step} eval/loss ${m["eval/loss"]!.toFixed(4)}`);
      },
      progress: (f, m) => bar.update(Math.round(f * config.max_steps), m),
      isCancelled: () => false,
    },
  });
  bar.done();
  const seconds = Math.round((Date.now() - started) / 1000);
  const meta = {
    builtin: {
      description: "RLHF Workbench built-in base policy, trained by scripts/make-base-model.ts",
      command: "node trainer/bin/run-ts.mjs scripts/make-base-model.ts",
      recipe: RECIPE,
      training: TRAIN,
      seedPromptsSha256: crypto.createHash("sha256").update(seedText).digest("hex"),
      trainExamplesSeen: config.max_steps * config.batch_size,
      finalTrainLoss: result.finalTrainLoss,
      finalEvalLoss: result.finalEvalLoss,
      wallSeconds: seconds,
      vocabSha256: crypto.createHash("sha256").update(fs.readFileSync(WORDS_VOCAB_FILE)).digest("hex"),
      backend,
    },
  };
  await saveCheckpoint(out, model, { tokenizer: "words", meta });
  result.adam.dispose();
  console.log(`saved ${out} after ${seconds}s (eval/loss ${result.finalEvalLoss?.toFixed(4)})`);

  const show = seedPrompts.slice(0, 10);
  const gen = await generate(model, tok, show.flatMap((p) => [buildPrompt(tok, p), buildPrompt(tok, p)]), {
    maxNewTokens: 96,
    temperature: 0.8,
    topK: 0,
    topP: 0.95,
    seed: 1,
  });
  show.forEach((p, i) => {
    console.log(`\n> ${p}`);
    for (const j of [0, 1]) console.log(`  [${j}] ${decodeResponse(tok, gen.tokens[2 * i + j]!)}`);
  });
}

await main();
