// Kernels the tfjs wasm backend lacks, written in plain TypeScript over the wasm heap.
//
// UnsortedSegmentSum is the gradient of tf.gather, so without it no embedding table can be trained on wasm.
// It is a scatter-add of rows: out[segmentIds[i], :] += data[i, :]. Cheap enough to run in JS.

import * as tf from "@tensorflow/tfjs";

/** The slice of the wasm backend we touch: heap views and tensor bookkeeping. */
interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
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

let registered = false;

/** Registers the missing wasm kernels once (idempotent). */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel("UnsortedSegmentSum", "wasm")) {
    tf.registerKernel({ kernelName: "UnsortedSegmentSum", backendName: "wasm", kernelFunc: unsortedSegmentSumWasm as unknown as tf.KernelFunc });
  }
}
