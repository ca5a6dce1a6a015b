// The online trainers' update after the memory work (log-probs gathered at response positions, entropy with no
// gradient unless ent_coef > 0, gradient accumulation): the same parameters as the dense path gave, and the same
// update whether a minibatch is one pass or several accumulated micro-batches.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend";
import { GPT } from "../../trainer/model/gpt";
import { ScalarHead } from "../../trainer/model/heads";
import { memoryContext } from "../../trainer/rl/context";
import { trainGroupPolicy, type GroupAlgorithm } from "../../trainer/rl/group";
import { trainPPO } from "../../trainer/rl/ppo";
import { parseRunConfig } from "../../server/services/run-kinds/index";
import { EOS, PAD, shape, prompts, toyReward, sampleResponses as sample } from "../support/toy-online";


const PPO_BASE = { max_steps: 2, batch_size: 8, mini_batch_size: 4, num_ppo_epochs: 2, learning_rate: 3e-3, lr_scheduler_type: "constant", response_length: 6, beta: 0.05, temperature: 0.7, seed: 3, value_model: "policy_head", ent_coef: 0 };
const GROUP_BASE = { max_steps: 2, batch_size: 8, num_generations: 4, steps_per_generation: 2, learning_rate: 3e-3, lr_scheduler_type: "constant", max_completion_length: 6, temperature: 0.7, seed: 3 };

/** Trains a fresh tiny policy (seed 1) for two iterations; returns every trained parameter's values before and after. */
async function train(kind: "ppo" | "grpo" | "rloo", overrides: Record<string, unknown> = {}): Promise<{ before: Map<string, Float32Array>; after: Map<string, Float32Array> }> {
  await initBackend("wasm");
  const policy = new GPT(shape, { seed: 1 });
  const reference = new GPT(shape, { seed: 1 });
  const valueHead = new ScalarHead(shape.n_embd, { init: "zeros" });
  const params = new Map<string, tf.Variable>(policy.params);
  if (kind === "ppo") for (const [n, v] of valueHead.params) params.set(`value.${n}`, v);
  const before = new Map([...params].map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
  const common = { policy, reference, rewardFn: toyReward, prompts, eosId: EOS, padId: PAD, sample, ctx: memoryContext() };
  if (kind === "ppo") await trainPPO({ ...common, valueHead, config: parseRunConfig("ppo", { ...PPO_BASE, ...overrides }) });
  else await trainGroupPolicy({ ...common, algorithm: { kind, config: parseRunConfig(kind, { ...GROUP_BASE, ...overrides }) } as GroupAlgorithm });
  const after = new Map([...params].map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
  for (const m of [policy, reference, valueHead]) m.dispose();
  return { before, after };
}

/** Per parameter: Σ Δ and ‖Δ‖₂ of the update. */
function updateStats({ before, after }: Awaited<ReturnType<typeof train>>): Record<string, [number, number]> {
  return Object.fromEntries(
    [...after].map(([n, a]) => {
      const b = before.get(n)!;
      let sum = 0;
      let sq = 0;
      a.forEach((v, i) => ((sum += v - b[i]!), (sq += (v - b[i]!) ** 2)));
      return [n, [sum, Math.sqrt(sq)]];
    }),
  );
}

function expectSameParams(a: Map<string, Float32Array>, b: Map<string, Float32Array>, tol: number): void {
  for (const [n, x] of a) {
    const y = b.get(n)!;
    const diff = x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
    expect(diff, n).toBeLessThan(tol);
  }
}

// Recorded at commit 1fee07e (dense log-softmax over every position; PPO differentiating the entropy with ent_coef 0)
// by train() above with the base configs: Σ Δ and ‖Δ‖₂ of each parameter after two iterations.
const BEFORE: Record<string, Record<string, [number, number]>> = {
  "ppo": {"wte.weight": [0.0056077056, 0.13153017],
    "wpe.weight": [0.051491089, 0.13782321],
    "h.0.ln_1.weight": [-0.064823508, 0.041369],
    "h.0.ln_1.bias": [0.022981676, 0.044068621],
    "h.0.attn.c_attn.weight": [0.00074424003, 0.20837726],
    "h.0.attn.c_attn.bias": [-0.0090182728, 0.05409718],
    "h.0.attn.c_proj.weight": [-0.14308179, 0.15157394],
    "h.0.attn.c_proj.bias": [-0.017834073, 0.045611872],
    "h.0.ln_2.weight": [0.013239384, 0.029794318],
    "h.0.ln_2.bias": [0.0060151184, 0.039093035],
    "h.0.mlp.c_fc.weight": [-0.040052759, 0.34721172],
    "h.0.mlp.c_fc.bias": [0.0213069, 0.096477456],
    "h.0.mlp.c_proj.weight": [-0.070073193, 0.33498429],
    "h.0.mlp.c_proj.bias": [-0.01042582, 0.043430823],
    "ln_f.weight": [0.19279009, 0.062633389],
    "ln_f.bias": [0.045178316, 0.056339671],
    "value.score.weight": [-0.00048673336, 0.064874664],
    "value.score.bias": [-0.020564975, 0.020564975]},
  "grpo": {"wte.weight": [0.014112801, 0.079967012],
    "wpe.weight": [-0.035329634, 0.083720118],
    "h.0.ln_1.weight": [0.029793024, 0.032204903],
    "h.0.ln_1.bias": [-0.0053145543, 0.0392061],
    "h.0.attn.c_attn.weight": [0.0033892541, 0.15134421],
    "h.0.attn.c_attn.bias": [-0.0084629716, 0.037265218],
    "h.0.attn.c_proj.weight": [0.047417636, 0.11867022],
    "h.0.attn.c_proj.bias": [-0.0069910027, 0.03629789],
    "h.0.ln_2.weight": [0.0060290098, 0.026963071],
    "h.0.ln_2.bias": [0.0039882343, 0.034343508],
    "h.0.mlp.c_fc.weight": [0.085741179, 0.23135671],
    "h.0.mlp.c_fc.bias": [0.061886043, 0.072238598],
    "h.0.mlp.c_proj.weight": [-0.079184835, 0.23337847],
    "h.0.mlp.c_proj.bias": [-0.011543612, 0.035398152],
    "ln_f.weight": [0.053916037, 0.032244352],
    "ln_f.bias": [0.018197884, 0.039547774]},
  "rloo": {"wte.weight": [0.020595589, 0.080769909],
    "wpe.weight": [-0.025570262, 0.082813446],
    "h.0.ln_1.weight": [0.022089064, 0.030997085],
    "h.0.ln_1.bias": [-0.0058180233, 0.037736179],
    "h.0.attn.c_attn.weight": [-0.0068512859, 0.15080256],
    "h.0.attn.c_attn.bias": [-0.012153457, 0.037123529],
    "h.0.attn.c_proj.weight": [0.055815884, 0.11645804],
    "h.0.attn.c_proj.bias": [-0.0065550776, 0.035884223],
    "h.0.ln_2.weight": [0.0074673891, 0.026675164],
    "h.0.ln_2.bias": [0.0018742221, 0.033805143],
    "h.0.mlp.c_fc.weight": [0.076077667, 0.23228855],
    "h.0.mlp.c_fc.bias": [0.065346756, 0.070916978],
    "h.0.mlp.c_proj.weight": [-0.078759069, 0.23394905],
    "h.0.mlp.c_proj.bias": [-0.011115406, 0.035258117],
    "ln_f.weight": [0.055459142, 0.032603137],
    "ln_f.bias": [0.019577367, 0.0393402]}};

/** The KL settings the figures above were recorded with (GRPO's and RLOO's defaults then: a fixed β). */
const RECORDED_WITH: Record<string, Record<string, unknown>> = { ppo: {}, grpo: { beta: 0.04, adaptive_kl: false, scale_rewards: "group" }, rloo: { beta: 0.05, adaptive_kl: false } };

describe("online trainers: the same update as the dense path", () => {
  for (const kind of ["ppo", "grpo", "rloo"] as const) {
    it(`${kind.toUpperCase()}${kind === "ppo" ? " with ent_coef 0" : ""} moves every parameter as before, within 1e-5`, async () => {
      const got = updateStats(await train(kind, RECORDED_WITH[kind]));
      for (const [name, [sum, norm]] of Object.entries(BEFORE[kind]!)) {
        expect(Math.abs(got[name]![0] - sum), `${name} ΣΔ`).toBeLessThan(1e-5);
        expect(Math.abs(got[name]![1] - norm), `${name} ‖Δ‖`).toBeLessThan(1e-5);
      }
    });
  }
});

describe("gradient_accumulation_steps: micro-batches give the minibatch's update", () => {
  const cases: Array<["ppo" | "grpo" | "rloo", Record<string, unknown>]> = [
    ["ppo", {}],
    ["ppo", { ent_coef: 0.01, value_model: "policy_head" }],
    ["grpo", { loss_type: "dapo" }],
    ["grpo", { loss_type: "grpo" }],
    ["rloo", {}],
  ];
  for (const [kind, overrides] of cases) {
    it(`${kind.toUpperCase()} ${JSON.stringify(overrides)}: 2 micro-batches of 2 equal one batch of 4`, async () => {
      const whole = await train(kind, overrides);
      const split = await train(kind, { ...overrides, gradient_accumulation_steps: 2 });
      expectSameParams(whole.after, split.after, 1e-5);
      // and the update is not trivially zero
      expect(Math.max(...Object.values(updateStats(split)).map(([, n]) => n))).toBeGreaterThan(0.01);
    });
  }

  it("refuses a split that does not divide the minibatch or the step, in one line", () => {
    expect(() => parseRunConfig("ppo", { mini_batch_size: 8, gradient_accumulation_steps: 3 })).toThrow(/mini_batch_size \(8\) must be a multiple of gradient_accumulation_steps \(3\)/);
    expect(() => parseRunConfig("grpo", { batch_size: 8, steps_per_generation: 2, num_generations: 4, gradient_accumulation_steps: 3 })).toThrow(/must be a multiple of gradient_accumulation_steps \(3\)/);
  });
});
