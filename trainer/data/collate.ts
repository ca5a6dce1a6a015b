// Turns tokenized {ids, responseMask} examples into right-padded batches of plain typed arrays (no tfjs here, so
// the layout is testable and the RL trainers can reuse it). Position t's target is token t+1, so the loss mask
// marks positions whose *next* token is a response token.

/** One tokenized example: prompt + response in the chat template, and 1 where a token belongs to the response. */
export interface TokenizedExample {
  ids: number[];
  responseMask: number[];
}

/** A padded batch, row-major [batchSize, seqLen]. */
export interface Batch {
  batchSize: number;
  seqLen: number;
  /** Input token ids, padded with `padId` on the right. */
  inputIds: Int32Array;
  /** 1 for real tokens, 0 for padding. */
  attentionMask: Int32Array;
  /** The next token at each position (padId where there is none). */
  labels: Int32Array;
  /** 1 where `labels` is a response token that the loss should score. */
  lossMask: Float32Array;
  /** Tokens scored by the loss in this batch (sum of lossMask). */
  responseTokens: number;
}

/**
 * Cuts an example to `maxLength` tokens from the right (the chat template puts the prompt first, so the prompt is
 * kept whole and the tail of a long response goes). Returns null when no response token survives: such an example
 * would teach nothing and would divide the loss by zero.
 */
export function truncateExample(ex: TokenizedExample, maxLength: number): TokenizedExample | null {
  if (ex.ids.length !== ex.responseMask.length) throw new Error(`example has ${ex.ids.length} ids but ${ex.responseMask.length} mask entries`);
  const ids = ex.ids.slice(0, maxLength);
  const responseMask = ex.responseMask.slice(0, maxLength);
  // The first token can never be a target, so at least one response token must sit at position >= 1.
  if (!responseMask.some((m, i) => i > 0 && m === 1)) return null;
  return { ids, responseMask };
}

/**
 * Cuts a prompt+response example to `maxLength` from the left (TRL's keep_end): the prompt's start goes first, so
 * the response and its EOS, where a reward model reads its score and where DPO's log-probs live, are never cut. A
 * response longer than maxLength − 1 also loses its start, never its end.
 */
export function truncateKeepingEnd(ex: TokenizedExample, maxLength: number): TokenizedExample {
  if (ex.ids.length !== ex.responseMask.length) throw new Error(`example has ${ex.ids.length} ids but ${ex.responseMask.length} mask entries`);
  if (ex.ids.length <= maxLength) return ex;
  const from = ex.ids.length - maxLength;
  return { ids: ex.ids.slice(from), responseMask: ex.responseMask.slice(from) };
}

/** Pads `examples` to the longest one (optionally rounded up to a multiple) and builds labels and the loss mask. */
export function collate(examples: readonly TokenizedExample[], opts: { padId: number; padToMultipleOf?: number }): Batch {
  if (examples.length === 0) throw new Error("cannot collate an empty batch");
  const longest = Math.max(...examples.map((e) => e.ids.length));
  const multiple = opts.padToMultipleOf ?? 1;
  const seqLen = Math.ceil(longest / multiple) * multiple;
  const n = examples.length * seqLen;
  const inputIds = new Int32Array(n).fill(opts.padId);
  const attentionMask = new Int32Array(n);
  const labels = new Int32Array(n).fill(opts.padId);
  const lossMask = new Float32Array(n);
  let responseTokens = 0;
  examples.forEach((ex, b) => {
    const row = b * seqLen;
    for (let t = 0; t < ex.ids.length; t++) {
      inputIds[row + t] = ex.ids[t]!;
      attentionMask[row + t] = 1;
      if (t + 1 < ex.ids.length) {
        labels[row + t] = ex.ids[t + 1]!;
        if (ex.responseMask[t + 1] === 1) {
          lossMask[row + t] = 1;
          responseTokens++;
        }
      }
    }
  });
  return { batchSize: examples.length, seqLen, inputIds, attentionMask, labels, lossMask, responseTokens };
}

/**
 * The flat positions (row·seqLen + column) of a batch's response tokens with the token each must predict: the rows
 * a loss reads, so only they need to go through the vocabulary projection.
 */
export function responsePositions(batch: Batch): { positions: number[]; targets: number[] } {
  const positions: number[] = [];
  const targets: number[] = [];
  batch.lossMask.forEach((m, i) => {
    if (m > 0) (positions.push(i), targets.push(batch.labels[i]!));
  });
  return { positions, targets };
}
