// `rlhf stats quality --project P`: how far a project's labels can be trusted: Krippendorff's α, pairwise agreement
// and, per annotator, gold accuracy, agreement with the others' consensus and the weight exports give them.
import { getDb } from "../../../db/index";
import { qualityReport, requireOverlap } from "../../../server/services/quality";
import { fmt, projectByName, table } from "../shared";
import type { Command } from "../types";

export const commands: Command[] = [
  {
    name: "stats quality",
    usage: "rlhf stats quality --project P",
    async run(args) {
      const projectName = args.string("project", { required: true });
      args.assertAllUsed();
      const db = getDb();
      const project = await projectByName(db, projectName);
      const r = requireOverlap(await qualityReport(db, project.id));
      const annotators = r.annotators.map((a) => ({
        email: a.email,
        rankings: a.rankings,
        gold_accuracy: a.goldAccuracy,
        gold_pairs: a.goldPairs,
        agreement: a.agreement,
        weight: a.weight,
        median_time_ms: a.medianTimeMs,
        cannot_rank_share: a.cannotRankShare,
      }));
      const text = [
        `project '${project.name}': Krippendorff's alpha (ordinal) ${fmt(r.krippendorffAlpha)}, pairwise agreement ${fmt(r.pairwiseAgreement)}, ${r.itemsWithOverlap} items ranked by two or more annotators`,
        table([
          ["ANNOTATOR", "RANKINGS", "GOLD ACC", "GOLD PAIRS", "AGREEMENT", "WEIGHT", "MEDIAN MS", "CANNOT RANK"],
          ...annotators.map((a) => [a.email, String(a.rankings), fmt(a.gold_accuracy), String(a.gold_pairs), fmt(a.agreement), fmt(a.weight), fmt(a.median_time_ms), fmt(a.cannot_rank_share)]),
        ]),
      ].join("\n");
      return {
        json: { krippendorff_alpha: r.krippendorffAlpha, pairwise_agreement: r.pairwiseAgreement, items_with_overlap: r.itemsWithOverlap, annotators },
        text,
      };
    },
  },
];
