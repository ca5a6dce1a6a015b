// Train/eval iteration over tokenized examples: seeded reshuffle each epoch for training, fixed order for eval,
// and a deterministic held-out slice when a dataset has no test split.
import { collate, type Batch, type TokenizedExample } from "./collate";
import { mulberry32, shuffled } from "../../server/services/random";

export interface LoaderOptions {
  batchSize: number;
  padId: number;
  /** Reshuffle each epoch from this seed (epoch e uses seed + e), so a resumed run sees the same order. */
  seed: number;
  /** Keep the last, smaller batch of an epoch (eval wants every example; training may drop it). */
  dropLast?: boolean;
  /**
   * Put examples of similar length in the same batch (HF's group_by_length): shuffle, sort within windows of 50
   * batches, then shuffle the batches. Far less padding, so far fewer wasted FLOPs on variable-length data.
   */
  groupByLength?: boolean;
}

/** Batches of one training epoch, in the order fixed by (seed, epoch). */
export function* epochBatches(examples: readonly TokenizedExample[], epoch: number, opts: LoaderOptions): Generator<Batch> {
  const rand = mulberry32(opts.seed + epoch * 0x9e3779b1);
  const order = shuffled(examples, rand);
  if (!opts.groupByLength) {
    yield* inOrderBatches(order, opts);
    return;
  }
  const window = opts.batchSize * 50;
  const chunks: TokenizedExample[][] = [];
  for (let i = 0; i < order.length; i += window) {
    const sorted = order.slice(i, i + window).sort((a, b) => a.ids.length - b.ids.length);
    for (let j = 0; j < sorted.length; j += opts.batchSize) chunks.push(sorted.slice(j, j + opts.batchSize));
  }
  for (const chunk of shuffled(chunks, rand)) {
    if (opts.dropLast && chunk.length < opts.batchSize) continue;
    yield collate(chunk, { padId: opts.padId });
  }
}

/** Batches over `examples` in the given order (eval). */
export function* inOrderBatches(examples: readonly TokenizedExample[], opts: Omit<LoaderOptions, "seed">): Generator<Batch> {
  for (let i = 0; i < examples.length; i += opts.batchSize) {
    const chunk = examples.slice(i, i + opts.batchSize);
    if (opts.dropLast && chunk.length < opts.batchSize) return;
    yield collate(chunk, { padId: opts.padId });
  }
}

/** Batches per training epoch, matching `epochBatches`. */
export function batchesPerEpoch(count: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}

/**
 * Splits off a deterministic held-out slice (at least one example, at most `fraction`) for eval when a dataset has
 * no test split. Training keeps at least one example.
 */
export function holdOut<T>(items: readonly T[], fraction: number, seed: number): { train: T[]; eval: T[] } {
  if (items.length < 2) return { train: items.slice(), eval: [] };
  const order = shuffled(items, mulberry32(seed ^ 0x5eed));
  const n = Math.min(items.length - 1, Math.max(1, Math.round(items.length * fraction)));
  return { eval: order.slice(0, n), train: order.slice(n) };
}
