// SFT data from the database: submitted (and imported) demonstrations via the datasets service, tokenized in the chat
// template and cut to the model's context; eval on the test split, or on a seeded held-out slice when it is empty.
import type { Db } from "../../db/index";
import { sftExamples, type SftExample } from "../../server/services/datasets";
import { projectScope } from "../../server/services/run-creation";
import { truncateExample, type TokenizedExample } from "../data/collate";
import { holdOut } from "../data/loader";
import { RunInputError } from "../runs/errors";
import { buildExample, type Tokenizer } from "../tokenizer/index";
import type { SFTConfig } from "../../server/services/run-kinds/sft-config";

/** Demonstrations by split; throws a one-line RunInputError when there is nothing to train on. */
export async function loadDemonstrations(db: Db, config: SFTConfig): Promise<{ train: SftExample[]; test: SftExample[] }> {
  const projectId = await projectScope(db, config.project);
  const train = await sftExamples(db, { projectId, split: "train" });
  const test = await sftExamples(db, { projectId, split: "test" });
  if (train.length === 0) {
    const where = config.project ? ` in project '${config.project}'` : "";
    throw new RunInputError(
      `no demonstrations to train on${where}: write some in the web app or run 'rlhf import demonstrations FILE.jsonl'` +
        (test.length ? ` (the ${test.length} in the test split are kept for eval)` : ""),
    );
  }
  return { train, test };
}

/** Tokenized examples; those whose response does not survive truncation are dropped and counted. */
export function tokenize(examples: readonly SftExample[], tok: Tokenizer, maxLength: number): { examples: TokenizedExample[]; dropped: number } {
  const out: TokenizedExample[] = [];
  for (const ex of examples) {
    const t = truncateExample(buildExample(tok, ex.prompt, ex.completion), maxLength);
    if (t) out.push(t);
  }
  return { examples: out, dropped: examples.length - out.length };
}

/** Train and eval examples for a run: test split for eval, else a held-out slice of train. */
export async function sftDatasets(
  db: Db,
  config: SFTConfig,
  tok: Tokenizer,
  contextLength: number,
): Promise<{ train: TokenizedExample[]; eval: TokenizedExample[]; evalSource: "test" | "held-out" | "none"; dropped: number }> {
  const { train, test } = await loadDemonstrations(db, config);
  const maxLength = Math.min(config.max_length, contextLength);
  const tr = tokenize(train, tok, maxLength);
  const te = tokenize(test, tok, maxLength);
  if (tr.examples.length === 0)
    throw new RunInputError(`no demonstration fits in ${maxLength} tokens with at least one response token: shorten the prompts or raise max_length`);
  if (te.examples.length > 0) return { train: tr.examples, eval: te.examples, evalSource: "test", dropped: tr.dropped + te.dropped };
  if (config.eval_holdout_fraction > 0 && tr.examples.length >= 2) {
    const split = holdOut(tr.examples, config.eval_holdout_fraction, config.seed);
    return { train: split.train, eval: split.eval, evalSource: "held-out", dropped: tr.dropped };
  }
  return { train: tr.examples, eval: [], evalSource: "none", dropped: tr.dropped };
}
