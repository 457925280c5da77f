"""``careline train | evaluate | triage``: the triage command line (no Django needed).

- ``train [--data DIR] [--out DIR] [--with-corrections]``: rebuild the model bundle from the
  research data; with ``--with-corrections`` the agents' triage corrections (read from the
  careline database, so only then Django is set up) are added to the training data.
- ``evaluate [--data DIR] [--models DIR]``: print the quality report as JSON.
- ``triage [--models DIR] [--workers N]``: JSON lines ``{"id","text","author"?}`` on stdin,
  one JSON line per item on stdout, in order; a line that is not JSON gets an error line.

Each takes ``--tier default|accurate`` (default: ``default``). ``train --tier accurate``
fine-tunes the MiniLM tier (``careline[train]``; ``--out`` is its model dir, ``--work`` its
cache); ``evaluate --tier accurate`` reports that tier (``--models`` is its model dir);
``triage --tier accurate`` uses it for complaint/offensive/sentiment (``careline[accurate]``;
``--accurate-models DIR`` overrides its model dir).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, TextIO

from careline.triage.base import TriageError

BATCH = 256


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="careline", description="careline triage models")
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="rebuild the triage models from the research data")
    train.add_argument("--data", type=Path, default=None, help="data dir (../shared/data)")
    train.add_argument("--out", type=Path, default=None, help="model dir (the package's)")
    train.add_argument(
        "--with-corrections",
        action="store_true",
        help="also learn from the agents' corrections in the careline database",
    )
    train.add_argument(
        "--refresh-teacher",
        action="store_true",
        help="default tier: first relabel the offensive head's extra tweets with the accurate "
        "tier (needs careline[accurate]; ~5 min on 2 cores)",
    )
    train.add_argument(
        "--no-teacher",
        action="store_true",
        help="default tier: train the offensive head on its gold labels only (e.g. other data)",
    )
    train.add_argument("--work", type=Path, default=None, help="accurate tier: cache dir")
    train.add_argument(
        "--cv-folds", type=int, default=None, help="accurate tier: complaint CV folds (10)"
    )
    train.add_argument(
        "--cv-max-folds",
        type=int,
        default=0,
        help="accurate tier: run only the first N folds now (cached; rerun to add more)",
    )
    evaluate = sub.add_parser("evaluate", help="report each analyser's quality")
    evaluate.add_argument("--data", type=Path, default=None)
    evaluate.add_argument("--models", type=Path, default=None)
    triage_tiers = ("default", "accurate")
    for command in (train, evaluate):
        command.add_argument("--tier", choices=triage_tiers, default="default")
        command.add_argument(
            "--topic-sample",
            type=Path,
            default=None,
            help="hand-labelled topic/kind sample: id,topic,kind with ids of the complaints "
            "data (default: the one shipped in careline/triage/labels)",
        )
    triage = sub.add_parser("triage", help="JSON lines on stdin -> triage JSON lines on stdout")
    triage.add_argument("--models", type=Path, default=None)
    triage.add_argument("--workers", type=int, default=1, help="processes (one per core)")
    triage.add_argument("--tier", choices=triage_tiers, default="default")
    triage.add_argument("--accurate-models", type=Path, default=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(argv) if argv is not None else None)
    try:
        if args.command == "train" and args.tier == "accurate":
            return _train_accurate(args)
        if args.command == "evaluate" and args.tier == "accurate":
            from careline.triage.accurate.evaluation import evaluate_accurate

            print(json.dumps(evaluate_accurate(args.data, args.models), indent=2))
            return 0
        if args.command == "train":
            from careline.triage.training import TrainingConfig, train_models

            if args.refresh_teacher:
                from careline.triage.distillation import write_teacher_labels
                from careline.triage.training import default_data_dir

                data_dir = args.data or default_data_dir()
                write_teacher_labels(data_dir, log=lambda m: print(m, file=sys.stderr))
            extra = corrections_from_database() if args.with_corrections else None
            config = TrainingConfig(offensive_teacher=None) if args.no_teacher else None
            manifest = train_models(
                args.data,
                args.out,
                config=config,
                log=lambda m: print(m, file=sys.stderr),
                extra_examples=extra,
                topic_sample=args.topic_sample,
            )
            print(json.dumps(manifest, indent=2, sort_keys=True))
            return 0
        if args.command == "evaluate":
            from careline.triage.evaluation import evaluate_all

            report = evaluate_all(args.data, args.models, topic_sample=args.topic_sample)
            print(json.dumps(report, indent=2))
            return 0
        if args.tier == "accurate":
            return triage_stream(
                sys.stdin,
                sys.stdout,
                model_dir=args.models,
                workers=args.workers,
                tier="accurate",
                accurate_model_dir=args.accurate_models,
            )
        return triage_stream(sys.stdin, sys.stdout, model_dir=args.models, workers=args.workers)
    except TriageError as exc:
        print(f"careline: {exc}", file=sys.stderr)
        return 2


def _train_accurate(args: argparse.Namespace) -> int:
    if args.with_corrections:
        raise TriageError("--with-corrections is not supported by the accurate tier")
    import dataclasses

    from careline.triage.accurate.train import AccurateConfig, train_accurate

    config = AccurateConfig(cv_max_folds=args.cv_max_folds)
    if args.cv_folds is not None:
        config = dataclasses.replace(config, cv_folds=args.cv_folds)
    manifest = train_accurate(
        args.data,
        args.out,
        config=config,
        work_dir=args.work,
        log=lambda m: print(m, file=sys.stderr, flush=True),
    )
    print(json.dumps(manifest, indent=2, sort_keys=True))
    return 0


def corrections_from_database() -> dict[str, list[tuple[str, str]]]:
    """The agents' corrections as training examples. The only place the triage command line
    touches Django: it needs the settings and the database, the default path needs neither."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careline.settings")
    django.setup()
    from careline.assessments.selectors import correction_examples

    examples = correction_examples()
    counts = ", ".join(f"{task}: {len(pairs)}" for task, pairs in sorted(examples.items()))
    print(f"corrections: {counts or 'none'}", file=sys.stderr)
    return examples


def _batches(stream: TextIO) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for line in stream:
        if not line.strip():
            continue
        try:
            batch.append(json.loads(line))
        except ValueError as exc:
            batch.append(_BadLine(str(exc)))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class _BadLine:
    def __init__(self, error: str) -> None:
        self.error = error


_WORKER_PIPELINE: Any = None


def _init_worker(
    model_dir: Path | None, tier: str = "default", accurate: tuple[Path | None, int] = (None, 2)
) -> None:
    global _WORKER_PIPELINE
    from careline.triage.pipeline import TriagePipeline

    if tier == "default":
        _WORKER_PIPELINE = TriagePipeline(model_dir=model_dir)
    else:
        _WORKER_PIPELINE = TriagePipeline(
            tier, model_dir=model_dir, accurate_model_dir=accurate[0], accurate_threads=accurate[1]
        )
    _WORKER_PIPELINE.load()


def _run_batch(batch: list[Any]) -> list[tuple[bool, str]]:
    """Triage one batch in order; returns (failed, JSON line) per entry.

    Invalid JSON lines become error outputs. Serialising here keeps the parent process free.
    """
    from careline.triage.pipeline import _error_output

    items = [b for b in batch if not isinstance(b, _BadLine)]
    results = iter(_WORKER_PIPELINE.run(items))
    lines = []
    for entry in batch:
        if isinstance(entry, _BadLine):
            out = _error_output(None, f"invalid JSON line: {entry.error}")
        else:
            out = next(results)
        line = json.dumps(out, ensure_ascii=False)
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate from the input: escape it
            line = json.dumps(out)
        lines.append((out["kind"] is None, line))
    return lines


def _ordered_results(
    batches: Iterator[list[Any]],
    model_dir: Path | None,
    workers: int,
    tier: str = "default",
    accurate_model_dir: Path | None = None,
) -> Iterator[list[tuple[bool, str]]]:
    # The accurate tier's onnxruntime threads: the cores shared among the worker processes.
    accurate = (accurate_model_dir, max(1, (os.cpu_count() or 2) // max(1, workers)))
    if workers <= 1:
        _init_worker(model_dir, tier, accurate)
        yield from map(_run_batch, batches)
        return
    # A bounded window of batches in flight: stdin is streamed, output keeps input order.
    initargs = (model_dir, tier, accurate)
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=initargs) as pool:
        pending: deque[Future[list[tuple[bool, str]]]] = deque()
        for batch in batches:
            pending.append(pool.submit(_run_batch, batch))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def triage_stream(
    stdin: TextIO,
    stdout: TextIO,
    *,
    model_dir: Path | None = None,
    workers: int = 1,
    tier: str = "default",
    accurate_model_dir: Path | None = None,
) -> int:
    """Triage every JSON line of ``stdin`` in order; returns 0, or 1 if any item failed.

    ``workers`` > 1 runs that many processes (one per core), each loading the models once.
    ``tier="accurate"`` uses the accurate tier (``careline[accurate]``) where it applies.
    """
    failed = False
    results = _ordered_results(_batches(stdin), model_dir, workers, tier, accurate_model_dir)
    for outs in results:
        for item_failed, line in outs:
            failed = failed or item_failed
            stdout.write(line + "\n")
        stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
