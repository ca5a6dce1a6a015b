// `rlhf eval rm`: pairwise accuracy of a reward model on the held-out (test split) rankings, or on a rankings file
// that `rlhf import rankings` would accept line for line.
import { getDb } from "../../../db/index";
import { parseRankingsFile } from "../../../server/services/data-import";
import { rankedExamples, type RankedExample } from "../../../server/services/datasets";
import { resolveModelInput } from "../../../server/services/model-inputs";
import { CliError } from "../args";
import { readTextFile } from "../files";
import { reportLineErrors } from "../shared";
import type { Command, CommandIO } from "../types";

/** A rankings file as held-out examples; bad lines are listed and skipped, as the import does. */
function rankingsFromFile(file: string, io: CommandIO): RankedExample[] {
  const { records, errors } = parseRankingsFile(readTextFile(file, "--data"));
  reportLineErrors(io, file, errors, records.length);
  return records.map((r) => {
    const ids = r.texts.map((_, k) => `line${r.line}-${k}`);
    return {
      rankingId: `line${r.line}`,
      promptId: `line${r.line}`,
      projectId: "",
      userId: null,
      adjudicated: false,
      prompt: r.prompt,
      split: "test",
      completions: r.texts.map((text, k) => ({ id: ids[k]!, text, model: null })),
      ranking: r.groups.map((g) => g.map((k) => ids[k]!)),
      annotator: null,
      timeMs: 0,
      flags: {},
      ratings: {},
      rationale: null,
      messages: null,
      createdAt: new Date(0),
      annotators: 1,
      agreement: null,
    };
  });
}

export const commands: Command[] = [
  {
    name: "eval rm",
    usage: "rlhf eval rm --model M [--data FILE.jsonl]",
    help: 'FILE.jsonl: the lines `rlhf import rankings` accepts, {"prompt","completions","ranking"} or {"prompt","chosen","rejected"}',
    async run(args, io) {
      const model = args.string("model", { required: true });
      const dataFile = args.string("data");
      args.assertAllUsed();
      const db = getDb();
      const input = await resolveModelInput(db, model, { kind: "reward" });
      const data = dataFile ? rankingsFromFile(dataFile, io) : await rankedExamples(db, { split: "test" });
      if (data.length === 0) {
        throw new CliError(dataFile ? `${dataFile} holds no rankings` : "no held-out (test split) rankings in the database; pass --data FILE.jsonl");
      }
      const { initBackend } = await import("../../backend/index");
      const { loadRewardModel } = await import("../../rl/models");
      const { evaluateRankings } = await import("../../rl/reward");
      const { getTokenizer, buildExample } = await import("../../tokenizer/index");
      io.log(`tfjs backend: ${await initBackend()}`);
      const rm = await loadRewardModel(input).catch((err: Error) => {
        throw new CliError(err.message);
      });
      try {
        const tok = getTokenizer(rm.tokenizerName);
        const result = evaluateRankings(rm.model, rm.head, data, (p, r) => buildExample(tok, p, r), tok.padId);
        if (result.pairs === 0) throw new CliError("the rankings hold no pairs (every one is a full tie)");
        return { json: { accuracy: result.accuracy, pairs: result.pairs, loss: result.loss, rankings: data.length } };
      } finally {
        rm.model.dispose();
        rm.head.dispose();
      }
    },
  },
];
