// What a model name may be, declared once: registered models and the external names imported files give
// completions share it, so an external name can later be registered as it is.

export const MODEL_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const MODEL_NAME_RULE = "1-64 letters, digits, '.', '_' or '-'";
