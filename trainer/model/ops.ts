// The model's building blocks as tfjs ops with hand-written gradients, shaped for the wasm backend's fast paths.
//
// API (all pure functions of tensors; call them inside tf.tidy):
//   linear(x2d [N,in], w [in,out], b? [out]) -> [N,out]      x·W (+b); HF GPT-2 Conv1D layout, no transpose
//   frozenLinear(x2d, w, b?) -> [N,out]                       the same with no gradient for w, b (LoRA's frozen base)
//   layerNorm(x2d [N,D], gamma [D], beta [D], eps) -> [N,D]
//   gelu(x) -> x·σ(2·√(2/π)·(x + 0.044715x³))                 GELU tanh form, written via sigmoid
//   tokenLogprobs(logits2d [N,V], targets int32 [N]) -> [N]   log softmax(logits)[i, targets[i]], differentiable
//   causalSelfAttention(q, k, v, bias, dims) -> [B*Tq, D]      softmax(q·kᵀ/√dh + bias)·v, heads side by side
//   attentionBias(mask [B,Tk] | null, B, Tq, Tk) -> [B,1,Tq,Tk] additive mask: causal + padded keys
//   gatherRows(table [R,D], ids [N]) -> [N,D]                  embedding lookup (fast row-copy kernel on wasm)
//   splitColumns(x, parts) / concatColumns(xs)                 q|k|v split and its inverse (fast on wasm)
//   columnSum(x2d) -> [C]                                      Σ over rows, as a ones-vector matMul
//   blockAttention / batchedAttention                          the two attention forms causalSelfAttention picks from
//
// Why hand-written gradients (shared/notes/tfjs.md): on wasm only a 2-D, batch-1, untransposed matMul reaches the
// XNNPACK kernel (~30 GFLOP/s); autodiff's matMul gradient uses transposed forms that fall to a ~2 GFLOP/s loop.
// So `linear` transposes explicitly and then runs plain 2-D matMuls. tf.tanh and tf.exp are slow on wasm while
// sigmoid and softmax are vectorised, hence gelu via sigmoid and log-probs via softmax (log Σe^x = max x − log max p).
// Every op here is checked against plain tfjs autodiff in tests/unit/trainer-core-ops.test.ts.

import * as tf from "@tensorflow/tfjs";
import { blockMatMul, isBlockMatMulAvailable } from "../backend/block-matmul.js";
import { ownedWasmView } from "../backend/wasm-kernels.js";

type GradFn = Parameters<typeof tf.customGrad>[0];
/** What a custom op's forward pass returns: its value, the tensors its gradient needs, and that gradient. */
interface CustomOpForward {
  value: tf.Tensor;
  saved: tf.Tensor[];
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}
/**
 * tf.customGrad with positional tensor arguments, and with both passes tidied: the forward pass keeps only its value
 * and the tensors it saves, the backward pass only the gradients it returns. Without this every temporary of every
 * op lives until the whole step ends (measured about 158·D floats per token per layer, against 74·D tidied).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const customOp = (f: (...args: any[]) => CustomOpForward) =>
  tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    let gradFunc: CustomOpForward["gradFunc"] | undefined;
    const [value, ...saved] = tf.tidy(() => {
      const r = f(...args);
      gradFunc = r.gradFunc;
      return [r.value, ...r.saved];
    });
    save(saved);
    return { value, gradFunc: (dy: tf.Tensor, kept: tf.Tensor[]) => tf.tidy(() => gradFunc!(dy, kept)) };
  }) as unknown as GradFn) as unknown as (...xs: tf.Tensor[]) => tf.Tensor;

/**
 * Σ over rows of a 2-D tensor. On wasm the RlhfColumnSum kernel (trainer/backend/wasm-kernels.ts, a JS loop);
 * elsewhere ones[1,N]·x, since a reduction over axis 0 transposes first (on wasm ~20× the matMul with a cached
 * operator, measured 0.68 ms vs 0.04 ms for [512,384]). Not differentiable on wasm: only gradient functions use it.
 */
export function columnSum(x: tf.Tensor): tf.Tensor1D {
  const rows = x.shape[0]!;
  const x2 = tf.reshape(x, [rows, -1]) as tf.Tensor2D;
  if (tf.getBackend() === "wasm" && x2.dtype === "float32" && tf.getKernel("RlhfColumnSum", "wasm")) return tf.engine().runKernel("RlhfColumnSum", { x: x2 }, {}) as tf.Tensor1D;
  return tf.reshape(tf.matMul(tf.ones([1, rows]), x2), [-1]) as tf.Tensor1D;
}

/**
 * Embedding lookup table[ids] -> [N, D] for 2-D tables and int32 ids [N]. On wasm it runs the RlhfGatherRows kernel
 * (trainer/backend/wasm-kernels.ts, a memcpy per row); the gradient is the scatter-add UnsortedSegmentSum, as tf.gather's.
 */
export function gatherRows(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  if (tf.getBackend() !== "wasm" || !tf.getKernel("RlhfGatherRows", "wasm")) return tf.gather(table, ids);
  return gatherRowsGrad(table, ids) as tf.Tensor2D;
}

const gatherRowsGrad = customOp((table: tf.Tensor, ids: tf.Tensor) => {
  return {
    value: tf.engine().runKernel("RlhfGatherRows", { table, ids }, {}) as tf.Tensor,
    saved: [ids],
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.unsortedSegmentSum(dy, saved[0] as tf.Tensor1D, table.shape[0]!), tf.zerosLike(saved[0]!)],
  };
});

const fastColumns = () => tf.getBackend() === "wasm" && tf.getKernel("RlhfSplitCols", "wasm") !== undefined;

/** Splits a 2-D tensor into `parts` equal column blocks (q|k|v); differentiable, fast on wasm. */
export function splitColumns(x: tf.Tensor2D, parts: number): tf.Tensor2D[] {
  if (!fastColumns()) return tf.split(x, parts, 1);
  return tf.engine().runKernel("RlhfSplitCols", { x }, { parts }) as unknown as tf.Tensor2D[];
}

/** Joins equal-width 2-D tensors side by side; the inverse of splitColumns. */
export function concatColumns(xs: tf.Tensor2D[]): tf.Tensor2D {
  if (!fastColumns()) return tf.concat(xs, 1);
  const inputs: tf.NamedTensorMap = {};
  xs.forEach((x, i) => (inputs[`x${i}`] = x));
  return tf.engine().runKernel("RlhfConcatCols", inputs, { parts: xs.length }) as tf.Tensor2D;
}

let columnGradsRegistered = false;
/** Gradients of the column kernels: split's is the concat of the output grads (zeros where none flowed), and back. */
export function registerColumnGradients(): void {
  if (columnGradsRegistered) return;
  columnGradsRegistered = true;
  tf.registerGradient({
    kernelName: "RlhfSplitCols",
    gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      void saved;
      const list = (Array.isArray(dys) ? dys : [dys]) as (tf.Tensor | null)[];
      const ref = list.find((t) => t) as tf.Tensor2D;
      const parts = attrs.parts as number;
      const full = Array.from({ length: parts }, (_, i) => (list[i] ?? tf.zerosLike(ref)) as tf.Tensor2D);
      return { x: () => concatColumns(full) };
    },
  });
  tf.registerGradient({
    kernelName: "RlhfConcatCols",
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      void saved;
      const parts = attrs.parts as number;
      const grads: Record<string, () => tf.Tensor> = {};
      for (let i = 0; i < parts; i++) grads[`x${i}`] = () => splitColumns(dy as tf.Tensor2D, parts)[i]!;
      return grads;
    },
  });
}
registerColumnGradients();

/** y = x·W (+ b) for 2-D x; the gradient is dX = dY·Wᵀ, dW = Xᵀ·dY, db = Σ_rows dY, each a plain 2-D matMul. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  if (b) return linearWithBias(x, w, b);
  return linearNoBias(x, w);
}

const linearWithBias = customOp((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
  return {
    value: tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b),
    saved: [x, w],
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D), columnSum(dy)];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

const linearNoBias = customOp((x: tf.Tensor, w: tf.Tensor) => {
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    saved: [x, w],
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/**
 * y = x·W (+ b) with W and b frozen (LoRA's base): they are closed over rather than passed in, so the backward pass
 * computes dX = dY·Wᵀ only. As inputs of `linear` their gradients (Xᵀ·dY, one weight-sized matrix per projection)
 * would be computed and kept until the whole backward pass ends, though nothing trains them.
 */
export function frozenLinear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const op = customOp((xi: tf.Tensor) => ({
    value: b ? tf.add(tf.matMul(xi as tf.Tensor2D, w), b) : tf.matMul(xi as tf.Tensor2D, w),
    saved: [],
    gradFunc: (dy: tf.Tensor) => tf.matMul(dy as tf.Tensor2D, tf.transpose(w)),
  }));
  return op(x) as tf.Tensor2D;
}

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/** σ(2u) with 2u = 2c·x·(1 + a·x²): the gate GELU multiplies x by. */
const geluGate = (x: tf.Tensor) => tf.sigmoid(tf.mul(tf.mul(x, tf.add(tf.mul(tf.mul(x, x), GELU_A), 1)), 2 * GELU_C));

/**
 * GELU, tanh approximation (GPT-2's "gelu_new"): 0.5x(1+tanh(u)) = x·σ(2u), u = √(2/π)(x + 0.044715x³). Only x is
 * kept for the backward pass, which recomputes the gate: one activation-sized tensor per MLP instead of three.
 */
export const gelu = customOp((x: tf.Tensor) => {
  return {
    value: tf.mul(x, geluGate(x)),
    saved: [x],
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs] = saved as [tf.Tensor];
      const s = geluGate(xs);
      if (tf.getBackend() === "wasm" && xs.dtype === "float32" && dy.dtype === "float32" && tf.getKernel("RlhfGeluGrad", "wasm"))
        return tf.engine().runKernel("RlhfGeluGrad", { x: xs, gate: s, dy }, { twoC: 2 * GELU_C, sixCA: 6 * GELU_C * GELU_A }) as tf.Tensor;
      // d/dx [x·σ(2u)] = σ + x·σ(1−σ)·2c(1 + 3a·x²)
      const dTwoU = tf.add(tf.mul(tf.mul(xs, xs), 3 * GELU_A * 2 * GELU_C), 2 * GELU_C);
      const ds = tf.mul(s, tf.sub(1, s));
      return tf.mul(dy, tf.add(s, tf.mul(tf.mul(xs, ds), dTwoU)));
    },
  };
}) as <T extends tf.Tensor>(x: T) => T;

/** LayerNorm over the last axis of a 2-D tensor, biased variance (as torch), with a fused analytic gradient. */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-5): tf.Tensor2D {
  return layerNormGrad(x, gamma, beta, eps);
}

const layerNormGrad = (x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number) =>
  customOp((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const mean = tf.mean(xi, -1, true);
    const xc = tf.sub(xi, mean);
    const variance = tf.mean(tf.mul(xc, xc), -1, true);
    const rstd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(xc, rstd);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      saved: [xhat, rstd, g],
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, gs] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dxhat = tf.mul(dy, gs);
        // dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
        const m1 = tf.mean(dxhat, -1, true);
        const m2 = tf.mean(tf.mul(dxhat, xh), -1, true);
        const dx = tf.mul(tf.sub(tf.sub(dxhat, m1), tf.mul(xh, m2)), rs);
        return [dx, columnSum(tf.mul(dy, xh)), columnSum(dy)];
      },
    };
  })(x, gamma, beta) as tf.Tensor2D;

/**
 * log p(targets[i] | logits[i]) for 2-D logits, exact and differentiable (grad = dy·(onehot − softmax)).
 * log Σ_j e^{x_j} = max x − log(max softmax), and max softmax ≥ 1/V never underflows, so this stays accurate even
 * for tokens whose probability is far below float32's smallest normal.
 */
export function tokenLogprobs(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  return tokenLogprobsGrad(logits, targets) as tf.Tensor1D;
}

const tokenLogprobsGrad = customOp((logits: tf.Tensor, targets: tf.Tensor) => {
  const [n, vocab] = logits.shape as [number, number];
  const p = tf.softmax(logits);
  const rowMax = tf.max(logits, -1);
  const logMaxP = tf.log(tf.max(p, -1));
  const flatIdx = tf.add(tf.mul(tf.range(0, n, 1, "int32"), tf.scalar(vocab, "int32")), tf.cast(targets, "int32"));
  const picked = tf.gather(tf.reshape(logits, [-1]), flatIdx);
  return {
    value: tf.add(tf.sub(picked, rowMax), logMaxP),
    saved: [p, targets],
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [ps, ts] = saved as [tf.Tensor2D, tf.Tensor1D];
      // dlogits = dy·(onehot − p) = −dy·p, plus dy at each row's target. On wasm the targets are added in place into
      // the fresh −dy·p: one [N, V] tensor instead of four (the one-hot in int32, its float copy, the difference and
      // the product), which at GPT-2's vocabulary is 100 MB each for 512 tokens.
      const grad = tf.mul(ps, tf.neg(tf.reshape(dy, [n, 1])));
      const view = ownedWasmView(grad);
      if (view) {
        const dys = dy.dataSync();
        const targets = ts.dataSync();
        for (let i = 0; i < n; i++) view[i * vocab + targets[i]!]! += dys[i]!;
        return [grad, tf.zerosLike(ts)];
      }
      // oneHot's float32 output is all zeros on wasm 4.22; build it in int32 and cast.
      const onehot = tf.cast(tf.oneHot(tf.cast(ts, "int32"), vocab), "float32");
      return [tf.add(grad, tf.mul(onehot, tf.reshape(dy, [n, 1]))), tf.zerosLike(ts)];
    },
  };
}) as (logits: tf.Tensor2D, targets: tf.Tensor1D) => tf.Tensor;

/** Large negative used for masked attention scores; finite so fully-masked (padding) rows stay NaN-free. */
export const MASKED = -1e9;

/**
 * Additive attention bias [B,1,Tq,Tk]: query i (absolute position Tk−Tq+i) sees keys j ≤ its position, and never a
 * padded key (mask 0). With mask null only the causal part is built ([1,1,Tq,Tk], broadcast over the batch).
 */
export function attentionBias(mask: tf.Tensor2D | null, batch: number, tq: number, tk: number): tf.Tensor4D {
  return tf.tidy(() => {
    const offset = tk - tq;
    const qPos = tf.reshape(tf.range(offset, offset + tq, 1, "int32"), [tq, 1]);
    const kPos = tf.reshape(tf.range(0, tk, 1, "int32"), [1, tk]);
    const causal = tf.mul(tf.cast(tf.greater(kPos, qPos), "float32"), MASKED); // [Tq,Tk]
    if (!mask) return tf.reshape(causal, [1, 1, tq, tk]);
    const pad = tf.mul(tf.sub(1, tf.cast(mask, "float32")), MASKED); // [B,Tk]
    return tf.add(tf.reshape(causal, [1, 1, tq, tk]), tf.reshape(pad, [batch, 1, 1, tk])) as tf.Tensor4D;
  });
}

/** Shape facts attention needs; q has Tq rows per batch element, k and v have Tk. */
export interface AttentionDims {
  batch: number;
  tq: number;
  tk: number;
  nHead: number;
}

/**
 * Multi-head attention on 2-D projections: q [B·Tq, D], k/v [B·Tk, D], heads side by side along D. Returns [B·Tq, D].
 * On wasm it uses blockAttention (per-head XNNPACK matMuls); elsewhere the plain batched-matMul form, which is also
 * the reference blockAttention is tested against.
 */
export function causalSelfAttention(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, bias: tf.Tensor4D, d: AttentionDims): tf.Tensor2D {
  return isBlockMatMulAvailable() ? blockAttention(q, k, v, bias, d) : batchedAttention(q, k, v, bias, d);
}

/** Reference form: split heads with rank-4 transposes (rank-5 ones are slow on wasm), batched matMuls. */
export function batchedAttention(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, bias: tf.Tensor4D, d: AttentionDims): tf.Tensor2D {
  const dModel = q.shape[1];
  const dh = dModel / d.nHead;
  const heads = (t: tf.Tensor2D, len: number) => tf.transpose(tf.reshape(t, [d.batch, len, d.nHead, dh]), [0, 2, 1, 3]);
  // Scaling q (B·T·D values) is cheaper than scaling the scores (B·H·T·T values).
  const qh = heads(tf.mul(q, 1 / Math.sqrt(dh)) as tf.Tensor2D, d.tq);
  const kh = heads(k, d.tk);
  const vh = heads(v, d.tk);
  const scores = tf.add(tf.matMul(qh, kh, false, true), bias);
  const probs = tf.softmax(scores);
  const out = tf.matMul(probs, vh); // [B,H,Tq,dh]
  return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [d.batch * d.tq, dModel]);
}

/**
 * Attention with each (batch, head) matMul run as its own 2-D XNNPACK matMul via blockMatMul (trainer/backend), ~4×
 * faster than tfjs-wasm's batched loop. Heads are split with rank-4 transposes only; the gradient is written out.
 */
export function blockAttention(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, bias: tf.Tensor4D, d: AttentionDims): tf.Tensor2D {
  const { batch: B, tq, tk, nHead: H } = d;
  const D = q.shape[1];
  const dh = D / H;
  const scale = 1 / Math.sqrt(dh);
  // [B·T, D] -> [B·H, T, dh] (perm [0,2,1,3]) or its per-head transpose [B·H, dh, T] (perm [0,2,3,1])
  const split = (t: tf.Tensor, len: number) => tf.reshape(tf.transpose(tf.reshape(t, [B, len, H, dh]), [0, 2, 1, 3]), [B * H, len, dh]) as tf.Tensor3D;
  const splitT = (t: tf.Tensor, len: number) => tf.reshape(tf.transpose(tf.reshape(t, [B, len, H, dh]), [0, 2, 3, 1]), [B * H, dh, len]) as tf.Tensor3D;
  const merge = (t: tf.Tensor, len: number) => tf.reshape(tf.transpose(tf.reshape(t, [B, H, len, dh]), [0, 2, 1, 3]), [B * len, D]);
  const swap = (t: tf.Tensor3D) => tf.transpose(t, [0, 2, 1]) as tf.Tensor3D;

  const f = customOp((qi: tf.Tensor, ki: tf.Tensor, vi: tf.Tensor) => {
    const qh = split(tf.mul(qi, scale), tq);
    const scores = tf.add(tf.reshape(blockMatMul(qh, splitT(ki, tk)), [B, H, tq, tk]), bias);
    const probs = tf.reshape(tf.softmax(scores), [B * H, tq, tk]) as tf.Tensor3D;
    return {
      value: merge(blockMatMul(probs, split(vi, tk)), tq),
      saved: [qh, ki, vi, probs],
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [qhS, kS, vS, p] = saved as [tf.Tensor3D, tf.Tensor, tf.Tensor, tf.Tensor3D];
        const dO = split(dy, tq);
        const dP = blockMatMul(dO, splitT(vS, tk));
        // softmax backward: dS = P ⊙ (dP − Σ_j dP ⊙ P)
        const dS = tf.mul(p, tf.sub(dP, tf.sum(tf.mul(dP, p), -1, true))) as tf.Tensor3D;
        const dQ = tf.mul(merge(blockMatMul(dS, split(kS, tk)), tq), scale);
        const dK = merge(blockMatMul(swap(dS), qhS), tk);
        const dV = merge(blockMatMul(swap(p), dO), tk);
        return [dQ, dK, dV];
      },
    };
  });
  return f(q, k, v) as tf.Tensor2D;
}
