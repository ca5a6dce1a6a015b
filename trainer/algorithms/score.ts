// Run kind 'score': where to label next. Scores every completion of the run's project's open ranking tasks with the
// reward model (and a second one for `disagree`, when named), turns the scores into serving priorities by the
// project's selection strategy (server/services/selection.ts) and stores them; the queue follows at once.
import type { RunAlgorithm } from "../runs/types";
import { getProject } from "../../server/services/projects";
import { resolveModelInput } from "../../server/services/model-inputs";
import { projectScope } from "../../server/services/run-creation";
import { taskPriority, tasksToScore, writePriorities } from "../../server/services/selection";
import { RunInputError } from "../runs/errors";

export const algorithm: RunAlgorithm<"score"> = {
  kind: "score",
  async train(ctx) {
    const { initBackend } = await import("../backend/index");
    const { loadRewardModel } = await import("../rl/models");
    const { scoreTexts } = await import("../rl/reward");
    const { buildExample, getTokenizer } = await import("../tokenizer/index");
    const cfg = ctx.config;
    const projectId = await projectScope(ctx.db, cfg.project);
    if (!projectId) throw new RunInputError(`a score run needs a project: {"project": "NAME"}`);
    const project = await getProject(ctx.db, projectId);
    const strategy = project.selection as "random" | "uncertain" | "disagree";
    ctx.log(`tfjs backend: ${await initBackend()}`);
    const items = await tasksToScore(ctx.db, projectId);
    ctx.setProgressTotal(items.length, "task");
    ctx.log(`scoring ${items.length} open ranking tasks of '${project.name}' for selection '${strategy}'`);

    const score = async (input: NonNullable<typeof ctx.reward>) => {
      const rm = await loadRewardModel(input);
      try {
        const tok = getTokenizer(rm.tokenizerName);
        const flat = items.flatMap((t) => t.completions.map((c) => ({ prompt: t.prompt, response: c.text })));
        const all = scoreTexts(rm.model, rm.head, flat, (p, r) => buildExample(tok, p, r), tok.padId, { batchSize: cfg.batch_size, maxLength: cfg.max_length });
        let at = 0;
        return items.map((t) => all.slice(at, (at += t.completions.length)));
      } finally {
        rm.model.dispose();
        rm.head.dispose();
      }
    };
    const first = await score(ctx.reward!);
    ctx.throwIfCancelled();
    const second = strategy === "disagree" && cfg.second_reward ? await score(await resolveModelInput(ctx.db, cfg.second_reward, { flag: "second reward model", kind: "reward" })) : null;

    const priorities = new Map<string, number>();
    items.forEach((t, i) => priorities.set(t.taskId, taskPriority(strategy, t, first[i]!, second?.[i] ?? null)));
    await writePriorities(ctx.db, priorities);
    const values = [...priorities.values()];
    const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
    // Priorities run −1..0; reported as 0..1 "how much this task needs a label" for the chart.
    const metrics = { "score/tasks": items.length, "score/mean_need": -mean, "score/max_need": values.length ? -Math.min(...values) : 0 };
    ctx.reportMetrics(1, metrics);
    ctx.progress(1, metrics);
    return { metrics };
  },
};
