#!/usr/bin/env node
// The `rlhf` command: loads trainer/cli.ts under tsx (no build step needed).
import { register } from "tsx/esm/api";

register();
const { main } = await import(new URL("../cli.ts", import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
