// Thread entry for GradientWorkers: registers tsx's loader inside the worker (loaders are per thread), then runs the
// TypeScript worker body.
import { register } from "tsx/esm/api";

register();
await import(new URL("./gradient-worker.ts", import.meta.url).href);
