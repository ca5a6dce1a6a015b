// Kernels the tfjs wasm backend lacks or runs wastefully, written in plain TypeScript over the wasm heap.
//
// UnsortedSegmentSum is the gradient of tf.gather, so without it no embedding table can be trained on wasm.
// It is a scatter-add of rows: out[segmentIds[i], :] += data[i, :]. Cheap enough to run in JS.
// Identity: autodiff clones every tensor it saves for the backward pass through the Identity kernel, and wasm's
// Identity copies the data (~80 copies, 20+ MB per training step of the tiny model). tfjs tensors are immutable
// (variables swap their dataId on assign), so sharing the buffer with a reference count is safe; this is exactly
// what the cpu backend's Identity does.

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
  if (tf.getKernel("Identity", "wasm")) tf.unregisterKernel("Identity", "wasm");
  tf.registerKernel({ kernelName: "Identity", backendName: "wasm", kernelFunc: sharedIdentityWasm as unknown as tf.KernelFunc });
}
