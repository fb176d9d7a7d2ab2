"""Sentence embeddings of all-MiniLM-L6-v2 (int8 ONNX, shipped in ``xl_upr/model``).

onnxruntime runs the model and ``tokenizers`` splits the text; both load only when a text has
to be embedded (a run whose embeddings are all cached imports neither). The model files are
checked against ``SHA256SUMS`` at load: a changed or damaged file is refused
(`SemanticUnavailable`), and the caller falls back to the lexical path with one warning.
"""

from __future__ import annotations

import hashlib
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
_BATCH = 32
_CHUNK = 4096


class SemanticUnavailable(RuntimeError):
    """The embedding model cannot be loaded (missing runtime, damaged or missing files)."""


@lru_cache(maxsize=1)
def model_hash() -> str:
    """sha256 of the shipped ONNX file as listed in SHA256SUMS (identifies cached embeddings)."""
    sums = _sums()
    if ONNX_FILE not in sums:
        raise SemanticUnavailable(f"{MODEL_DIR / 'SHA256SUMS'} does not list {ONNX_FILE}")
    return sums[ONNX_FILE]


def _sums() -> dict[str, str]:
    try:
        lines = (MODEL_DIR / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise SemanticUnavailable(f"model files missing ({err})") from None
    return {name.strip(): digest for digest, _, name in (line.partition("  ") for line in lines) if name}


@lru_cache(maxsize=1)
def _session() -> tuple[Any, Any]:
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
    opts.intra_op_num_threads = os.cpu_count() or 1
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
    """Unit-length embeddings (float32, ``len(texts) x 384``); texts are tokenised in chunks and
    run in batches of similar length (memory stays bounded for any corpus size).

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
    for chunk in range(0, len(texts), _CHUNK):
        encodings = tokenizer.encode_batch([t or " " for t in texts[chunk:chunk + _CHUNK]])
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(order), _BATCH):
            rows = order[start:start + _BATCH]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for k, i in enumerate(rows.tolist()):
                n = len(encodings[i].ids)
                ids[k, :n] = encodings[i].ids
                mask[k, :n] = 1
            out[chunk + rows] = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            if progress is not None:
                progress(min(chunk + start + _BATCH, len(texts)), len(texts))
    return out
