// Measures the built-in base policy's samples for trainer/builtin/README.md: the share of sampled words found in
// /usr/share/dict/words (Debian's wamerican, installed here if missing), the share of samples on the prompt's
// topic, length spread, and unedited samples.
//
//   node trainer/bin/run-ts.mjs scripts/measure-base-model.ts [--model DIR] [--prompts 120] [--k 4] [--temperature 1] [--max-new-tokens 64]
//
// On topic: a reply's topic is the one whose reply vocabulary (words of its sentences and list items that few other
// topics use) it shares most words with; it answers the prompt when that is the topic the prompt was generated from.
import { execSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { initBackend } from "../trainer/backend/index";
import { generateCorpus } from "../trainer/builtin/corpus";
import { BUILTIN_MODEL_DIR } from "../trainer/builtin/paths";
import { TOPICS } from "../trainer/builtin/topics";
import { loadCheckpoint } from "../trainer/checkpoint/index";
import { generate } from "../trainer/generate/index";
import { meanStd } from "../trainer/rl/utils";
import { buildPrompt, decodeResponse, getTokenizer } from "../trainer/tokenizer/index";

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const DICT = "/usr/share/dict/words";
if (!fs.existsSync(DICT)) {
  console.error(`${DICT} is missing: installing Debian's wamerican`);
  execSync("apt-get install -y wamerican || (apt-get update && apt-get install -y wamerican)", { stdio: "inherit" });
}
const dictionary = new Set(fs.readFileSync(DICT, "utf8").split("\n").filter(Boolean));
/** A word counts as found as written, or lower-cased (a capital at the start of a sentence). */
const known = (w: string) => dictionary.has(w) || dictionary.has(w.toLowerCase());
const wordsOf = (text: string) => text.match(/[A-Za-z]+(?:'[A-Za-z]+)?/g) ?? [];

// Reply vocabulary per topic: words of its sentences and items, minus those in more than 3 topics (common words).
const vocabOf = new Map(TOPICS.map((t) => {
  const text = [...t.points, ...t.items, ...Object.values(t.slots ?? {}).flat(), ...(t.tuples?.rows.flat() ?? [])].join(" ").replace(/\{\w+\}/g, " ");
  return [t.name, new Set(wordsOf(text).map((w) => w.toLowerCase()))] as const;
}));
const spread = new Map<string, number>();
for (const v of vocabOf.values()) for (const w of v) spread.set(w, (spread.get(w) ?? 0) + 1);
const distinctive = new Map([...vocabOf].map(([name, v]) => [name, new Set([...v].filter((w) => spread.get(w)! <= 3))] as const));
function onTopic(response: string, topic: string): boolean {
  const words = new Set(wordsOf(response).map((w) => w.toLowerCase()));
  const overlap = (name: string) => [...distinctive.get(name)!].filter((w) => words.has(w)).length;
  const mine = overlap(topic);
  return mine > 0 && TOPICS.every((t) => overlap(t.name) <= mine);
}

const dir = path.resolve(flag("model", BUILTIN_MODEL_DIR));
const nPrompts = Number(flag("prompts", "120"));
const k = Number(flag("k", "4"));
const temperature = Number(flag("temperature", "1"));
await initBackend();
const ckpt = await loadCheckpoint(dir);
const tok = getTokenizer(ckpt.tokenizer);
// Prompts the model was not trained on verbatim where possible: a corpus drawn with another seed, one per prompt text.
const seen = new Set<string>();
const items = generateCorpus({ seed: 99, templatePairs: 4000 }).filter((p) => !seen.has(p.prompt) && seen.add(p.prompt)).slice(0, nPrompts);
const rows = items.flatMap((p) => Array.from({ length: k }, () => p));
const gen = await generate(ckpt.model, tok, rows.map((p) => buildPrompt(tok, p.prompt)), { maxNewTokens: Number(flag("max-new-tokens", "64")), temperature, topK: 0, topP: 1, seed: 5 });
const samples = rows.map((p, i) => ({ prompt: p.prompt, topic: p.topic, response: decodeResponse(tok, gen.tokens[i]!), eos: gen.tokens[i]!.at(-1) === tok.eosId }));

const allWords = samples.flatMap((s) => wordsOf(s.response));
const unknown = allWords.filter((w) => !known(w));
const topical = samples.filter((s) => onTopic(s.response, s.topic)).length;
const lengths = meanStd(samples.map((s) => s.response.length));
const report = {
  model: path.relative(process.cwd(), dir) || dir,
  tokenizer: ckpt.tokenizer,
  parameters: ckpt.model.numParams(),
  prompts: items.length,
  k,
  temperature,
  samples: samples.length,
  words: allWords.length,
  dictionary_share: 1 - unknown.length / allWords.length,
  not_in_dictionary: [...new Set(unknown)].slice(0, 30),
  on_topic_share: topical / samples.length,
  ended_with_eos: samples.filter((s) => s.eos).length / samples.length,
  chars_mean: lengths.mean,
  chars_std: lengths.std,
  chars_min: Math.min(...samples.map((s) => s.response.length)),
  chars_max: Math.max(...samples.map((s) => s.response.length)),
  with_exclamation: samples.filter((s) => s.response.includes("!")).length / samples.length,
  distinct_within_prompt: items.reduce((n, _, i) => n + new Set(samples.slice(i * k, i * k + k).map((s) => s.response)).size, 0) / samples.length,
};
console.log(JSON.stringify(report, null, 1));
console.log("\nSamples (the first of each prompt's K, unedited):");
for (let i = 0; i < Math.min(10, items.length); i++) console.log(`> **${items[i]!.prompt}**\n> - ${samples[i * k]!.response.replace(/\n/g, " / ")}\n`);
