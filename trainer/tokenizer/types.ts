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
  /** Ids to text; special tokens are rendered as their names unless skipSpecial. */
  decode(ids: readonly number[], opts?: { skipSpecial?: boolean }): string;
}
