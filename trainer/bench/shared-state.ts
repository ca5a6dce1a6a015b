// Shared memory for data-parallel training across worker_threads: flat params, per-worker grads, Adam moments, a barrier.
//
// API: allocateSharedState(nParams, nWorkers) -> SharedTrainState (plain SharedArrayBuffers, postMessage-able);
//      viewsOf(state) -> typed views; barrierWait(views) (all workers block until every one arrives);
//      adamUpdateRange(views, lo, hi, step, opts): Adam on the averaged gradient for one slice of the flat vector.
// Why: wasm threads do not work in Node, so the second core is used by two workers with their own wasm backends.
// Each worker writes its gradient into its own slot, every worker then updates a disjoint slice of the shared
// parameters (so the update work is split too), and all upload the same new values: identical models by design.

export interface SharedTrainState {
  nParams: number;
  nWorkers: number;
  params: SharedArrayBuffer; // f32 [nParams]
  grads: SharedArrayBuffer; // f32 [nWorkers * nParams]
  m: SharedArrayBuffer; // f32 [nParams]
  v: SharedArrayBuffer; // f32 [nParams]
  sync: SharedArrayBuffer; // i32 [4]: barrier count, barrier generation, stop flag, spare
  scalars: SharedArrayBuffer; // f64 [nWorkers * 4]: per-worker loss, numTensors, spare
}

export interface SharedViews {
  params: Float32Array;
  grads: Float32Array[];
  m: Float32Array;
  v: Float32Array;
  sync: Int32Array;
  scalars: Float64Array;
  nWorkers: number;
}

export function allocateSharedState(nParams: number, nWorkers: number): SharedTrainState {
  return {
    nParams,
    nWorkers,
    params: new SharedArrayBuffer(nParams * 4),
    grads: new SharedArrayBuffer(nWorkers * nParams * 4),
    m: new SharedArrayBuffer(nParams * 4),
    v: new SharedArrayBuffer(nParams * 4),
    sync: new SharedArrayBuffer(16),
    scalars: new SharedArrayBuffer(nWorkers * 4 * 8),
  };
}

export function viewsOf(s: SharedTrainState): SharedViews {
  return {
    params: new Float32Array(s.params),
    grads: Array.from({ length: s.nWorkers }, (_, w) => new Float32Array(s.grads, w * s.nParams * 4, s.nParams)),
    m: new Float32Array(s.m),
    v: new Float32Array(s.v),
    sync: new Int32Array(s.sync),
    scalars: new Float64Array(s.scalars),
    nWorkers: s.nWorkers,
  };
}

export const STOP_FLAG = 2;

/** Generation-counting barrier: the last worker to arrive resets the count and wakes the others. */
export function barrierWait(views: SharedViews): void {
  const sync = views.sync;
  const gen = Atomics.load(sync, 1);
  if (Atomics.add(sync, 0, 1) === views.nWorkers - 1) {
    Atomics.store(sync, 0, 0);
    Atomics.add(sync, 1, 1);
    Atomics.notify(sync, 1);
  } else {
    while (Atomics.load(sync, 1) === gen) Atomics.wait(sync, 1, gen);
  }
}

export interface FlatAdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/** torch.optim.Adam's update on params[lo, hi), using the mean of all workers' gradients. */
export function adamUpdateRange(views: SharedViews, lo: number, hi: number, step: number, o: FlatAdamOptions): void {
  const { params, m, v, grads } = views;
  const n = grads.length;
  const inv = 1 / n;
  const b1 = o.beta1;
  const b2 = o.beta2;
  const stepSize = o.lr / (1 - b1 ** step);
  const invSqrtBc2 = 1 / Math.sqrt(1 - b2 ** step);
  const g0 = grads[0]!;
  const g1 = n > 1 ? grads[1]! : null;
  for (let i = lo; i < hi; i++) {
    let g = g0[i]!;
    if (g1) g += g1[i]!;
    for (let w = 2; w < n; w++) g += grads[w]![i]!;
    g *= inv;
    const mi = b1 * m[i]! + (1 - b1) * g;
    const vi = b2 * v[i]! + (1 - b2) * g * g;
    m[i] = mi;
    v[i] = vi;
    params[i] = params[i]! - (stepSize * mi) / (Math.sqrt(vi) * invSqrtBc2 + o.eps);
  }
}
