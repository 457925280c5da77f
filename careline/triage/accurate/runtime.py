"""Inference for the accurate tier: one int8 ONNX MiniLM encoder with three heads.

Needs only ``onnxruntime``, ``tokenizers`` and ``numpy`` (the ``careline[accurate]`` extra);
never PyTorch. The model directory (``careline/triage/models/accurate``) holds:

- ``tokenizer.json``: the MiniLM WordPiece tokenizer (truncation and padding set here anyway),
- ``model.int8.onnx``: inputs ``input_ids``/``attention_mask`` (int64, batch x tokens), one
  logits output per task (``logits_<task>``, batch x labels),
- ``manifest.json``: tasks, labels, max_seq_len, file hashes, data hashes and figures.

Texts are normalised (:func:`normalise`) exactly as in training, cut to ``max_seq_len``
tokens, and by default run one at a time: dynamic int8 quantisation scales activations over
the whole input tensor, so in a batch a text's probabilities would depend on its batch mates
(measured on the val sets: up to 0.3, 2-3 % of labels flipped, and slightly lower scores).
``batch_size`` > 1 sorts texts by length into batches: ~1.7x faster on 2 threads, approximate.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from careline.triage.base import Analyser, Prediction, TriageError

MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "accurate"
MANIFEST = "manifest.json"
MODEL_FILE = "model.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
TASKS = ("complaint", "offensive", "sentiment")
MAX_CHARS = 1000
INSTALL_HINT = "the accurate tier needs its extra: install careline[accurate]"
REASON_PREFIX = "accurate tier (MiniLM int8)"

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@\w{1,30}")
_REPEAT = re.compile(r"(.)\1{3,}")
_SPACE = re.compile(r"[\s\x00-\x1f\x7f]+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def normalise(text: str) -> str:
    """The text the encoder sees, in training and inference alike.

    HTML entities decoded, URLs -> ``http``, every ``@handle`` -> ``@user`` (in the
    complaints data the handle names the brand and would leak the label; TweetEval already
    uses ``@user``), runs of a character capped at three, whitespace collapsed, cut at
    ``MAX_CHARS`` characters. Case is left to the (uncased) tokenizer; digits are kept.
    """
    text = _SURROGATE.sub(" ", html.unescape(text[: 4 * MAX_CHARS]))
    text = _URL.sub(" http ", text)
    text = _MENTION.sub("@user", text)
    text = _REPEAT.sub(r"\1\1\1", text)
    return _SPACE.sub(" ", text).strip()[:MAX_CHARS]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(model_dir: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((model_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TriageError(
            f"no accurate-tier model in {model_dir} ({exc}); "
            "run `careline train --tier accurate` (needs careline[train])"
        ) from exc
    return data


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out


class AccurateModel:
    """The shared encoder: ``probabilities(texts)`` -> ``{task: (n, labels) array}``.

    ``threads`` is onnxruntime's intra-op thread count (use 1 per worker process when
    running one process per core). ``batch_size`` 1 (default) makes every text's scores its
    own; larger batches are faster but depend on the batch mates (see the module docstring).
    """

    def __init__(
        self,
        model_dir: Path | str | None = None,
        *,
        threads: int = 2,
        batch_size: int = 1,
        verify: bool = False,
    ) -> None:
        self.model_dir = Path(model_dir) if model_dir is not None else MODEL_DIR
        self.threads = threads
        self.batch_size = batch_size
        self.verify = verify
        self.manifest: dict[str, Any] = {}
        self.labels: dict[str, list[str]] = {}
        self.max_seq_len = 64
        self._session: Any = None
        self._tokenizer: Any = None
        self._outputs: list[str] = []

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", ""))

    @property
    def loaded(self) -> bool:
        return self._session is not None

    def load(self) -> None:
        if self._session is not None:
            return
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise TriageError(f"{INSTALL_HINT} ({exc})") from exc
        manifest = read_manifest(self.model_dir)
        model_path = self.model_dir / manifest.get("model_file", MODEL_FILE)
        tokenizer_path = self.model_dir / manifest.get("tokenizer_file", TOKENIZER_FILE)
        if self.verify:
            for name, expected in manifest.get("files_sha256", {}).items():
                if file_sha256(self.model_dir / name) != expected:
                    raise TriageError(f"{self.model_dir / name}: checksum mismatch")
        try:
            tokenizer = Tokenizer.from_file(str(tokenizer_path))
            options = ort.SessionOptions()
            options.intra_op_num_threads = max(1, int(self.threads))
            options.inter_op_num_threads = 1
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3
            session = ort.InferenceSession(
                str(model_path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime and tokenizers raise their own types
            raise TriageError(f"cannot load the accurate-tier model: {exc}") from exc
        self.max_seq_len = int(manifest.get("max_seq_len", 64))
        tokenizer.no_padding()
        tokenizer.enable_truncation(self.max_seq_len)
        self.labels = {task: list(names) for task, names in manifest["labels"].items()}
        self._outputs = [f"logits_{task}" for task in self.labels]
        missing = set(self._outputs) - {o.name for o in session.get_outputs()}
        if missing:
            raise TriageError(f"{model_path} lacks outputs {sorted(missing)}")
        self.manifest = manifest
        self._tokenizer = tokenizer
        self._session = session

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids per text (normalised, truncated, with [CLS]/[SEP])."""
        self.load()
        encodings = self._tokenizer.encode_batch([normalise(t) for t in texts])
        return [e.ids for e in encodings]

    def logits(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Raw logits per task, rows in input order."""
        self.load()
        n = len(texts)
        out = {
            task: np.zeros((n, len(names)), dtype=np.float32) for task, names in self.labels.items()
        }
        if n == 0:
            return out
        ids = self.encode(texts)
        lengths = np.array([len(x) for x in ids])
        order = np.argsort(lengths, kind="stable")
        for start in range(0, n, self.batch_size):
            rows = order[start : start + self.batch_size]
            width = int(lengths[rows].max())
            input_ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, row in enumerate(rows.tolist()):
                input_ids[r, : lengths[row]] = ids[row]
                mask[r, : lengths[row]] = 1
            results = self._session.run(
                self._outputs, {"input_ids": input_ids, "attention_mask": mask}
            )
            for task, values in zip(self.labels, results, strict=True):
                out[task][rows] = values
        return out

    def probabilities(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Class probabilities per task, shape (n, labels), rows in input order."""
        return {task: softmax(v.astype(np.float64)) for task, v in self.logits(texts).items()}


class AccurateAnalyser(Analyser):
    """One task of the accurate tier as a regular analyser (shares the encoder run).

    The pipeline calls :meth:`AccurateModel.probabilities` once per batch and turns each
    task's rows into Predictions with :func:`predictions`; ``predict`` here is for using one
    task on its own.
    """

    def __init__(self, task: str, model: AccurateModel) -> None:
        super().__init__()
        self.task = task
        self.name = task
        self.model = model

    def _load(self) -> None:
        self.model.load()
        if self.task not in self.model.labels:
            raise TriageError(f"accurate-tier model has no {self.task!r} head")
        self.version = f"accurate-{self.model.version}"

    def _predict(self, texts: Sequence[str]) -> list[Prediction]:
        probs = self.model.probabilities(texts)[self.task]
        return predictions(self.task, self.model.labels[self.task], probs, self.version)


def predictions(
    task: str, labels: Sequence[str], probs: np.ndarray, version: str
) -> list[Prediction]:
    """Predictions (label = argmax, score = its probability) with readable reasons."""
    best = probs.argmax(axis=1)
    out = []
    for i, k in enumerate(best.tolist()):
        p = float(probs[i, k])
        out.append(
            Prediction(
                task,
                version,
                labels[k],
                round(p, 4),
                f"{REASON_PREFIX} p={p:.2f} for {labels[k]}",
                {
                    "probabilities": {
                        name: round(float(probs[i, j]), 4) for j, name in enumerate(labels)
                    }
                },
            )
        )
    return out
