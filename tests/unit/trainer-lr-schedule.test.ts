// The LR schedule matches HF's get_cosine_schedule_with_warmup (and the linear/constant variants) step by step.
import { describe, expect, it } from "vitest";
import { learningRateAt, warmupSteps } from "../../trainer/model/schedule";

describe("learning-rate schedule", () => {
  const base = { peakLr: 1e-3, totalSteps: 100, warmupSteps: 10 };

  it("warms up linearly from 0, as HF's LambdaLR (step 0 has rate 0)", () => {
    const o = { ...base, type: "cosine" as const };
    expect(learningRateAt(0, o)).toBe(0);
    expect(learningRateAt(5, o)).toBeCloseTo(5e-4, 12);
    expect(learningRateAt(10, o)).toBeCloseTo(1e-3, 12);
  });

  it("decays along a half cosine to 0 (or to the floor)", () => {
    const o = { ...base, type: "cosine" as const };
    expect(learningRateAt(55, o)).toBeCloseTo(5e-4, 12); // halfway through the decay
    expect(learningRateAt(100, o)).toBeCloseTo(0, 12);
    expect(learningRateAt(32.5, o)).toBeCloseTo(1e-3 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), 12);
    expect(learningRateAt(100, { ...o, minLrRatio: 0.1 })).toBeCloseTo(1e-4, 12);
    expect(learningRateAt(55, { ...o, minLrRatio: 0.1 })).toBeCloseTo(1e-4 + 0.9 * 5e-4, 12);
  });

  it("supports linear and constant decay", () => {
    expect(learningRateAt(55, { ...base, type: "linear" })).toBeCloseTo(5e-4, 12);
    expect(learningRateAt(90, { ...base, type: "constant" })).toBe(1e-3);
  });

  it("rounds warmup steps up like HF's get_warmup_steps", () => {
    expect(warmupSteps(100, 0.1)).toBe(10);
    expect(warmupSteps(15, 0.1)).toBe(2);
    expect(warmupSteps(15, 0)).toBe(0);
  });
});
