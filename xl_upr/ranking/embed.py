"""Sentence embeddings of all-MiniLM-L6-v2 (int8 ONNX, shipped in ``xl_upr/model``).

Each text is run on its own: the model's int8 activations are quantised with one scale per
input tensor, so a text embedded in a batch would come out a little different next to other
texts (up to 0.03 per dimension, enough to move a score across a band). Alone, a text always
gets the same vector — in any run, on any machine, cached or not. Texts run on one thread per
core (onnxruntime releases the GIL), which is faster on 2 cores than batching was.

onnxruntime runs the model and ``tokenizers`` splits the text; both load only when a text has
to be embedded (a run whose embeddings are all cached imports neither). The model files are
checked against ``SHA256SUMS`` at load: a changed or damaged file is refused
(`SemanticUnavailable`), and the caller falls back to the lexical path with one warning.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MODEL_DIR = Path(__file__).resolve().parents[1] / "model"
ONNX_FILE = "minilm-l6-v2-int8.onnx"
DIM = 384
#: Word pieces kept per text (the model was trained on 256; UPR texts rarely reach 128).
MAX_TOKENS = 256
#: Bumped whenever the same model would give other vectors (cached vectors are keyed by it).
RECIPE = "one-text-per-run-1"
_CHUNK = 256


class SemanticUnavailable(RuntimeError):
    """The embedding model cannot be loaded (missing runtime, damaged or missing files)."""


@lru_cache(maxsize=1)
def model_hash() -> str:
    """sha256 of the shipped ONNX file as listed in SHA256SUMS (identifies cached embeddings)."""
    sums = _sums()
    if ONNX_FILE not in sums:
        raise SemanticUnavailable(f"{MODEL_DIR / 'SHA256SUMS'} does not list {ONNX_FILE}")
    return sums[ONNX_FILE]


def cache_tag() -> str:
    """What identifies a vector: the model file's hash and how texts are run through it."""
    return f"{model_hash()}:{RECIPE}"


def _sums() -> dict[str, str]:
    try:
        lines = (MODEL_DIR / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise SemanticUnavailable(f"model files missing ({err})") from None
    return {name.strip(): digest for digest, _, name in (line.partition("  ") for line in lines) if name}


@lru_cache(maxsize=1)
def _session() -> tuple[Any, Any]:
    import hashlib  # here: hashlib loads OpenSSL, which a lexical run never needs

    try:
        import onnxruntime as ort
        from tokenizers import Tokenizer
    except ImportError as err:
        raise SemanticUnavailable(f"{err.name or 'onnxruntime'} is not installed") from None
    for name, digest in _sums().items():
        path = MODEL_DIR / name
        try:
            actual = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as err:
            raise SemanticUnavailable(f"model file {path} cannot be read ({err.strerror})") from None
        if actual != digest:
            raise SemanticUnavailable(f"model file {path} is not the one xl-upr ships (sha256 differs)")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1  # one text per run, one run per core (see `embed`)
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    try:
        session = ort.InferenceSession(str(MODEL_DIR / ONNX_FILE), sess_options=opts,
                                       providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
    except Exception as err:  # onnxruntime raises its own exception types for a bad file
        raise SemanticUnavailable(f"the embedding model does not load ({err})") from None
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()
    return session, tokenizer


def embed(texts: Sequence[str], progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Unit-length embeddings (float32, ``len(texts) x 384``), each text run on its own.

    Examples
    --------
    >>> v = embed(["Abolish the death penalty", "Abolition of capital punishment", "Build more schools"])
    >>> v.shape, bool(v[0] @ v[1] > 0.6 > 0.2 > v[0] @ v[2])
    ((3, 384), True)
    """
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    if not len(texts):
        return out
    session, tokenizer = _session()

    def one(ids: list[int]) -> np.ndarray:
        x = np.asarray([ids], dtype=np.int64)
        return session.run(None, {"input_ids": x, "attention_mask": np.ones_like(x)})[0][0]

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for start in range(0, len(texts), _CHUNK):
            encodings = tokenizer.encode_batch([t or " " for t in texts[start:start + _CHUNK]])
            out[start:start + len(encodings)] = list(pool.map(one, [e.ids for e in encodings]))
            if progress is not None:
                progress(start + len(encodings), len(texts))
    return out
