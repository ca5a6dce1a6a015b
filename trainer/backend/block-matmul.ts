// Many small independent matMuls on the wasm backend's XNNPACK path without copying: out[i] = a[i] · b[i].
//
// API: blockMatMul(a [N,M,K], b [N,K,P]) -> [N,M,P]   (float32; wasm backend only; no gradient: callers that need
//      one wrap it in tf.customGrad, as attention does). isBlockMatMulAvailable() says whether it can run here.
// Why: tfjs-wasm sends every batched or transposed matMul to a scalar loop (~1-2 GFLOP/s), while a 2-D batch-1
// matMul runs on XNNPACK. Slicing a batch into 2-D tensors costs more than the matMuls (Slice/Unpack copy slowly),
// so this kernel registers each block's memory with the wasm runtime under a temporary tensor id and calls the
// backend's own BatchMatMul entry point on it: no copies, XNNPACK for every block. The temporary ids are disposed
// right after, which also drops the XNNPACK operators cached for them.

import * as tf from "@tensorflow/tfjs";

interface WasmModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: unknown[]) => unknown;
  tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
}
interface WasmBackend {
  wasm: WasmModule;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

let wasmBatchMatMul: ((...a: unknown[]) => unknown) | null = null;
let boundModule: WasmModule | null = null;

function kernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const [N, M, K] = a.shape as [number, number, number];
  const [Nb, Kb, P] = b.shape as [number, number, number];
  if (N !== Nb || K !== Kb) throw new Error(`blockMatMul: shapes [${a.shape}] and [${b.shape}] do not match`);
  if (boundModule !== backend.wasm) {
    // Same signature the backend's own BatchMatMul kernel binds: ids, shape bytes, ranks, transpose flags, out id.
    wasmBatchMatMul = backend.wasm.cwrap("BatchMatMul", null, ["number", "array", "number", "number", "array", "number", "number", "number", "number"]);
    boundModule = backend.wasm;
  }
  const out = backend.makeOutput([N, M, P], "float32");
  const aOff = backend.dataIdMap.get(a.dataId).memoryOffset;
  const bOff = backend.dataIdMap.get(b.dataId).memoryOffset;
  const oOff = backend.dataIdMap.get(out.dataId).memoryOffset;
  const aShape = new Uint8Array(new Int32Array([1, M, K]).buffer);
  const bShape = new Uint8Array(new Int32Array([1, K, P]).buffer);
  const t = backend.wasm.tfjs;
  for (let i = 0; i < N; i++) {
    const ai = backend.dataIdNextNumber++;
    const bi = backend.dataIdNextNumber++;
    const oi = backend.dataIdNextNumber++;
    t.registerTensor(ai, M * K, aOff + i * M * K * 4);
    t.registerTensor(bi, K * P, bOff + i * K * P * 4);
    t.registerTensor(oi, M * P, oOff + i * M * P * 4);
    wasmBatchMatMul!(ai, aShape, 3, bi, bShape, 3, 0, 0, oi);
    t.disposeData(ai);
    t.disposeData(bi);
    t.disposeData(oi);
  }
  return out;
}

let registered = false;

export function registerBlockMatMul(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: "RlhfBlockMatMul", backendName: "wasm", kernelFunc: kernel as unknown as tf.KernelFunc });
}

let verified: boolean | null = null;

/**
 * True on wasm once a one-off self-check (a small blockMatMul against tf.matMul) has passed. The kernel leans on the
 * wasm backend's internals (tensor registration, the BatchMatMul entry point), so a tfjs upgrade that changed them
 * turns the fast path off (with one stderr line) instead of producing wrong numbers.
 */
export function isBlockMatMulAvailable(): boolean {
  if (tf.getBackend() !== "wasm" || tf.getKernel("RlhfBlockMatMul", "wasm") === undefined) return false;
  if (verified === null) {
    try {
      verified = tf.tidy(() => {
        const a = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 2, 3]);
        const b = tf.tensor3d([1, 0, 2, 1, 0, 1, -1, 2, 3, 0, 1, 1], [2, 3, 2]);
        return tf.max(tf.abs(tf.sub(blockMatMul(a, b), tf.matMul(a, b)))).dataSync()[0]! < 1e-5;
      });
    } catch {
      verified = false;
    }
    if (!verified) process.stderr.write("[rlhf] wasm block matmul failed its self-check; attention uses the slower batched path\n");
  }
  return verified;
}

export function blockMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return tf.engine().runKernel("RlhfBlockMatMul", { a, b }, {}) as tf.Tensor3D;
}
