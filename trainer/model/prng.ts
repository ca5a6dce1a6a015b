// Gaussian draws for model init, on the shared seeded PRNG (server/services/random.ts) so init is reproducible on
// every backend.
//
// API: normalSampler(rand) -> () => N(0,1) sample (Box–Muller, using both outputs of each pair).

export function normalSampler(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
