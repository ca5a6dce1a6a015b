// Tokenizers round-trip arbitrary Unicode; the chat template marks exactly the response tokens; names are checked.
import { describe, expect, it } from "vitest";
import { buildExample, buildPrompt, decodeResponse, getTokenizer, learnWordVocab, WordTokenizer, wordPieces } from "../../trainer/tokenizer/index.js";
import { mulberry32 } from "../../server/services/random.js";

const samples = [
  "",
  "plain ASCII, with punctuation!?",
  "emoji 👋🏽 🧑‍🚀 🇳🇴 and ZWJ sequences",
  "CJK 日本語の文章 中文 한국어",
  "combining marks: e\u0301 n\u0303 a\u0308\u0304 Z\u0351\u0300",
  "RTL עברית العربية, NBSP\u00a0and\u2028line separators\r\n\ttabs",
  "specials as text: <|endoftext|> <|pad|>",
  "\u0000 control \u001f chars \uFFFD \uFEFF",
];

/** Random strings of valid code points (no lone surrogates, which no UTF-8 tokenizer can round-trip). */
function randomStrings(n: number, seed: number): string[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => {
    let s = "";
    const len = Math.floor(rand() * 40);
    for (let i = 0; i < len; i++) {
      const r = rand();
      let cp = r < 0.4 ? 32 + Math.floor(rand() * 95) : r < 0.7 ? Math.floor(rand() * 0xd800) : r < 0.85 ? 0xe000 + Math.floor(rand() * 0x2000) : 0x10000 + Math.floor(rand() * 0x100000);
      if (cp >= 0xd800 && cp < 0xe000) cp = 0x41;
      s += String.fromCodePoint(cp);
    }
    return s;
  });
}

describe.each(["byte", "words", "gpt2"])("%s tokenizer", (name) => {
  const tok = getTokenizer(name);

  it("round-trips arbitrary Unicode", () => {
    for (const s of [...samples, ...randomStrings(200, name.length)]) {
      const ids = tok.encode(s);
      expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < tok.vocabSize)).toBe(true);
      expect(tok.decode(ids)).toBe(s);
    }
  });

  it("never turns typed special-token text into EOS", () => {
    expect(tok.encode("<|endoftext|>")).not.toContain(tok.eosId);
  });

  it("chat template: prompt tokens 0, response tokens + EOS 1, prompt part identical to buildPrompt", () => {
    const { ids, responseMask } = buildExample(tok, "What is 2+2? 🤔", "Four. 四");
    const prompt = buildPrompt(tok, "What is 2+2? 🤔");
    expect(ids.slice(0, prompt.length)).toEqual(prompt);
    expect(responseMask.slice(0, prompt.length).every((m) => m === 0)).toBe(true);
    expect(responseMask.slice(prompt.length).every((m) => m === 1)).toBe(true);
    expect(ids.at(-1)).toBe(tok.eosId);
    expect(decodeResponse(tok, ids.slice(prompt.length))).toBe("Four. 四");
    expect(buildExample(tok, "hi").responseMask.every((m) => m === 0)).toBe(true);
  });
});

describe("tokenizer registry", () => {
  it("has the documented special ids", () => {
    expect(getTokenizer("byte")).toMatchObject({ vocabSize: 260, eosId: 256, padId: 257 });
    expect(getTokenizer("gpt2")).toMatchObject({ vocabSize: 50257, eosId: 50256 });
    expect(getTokenizer("words")).toMatchObject({ eosId: 256, padId: 257 });
  });
  it("words: corpus words are one token each, anything else falls back to bytes", () => {
    const tok = new WordTokenizer(learnWordVocab(["Human: Drink water. Sleep well!"]));
    expect(wordPieces("Hi there, you're 42!\n")).toEqual(["Hi", " there", ",", " you're", " 42", "!", "\n"]);
    expect(tok.encode(" water. Sleep").length).toBe(3);
    expect(tok.encode(" zebra")).toEqual(Array.from(new TextEncoder().encode(" zebra")));
    expect(tok.decode(tok.encode("Drink water, zebra 🦓!"))).toBe("Drink water, zebra 🦓!");
    expect(tok.vocabSize).toBe(260 + learnWordVocab(["Human: Drink water. Sleep well!"]).length);
  });
  it("rejects unknown names with a one-line error", () => {
    expect(() => getTokenizer("sentencepiece")).toThrowError(/^unknown tokenizer 'sentencepiece': use one of byte, words, gpt2$/);
  });
});
