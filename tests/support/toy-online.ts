// The toy setting the online-trainer tests share (PPO, GRPO, RLOO): an 8-token vocabulary, six prompts, a sampler
// that needs only a tokenizer's special ids, and a reward for the share of response tokens that are 3.
import { generate } from "../../trainer/generate";
import type { GPT } from "../../trainer/model/gpt";
import type { Tokenizer } from "../../trainer/tokenizer";

export const EOS = 6;
export const PAD = 7;
export const shape = { vocab_size: 8, n_positions: 24, n_embd: 16, n_layer: 1, n_head: 2, layer_norm_epsilon: 1e-5 };
export const prompts = [[1, 2], [3], [2, 4, 1], [5, 5], [0, 1, 2, 3], [4]];
/** generate() needs only the special ids of a tokenizer. */
export const toyTok = { eosId: EOS, padId: PAD } as Tokenizer;
export const sampleResponses = async (gpt: GPT, p: number[][], o: { maxNewTokens: number; temperature: number; seed: number }) => (await generate(gpt, toyTok, p, o)).tokens;
/** Share of response tokens that are 3 (EOS excluded): responses of different lengths, so batches hold unequal tokens. */
export const toyReward = (responses: number[][]) => responses.map((r) => r.filter((t) => t === 3).length / Math.max(1, r.filter((t) => t !== EOS).length));
