// SFTConfig: defaults with reasons, merged with a user's JSON; unknown keys and bad values are one-line errors.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseSFTConfig, SFT_DEFAULTS } from "../../trainer/sft/config";

describe("SFTConfig", () => {
  it("fills defaults and keeps the user's overrides", () => {
    const c = parseSFTConfig({ learning_rate: 3e-4, max_steps: 10 });
    expect(c.learning_rate).toBe(3e-4);
    expect(c.max_steps).toBe(10);
    expect(c.adam_epsilon).toBe(1e-5);
    expect(c.max_grad_norm).toBe(1);
    expect(parseSFTConfig(undefined)).toEqual(SFT_DEFAULTS);
  });

  it("rejects unknown keys, wrong types and out-of-range values in one line", () => {
    for (const [input, re] of [
      [{ lr: 1e-3 }, /unknown key 'lr'/],
      [{ learning_rate: "fast" }, /learning_rate must be a number/],
      [{ learning_rate: 0 }, /learning_rate must be greater than 0/],
      [{ batch_size: 2.5 }, /batch_size must be an integer/],
      [{ lr_scheduler_type: "step" }, /must be one of cosine, linear, constant/],
      [[1, 2], /must be a JSON object/],
    ] as const) {
      expect(() => parseSFTConfig(input)).toThrow(re);
      try {
        parseSFTConfig(input);
      } catch (err) {
        expect((err as Error).message).not.toContain("\n");
      }
    }
  });

  it("documents every field with a reason beside its default", () => {
    const src = fs.readFileSync(path.resolve(__dirname, "../../trainer/sft/config.ts"), "utf8");
    for (const key of Object.keys(SFT_DEFAULTS)) expect(src).toMatch(new RegExp(`\\n  ${key}: [^\\n]+, // \\S`));
  });
});
