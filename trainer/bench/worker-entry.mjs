// Thread entry for data-parallel workers: registers tsx's loader inside the worker (loaders are per thread),
// then runs the TypeScript worker. Keeps the worker usable from tsx, vitest and the rlhf bin alike.
import { register } from "tsx/esm/api";

register();
await import(new URL("./train-worker.ts", import.meta.url).href);
