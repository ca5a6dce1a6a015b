// The far side of the kill-during-save test: saves a resumable checkpoint again and again, each save's tensors all set
// to its step (moments to −step), until it is killed. A torn save would show as tensors that disagree with the step.
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../trainer/backend/index";
import { ResumeStore } from "../../trainer/checkpoint/resume";
import { Adam } from "../../trainer/model/adam";
import { GPT } from "../../trainer/model/gpt";

const [dir, shape] = process.argv.slice(2);
if (!dir || !shape) {
  console.error("usage: run-ts.mjs tests/support/resume-save-loop.ts DIR GPT_CONFIG_JSON");
  process.exit(2);
}
await initBackend("wasm");
const gpt = new GPT(JSON.parse(shape), { seed: 1 });
const adam = new Adam(gpt.params, { lr: 1e-3 });
const store = new ResumeStore(dir);
for (let step = (store.latest()?.step ?? 0) + 1; ; step++) {
  for (const v of gpt.params.values()) v.assign(tf.fill(v.shape, step));
  for (const v of adam.moments().values()) v.assign(tf.fill(v.shape, -step));
  adam.stepCount = step;
  await store.save(step, { params: gpt.params, optimizers: { adam }, state: { step } });
}
