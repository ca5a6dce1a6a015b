// The sampler never emits invalid UTF-8, for any tokenizer: a property test over many seeds, temperatures and
// lengths on random tiny models (whose near-uniform logits would otherwise produce broken byte runs all the time),
// the UTF-8 automaton against the platform's strict decoder, decoders that never show U+FFFD, and top-p taken over
// the top-k survivors.
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend/index.js";
import { generate, sampleToken } from "../../trainer/generate/index.js";
import { GPT } from "../../trainer/model/gpt.js";
import { ByteTokenizer, getTokenizer, GPT2Tokenizer } from "../../trainer/tokenizer/index.js";
import { UTF8_START, utf8Run, validUtf8 } from "../../trainer/tokenizer/utf8.js";
import { mulberry32 } from "../../server/services/random.js";

const strict = new TextDecoder("utf-8", { fatal: true });
const isValidUtf8 = (bytes: ArrayLike<number>) => {
  try {
    strict.decode(Uint8Array.from(bytes as ArrayLike<number>));
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  await initBackend("wasm");
});

describe("the UTF-8 automaton", () => {
  it("accepts exactly what a strict decoder accepts (random byte strings biased to high bytes)", () => {
    const rand = mulberry32(5);
    for (let i = 0; i < 5000; i++) {
      const bytes = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => (rand() < 0.3 ? Math.floor(rand() * 128) : 0x80 + Math.floor(rand() * 128)));
      expect(utf8Run(UTF8_START, bytes) === UTF8_START, bytes.join(",")).toBe(isValidUtf8(bytes));
      const kept = validUtf8(bytes);
      expect(isValidUtf8(kept)).toBe(true);
      if (isValidUtf8(bytes)) expect(Array.from(kept)).toEqual(bytes);
    }
  });

  it("decoders leave broken runs out instead of showing U+FFFD", () => {
    const byte = new ByteTokenizer();
    expect(byte.decode([0x61, 0xe2, 0x82, 0x62])).toBe("ab");
    expect(byte.decode([0xe2, 0x82, 0xac])).toBe("€");
    expect(byte.decode(byte.encode("a \uFFFD stays"))).toBe("a \uFFFD stays"); // a real U+FFFD in the text is kept
    const gpt2 = new GPT2Tokenizer();
    const ids = gpt2.encode("Four. 四");
    expect(gpt2.decode(ids)).toBe("Four. 四");
    expect(gpt2.decode(ids.slice(0, -1))).not.toContain("\uFFFD");
  });
});

describe("the sampler never emits invalid UTF-8", () => {
  it("byte tokenizer: 48 seeds × 4 temperatures × lengths 1–12, every sample valid and never ending mid-character", async () => {
    const tok = new ByteTokenizer();
    const model = new GPT({ vocab_size: 260, n_positions: 48, n_embd: 16, n_layer: 1, n_head: 2, layer_norm_epsilon: 1e-5 }, { seed: 11 });
    const prompts = ["Hi", "é?", "四", "x"].map((p) => tok.encode(p));
    let highBytes = 0;
    for (let seed = 0; seed < 48; seed++) {
      for (const temperature of [0.5, 1, 2, 8]) {
        const res = await generate(model, tok, prompts, { maxNewTokens: 1 + (seed % 12), temperature, seed, topK: seed % 3 === 0 ? 50 : 0, topP: seed % 4 === 0 ? 0.9 : 1 });
        for (const row of res.tokens) {
          const bytes = row.filter((id) => id < 256);
          highBytes += bytes.filter((b) => b >= 0x80).length;
          expect(isValidUtf8(bytes), `seed ${seed} t ${temperature}: ${bytes.join(",")}`).toBe(true);
          expect(tok.decode(row)).not.toContain("\uFFFD");
        }
      }
    }
    expect(highBytes).toBeGreaterThan(100); // the guard had non-ASCII to keep whole, not just ASCII
    model.dispose();
  });

  it("words tokenizer (the built-in model's): word tokens and byte fallback mixed, every sample valid", async () => {
    const tok = getTokenizer("words");
    const model = new GPT({ vocab_size: tok.vocabSize, n_positions: 32, n_embd: 16, n_layer: 1, n_head: 2, layer_norm_epsilon: 1e-5 }, { seed: 5 });
    const prompts = ["Hi", "é?", "四", "How do I sleep?"].map((p) => tok.encode(p));
    for (let seed = 0; seed < 16; seed++) {
      for (const temperature of [1, 8]) {
        const res = await generate(model, tok, prompts, { maxNewTokens: 1 + (seed % 10), temperature, seed });
        for (const row of res.tokens) {
          const bytes = row.flatMap((id) => Array.from(tok.tokenBytes(id) ?? []));
          expect(isValidUtf8(bytes), `seed ${seed} t ${temperature}: ${row.join(",")}`).toBe(true);
          expect(tok.decode(row)).not.toContain("\uFFFD");
        }
      }
    }
    model.dispose();
  });

  it("GPT-2 BPE: tokens that hold part of a character are only ever completed", async () => {
    const tok = new GPT2Tokenizer();
    const model = new GPT({ vocab_size: 50257, n_positions: 24, n_embd: 8, n_layer: 1, n_head: 2, layer_norm_epsilon: 1e-5 }, { seed: 3 });
    const prompts = [tok.encode("Hello"), tok.encode("日本")];
    for (let seed = 0; seed < 6; seed++) {
      const res = await generate(model, tok, prompts, { maxNewTokens: 8, temperature: 4, seed });
      for (const row of res.tokens) {
        const bytes = row.flatMap((id) => Array.from(tok.tokenBytes(id) ?? []));
        expect(isValidUtf8(bytes), `seed ${seed}: ${row.join(",")}`).toBe(true);
        expect(tok.decode(row)).not.toContain("\uFFFD");
      }
    }
    model.dispose();
  });

  it("sampleToken never returns a banned token, even when rand() is exactly 0", () => {
    const banned = Uint8Array.from([1, 0, 1]);
    for (const r of [0, 0.5, 0.999999]) expect(sampleToken([5, 0, 5], { banned }, () => r).id).toBe(1);
  });
});

describe("top-p after top-k", () => {
  it("renormalises the nucleus over the top-k survivors (HF's warper order)", () => {
    // p = [0.5, 0.25, 0.25]; top-k 2 leaves 0.5 and 0.25, i.e. 2/3 and 1/3 among themselves: top-p 0.6 keeps only
    // the first (over the full distribution it would have kept two, 0.5 < 0.6).
    const logits = [Math.log(0.5), Math.log(0.25), Math.log(0.25)];
    const rand = mulberry32(1);
    for (let i = 0; i < 200; i++) expect(sampleToken(logits, { topK: 2, topP: 0.6 }, rand).id).toBe(0);
  });
});
