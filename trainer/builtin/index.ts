// The built-in base policy: its registration lives in server/services (the web bootstrap needs it too, and the web
// never imports trainer/); the trainer re-exports it beside the model's shape.
export { BUILTIN_MODEL_DIR, BUILTIN_MODEL_NAME, ensureBuiltinModel } from "../../server/services/builtin-model";
export { BUILTIN_MODEL_CONFIG } from "./paths";
