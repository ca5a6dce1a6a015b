// The tokenizer interface every trainer, generator and CLI command uses.

import type { TokenizerName } from "../../server/services/tokenizer-names";

export type { TokenizerName };

export interface Tokenizer {
  readonly name: TokenizerName;
  readonly vocabSize: number; // size of the model's embedding table this tokenizer needs
  readonly eosId: number; // <|endoftext|>: ends every response
  readonly padId: number; // fills batches; always masked out, so its value never reaches the loss
  /** Plain text to ids; special-token strings inside the text are treated as ordinary text. */
  encode(text: string): number[];
  /** Ids to text (never U+FFFD for invalid bytes: they are left out); special tokens by name unless skipSpecial. */
  decode(ids: readonly number[], opts?: { skipSpecial?: boolean }): string;
  /** The raw bytes a token stands for, or null for a special token: the sampler keeps samples valid UTF-8 with them. */
  tokenBytes(id: number): Uint8Array | null;
}
