#!/usr/bin/env python3
"""Makes tests/fixtures/hf-gpt2-tiny: a tiny GPT-2 checkpoint in Hugging Face's layout, plus reference logits.

Run once with Debian's PyTorch (no transformers package needed):  /usr/bin/python3 scripts/make-hf-fixture.py

What it writes (all small, committed):
  config.json           HF GPT2Config fields; no "rlhf" key, like a checkpoint straight from the Hub
  model.safetensors     names as GPT2LMHeadModel.save_pretrained writes them: a `transformer.` prefix, the
                        `attn.bias` causal-mask buffers (U8), and a tied `lm_head.weight` copy, all of which the
                        loader must accept; Conv1D weights in HF's [in, out] layout
  expected.json         token sequences and the logits of the reference forward pass below
  halfprec.safetensors  one tensor stored as F16 and as BF16, with its exact F32 values in expected.json

The forward pass is an independent plain-torch GPT-2 (pre-LN, GELU tanh, learned positions, tied head),
written from the GPT-2 paper / HF modeling_gpt2 semantics, so the TypeScript model is checked against torch.
Weights are drawn with a larger std than GPT-2's 0.02 so that logits differ clearly between tokens.
"""
import json
import math
import os
import struct

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "hf-gpt2-tiny")
V, P, D, L, H, EPS = 300, 64, 24, 2, 2, 1e-5
torch.manual_seed(1234)


def rnd(*shape, std=0.2):
    return torch.randn(*shape) * std


params = {"wte.weight": rnd(V, D, std=0.3), "wpe.weight": rnd(P, D, std=0.1)}
for i in range(L):
    p = f"h.{i}."
    params.update({
        p + "ln_1.weight": 1 + rnd(D, std=0.1), p + "ln_1.bias": rnd(D, std=0.1),
        p + "attn.c_attn.weight": rnd(D, 3 * D), p + "attn.c_attn.bias": rnd(3 * D, std=0.05),
        p + "attn.c_proj.weight": rnd(D, D), p + "attn.c_proj.bias": rnd(D, std=0.05),
        p + "ln_2.weight": 1 + rnd(D, std=0.1), p + "ln_2.bias": rnd(D, std=0.1),
        p + "mlp.c_fc.weight": rnd(D, 4 * D), p + "mlp.c_fc.bias": rnd(4 * D, std=0.05),
        p + "mlp.c_proj.weight": rnd(4 * D, D), p + "mlp.c_proj.bias": rnd(D, std=0.05),
    })
params["ln_f.weight"] = 1 + rnd(D, std=0.1)
params["ln_f.bias"] = rnd(D, std=0.1)


def layer_norm(x, w, b):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + EPS) * w + b


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def forward(ids):
    """ids: list of ints -> logits [T, V], computed in float64 for a clean reference."""
    w = {k: v.double() for k, v in params.items()}
    t = len(ids)
    x = w["wte.weight"][torch.tensor(ids)] + w["wpe.weight"][:t]
    dh = D // H
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for i in range(L):
        p = f"h.{i}."
        h = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"])
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]  # Conv1D: x @ W, W is [in, out]
        q, k, v = qkv.split(D, dim=-1)
        heads = []
        for hd in range(H):
            sl = slice(hd * dh, (hd + 1) * dh)
            att = (q[:, sl] @ k[:, sl].T) / math.sqrt(dh)
            att = att.masked_fill(~causal, float("-inf")).softmax(-1)
            heads.append(att @ v[:, sl])
        x = x + torch.cat(heads, -1) @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"])
        x = x + gelu_tanh(h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"]) @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"])
    return x @ w["wte.weight"].T


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, dtype string, shape, raw bytes)."""
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    js = json.dumps(header, separators=(",", ":")).encode()
    js += b" " * ((8 - (8 + len(js)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)


def f32_bytes(t):
    return struct.pack(f"<{t.numel()}f", *t.flatten().tolist())


os.makedirs(OUT, exist_ok=True)
entries = []
for name, t in params.items():
    entries.append(("transformer." + name, "F32", t.shape, f32_bytes(t)))
    if name.endswith("ln_1.weight"):
        layer = name.split(".")[1]
        mask = torch.tril(torch.ones(P, P, dtype=torch.uint8)).view(1, 1, P, P)
        entries.append((f"transformer.h.{layer}.attn.bias", "U8", mask.shape, bytes(mask.flatten().tolist())))
entries.append(("lm_head.weight", "F32", params["wte.weight"].shape, f32_bytes(params["wte.weight"])))
write_safetensors(os.path.join(OUT, "model.safetensors"), entries, {"format": "pt"})

config = {
    "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "activation_function": "gelu_new",
    "vocab_size": V, "n_positions": P, "n_ctx": P, "n_embd": D, "n_layer": L, "n_head": H,
    "layer_norm_epsilon": EPS, "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1,
    "initializer_range": 0.02, "bos_token_id": V - 1, "eos_token_id": V - 1,
}
with open(os.path.join(OUT, "config.json"), "w") as f:
    json.dump(config, f, indent=2)

sequences = [[5, 17, 299, 0, 42, 42, 7], [123, 250, 3, 88]]
# Half precision check: values exactly representable in F16 and BF16 after rounding; we store the rounded F32 values.
half = torch.tensor([0.0, 1.0, -2.5, 3.140625, 65504.0 / 1024, -0.0009765625, 100.0, 1e-3])
f16 = half.to(torch.float16)
bf16 = half.to(torch.bfloat16)
write_safetensors(os.path.join(OUT, "halfprec.safetensors"), [
    ("f16", "F16", f16.shape, f16.numpy().tobytes()),
    ("bf16", "BF16", bf16.shape, bf16.view(torch.int16).numpy().tobytes()),
])
expected = {
    "note": "made by scripts/make-hf-fixture.py; logits from a float64 plain-torch GPT-2 forward pass",
    "torch_version": torch.__version__,
    "sequences": sequences,
    "logits": [[[float(f"{v:.7g}") for v in row] for row in forward(s).tolist()] for s in sequences],
    "halfprec": {"f16": f16.float().tolist(), "bf16": bf16.float().tolist()},
}
with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(expected, f, separators=(",", ":"))
print("wrote", OUT, sorted((n, os.path.getsize(os.path.join(OUT, n))) for n in os.listdir(OUT)))
