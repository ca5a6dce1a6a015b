// The tokenizers this build knows, by name: checked by model resolution without loading them, and the trainer's
// tokenizer registry is typed from this list.
export const TOKENIZER_NAMES = ["byte", "words", "gpt2"] as const;
export type TokenizerName = (typeof TOKENIZER_NAMES)[number];
