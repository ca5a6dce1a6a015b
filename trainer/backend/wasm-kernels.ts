// Kernels the tfjs wasm backend lacks or runs wastefully, written in plain TypeScript over the wasm heap.
//
// UnsortedSegmentSum is the gradient of tf.gather, so without it no embedding table can be trained on wasm.
// It is a scatter-add of rows: out[segmentIds[i], :] += data[i, :]. Cheap enough to run in JS.
// Identity: autodiff clones every tensor it saves for the backward pass through the Identity kernel, and wasm's
// Identity copies the data (~80 copies, 20+ MB per training step of the tiny model). tfjs tensors are immutable
// (variables swap their dataId on assign), so sharing the buffer with a reference count is safe; this is exactly
// what the cpu backend's Identity does.
// RlhfGatherRows / RlhfSplitCols / RlhfConcatCols: row gather and column split/concat as memcpys (see below).
// RlhfColumnSum: Σ over rows (bias and LayerNorm gradients) without XNNPACK packing its input.
// RlhfGeluGrad: GELU's input gradient in one pass (see below).

import * as tf from "@tensorflow/tfjs";

/** The slice of the wasm backend we touch: heap views and tensor bookkeeping. */
interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  incRef(dataId: object): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function unsortedSegmentSumWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = args.attrs.numSegments as number;
  if (x.dtype !== "float32") throw new Error(`UnsortedSegmentSum on wasm supports float32 only (got ${x.dtype})`);
  const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(segmentIds.shape.length).reduce((a, b) => a * b, 1);
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.makeOutput(outShape, "float32");
  // Views are taken after makeOutput: an allocation may grow (and so detach) the wasm memory buffer.
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const ids = backend.typedArrayFromHeap(segmentIds);
  o.fill(0);
  for (let r = 0; r < rows; r++) {
    const s = ids[r]!;
    if (s < 0 || s >= numSegments) continue; // TF semantics: out-of-range ids are dropped
    const src = r * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) o[dst + j]! += xv[src + j]!;
  }
  return out;
}

function sharedIdentityWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x } = args.inputs as { x: tf.TensorInfo };
  if (x.dtype === "string") throw new Error("Identity on wasm: string tensors are not supported");
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

let registered = false;

/** Registers the missing wasm kernels once (idempotent). */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel("UnsortedSegmentSum", "wasm")) {
    tf.registerKernel({ kernelName: "UnsortedSegmentSum", backendName: "wasm", kernelFunc: unsortedSegmentSumWasm as unknown as tf.KernelFunc });
  }
  registerGatherRows();
  registerColumnKernels();
  if (tf.getKernel("Identity", "wasm")) tf.unregisterKernel("Identity", "wasm");
  tf.registerKernel({ kernelName: "Identity", backendName: "wasm", kernelFunc: sharedIdentityWasm as unknown as tf.KernelFunc });
}

/**
 * Row gather for 2-D float tables (embedding lookup): out[i, :] = table[ids[i], :], as one memcpy per row.
 * wasm's GatherV2 takes ~2 ms for 512 rows of 128 floats; this takes a few µs. Registered as RlhfGatherRows and
 * used through gatherRows() in trainer/model/ops.ts, which falls back to tf.gather on other backends.
 */
function gatherRowsWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { table, ids } = args.inputs as { table: tf.TensorInfo; ids: tf.TensorInfo };
  const [rows, width] = table.shape as [number, number];
  const n = ids.shape.reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([n, width], "float32");
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  const src = backend.typedArrayFromHeap(table) as Float32Array;
  const idx = backend.typedArrayFromHeap(ids);
  for (let i = 0; i < n; i++) {
    const r = idx[i]!;
    if (r < 0 || r >= rows) throw new Error(`embedding lookup: id ${r} is outside the table of ${rows} rows`);
    o.set(src.subarray(r * width, (r + 1) * width), i * width);
  }
  return out;
}

export function registerGatherRows(): void {
  if (!tf.getKernel("RlhfGatherRows", "wasm")) {
    tf.registerKernel({ kernelName: "RlhfGatherRows", backendName: "wasm", kernelFunc: gatherRowsWasm as unknown as tf.KernelFunc });
  }
}

/**
 * Column split / concat of 2-D float tensors into equal parts (the fused q|k|v projection), as row-wise memcpys.
 * wasm's SplitV and Concat along axis 1 cost several ms at [512,384]; these take ~0.1 ms. RlhfSplitCols has the
 * gradient RlhfConcatCols and vice versa (registered in trainer/model/ops.ts, which owns the differentiable ops).
 */
function splitColsWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.NamedAttrMap }): tf.TensorInfo[] {
  const backend = args.backend as WasmBackendLike;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const parts = args.attrs.parts as number;
  const [rows, cols] = x.shape as [number, number];
  const width = cols / parts;
  const outs = Array.from({ length: parts }, () => backend.makeOutput([rows, width], "float32"));
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  outs.forEach((out, p) => {
    const o = backend.typedArrayFromHeap(out) as Float32Array;
    for (let r = 0; r < rows; r++) o.set(src.subarray(r * cols + p * width, r * cols + (p + 1) * width), r * width);
  });
  return outs;
}

function concatColsWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const parts = Object.keys(args.inputs).length;
  const ins = Array.from({ length: parts }, (_, p) => args.inputs[`x${p}`] as tf.TensorInfo);
  const [rows, width] = ins[0]!.shape as [number, number];
  const cols = width * parts;
  const out = backend.makeOutput([rows, cols], "float32");
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  ins.forEach((t, p) => {
    const src = backend.typedArrayFromHeap(t) as Float32Array;
    for (let r = 0; r < rows; r++) o.set(src.subarray(r * width, (r + 1) * width), r * cols + p * width);
  });
  return out;
}

/**
 * Σ over the rows of a 2-D float tensor, accumulated in float64. The bias and LayerNorm gradients need one per op; as
 * ones[1,N]·x on XNNPACK each call first packs x (a fresh tensor every step) as matMul weights for a single output
 * row: 1.4 ms at [512,128] on this machine, against about 0.05 ms here.
 */
function columnSumWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const [rows, cols] = x.shape as [number, number];
  const out = backend.makeOutput([cols], "float32");
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const acc = new Float64Array(cols);
  let r = 0;
  // Four rows per pass over the accumulator: a quarter of its loads and stores (2-2.5× faster than one row a pass).
  for (; r + 4 <= rows; r += 4) {
    const b0 = r * cols;
    const b1 = b0 + cols;
    const b2 = b1 + cols;
    const b3 = b2 + cols;
    for (let c = 0; c < cols; c++) acc[c]! += src[b0 + c]! + src[b1 + c]! + src[b2 + c]! + src[b3 + c]!;
  }
  for (; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) acc[c]! += src[base + c]!;
  }
  o.set(acc);
  return out;
}

/**
 * GELU's (tanh form) input gradient from x, its gate s = σ(2c·x·(1 + a·x²)) and dy, in one pass:
 * dx = dy·(s + x·s·(1 − s)·2c·(1 + 3a·x²)). As tfjs ops it was nine kernels over the MLP's widest activation
 * (5.4 ms of backward at [512,512] with the gate); the gate stays on wasm's vectorised sigmoid (Math.exp is slower).
 */
function geluGradWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, gate, dy } = args.inputs as { x: tf.TensorInfo; gate: tf.TensorInfo; dy: tf.TensorInfo };
  const twoC = args.attrs.twoC as number;
  const sixCA = args.attrs.sixCA as number;
  const out = backend.makeOutput([...x.shape], "float32");
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const sv = backend.typedArrayFromHeap(gate) as Float32Array;
  const dv = backend.typedArrayFromHeap(dy) as Float32Array;
  for (let i = 0; i < o.length; i++) {
    const v = xv[i]!;
    const g = sv[i]!;
    o[i] = dv[i]! * (g + v * g * (1 - g) * (twoC + sixCA * v * v));
  }
  return out;
}

export function registerColumnKernels(): void {
  if (!tf.getKernel("RlhfGeluGrad", "wasm")) tf.registerKernel({ kernelName: "RlhfGeluGrad", backendName: "wasm", kernelFunc: geluGradWasm as unknown as tf.KernelFunc });
  if (!tf.getKernel("RlhfColumnSum", "wasm")) tf.registerKernel({ kernelName: "RlhfColumnSum", backendName: "wasm", kernelFunc: columnSumWasm as unknown as tf.KernelFunc });
  if (!tf.getKernel("RlhfSplitCols", "wasm")) tf.registerKernel({ kernelName: "RlhfSplitCols", backendName: "wasm", kernelFunc: splitColsWasm as unknown as tf.KernelFunc });
  if (!tf.getKernel("RlhfConcatCols", "wasm")) tf.registerKernel({ kernelName: "RlhfConcatCols", backendName: "wasm", kernelFunc: concatColsWasm as unknown as tf.KernelFunc });
}

/** The wasm backend when it is the active one, for code that works on tensor memory directly (in-place updates). */
function activeWasmBackend(): (WasmBackendLike & { refCount(dataId: object): number }) | null {
  if (tf.getBackend() !== "wasm") return null;
  return tf.backend() as unknown as WasmBackendLike & { refCount(dataId: object): number };
}

/**
 * For an update written straight into wasm memory (the fused Adam step): a new, uninitialised float32 tensor shaped
 * like `like`, and float32 views of it and of `tensors`, or null when the backend is not wasm. Each of `tensors`
 * whose buffer is shared (a clone, a reshape, a tensor saved for a backward pass: refCount > 1) is first given its
 * own copy by `makeOwn`, so writing through its view changes nothing else. Never write in place into a tensor that a
 * matMul reads: XNNPACK caches packed weights per buffer, so the new values go into the fresh output instead.
 * Views are taken after every allocation, since one may grow and so detach the heap.
 */
export function wasmUpdateViews(like: tf.Tensor, tensors: tf.Tensor[], makeOwn: (i: number) => void): { out: tf.Tensor; outView: Float32Array; views: Float32Array[] } | null {
  const backend = activeWasmBackend();
  if (!backend || like.dtype !== "float32" || tensors.some((t) => t.dtype !== "float32")) return null;
  tensors.forEach((t, i) => {
    if (backend.refCount(t.dataId) > 1) makeOwn(i);
  });
  const info = backend.makeOutput([...like.shape], "float32");
  const out = tf.engine().makeTensorFromTensorInfo(info);
  return { out, outView: backend.typedArrayFromHeap(info) as Float32Array, views: tensors.map((t) => backend.typedArrayFromHeap(t) as Float32Array) };
}

/**
 * A float32 view of a tensor this code alone holds (refCount 1: no clone, reshape or saved copy shares its buffer),
 * for a sparse in-place edit right after creating it; null on other backends or when the buffer is shared. Never
 * use it on a tensor a matMul has read (XNNPACK caches packed weights per buffer).
 */
export function ownedWasmView(t: tf.Tensor): Float32Array | null {
  const backend = activeWasmBackend();
  if (!backend || t.dtype !== "float32" || backend.refCount(t.dataId) !== 1) return null;
  return backend.typedArrayFromHeap(t) as Float32Array;
}
