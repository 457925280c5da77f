"""``careline train | evaluate | triage``: the triage command line (no Django needed).

- ``train [--data DIR] [--out DIR]``: rebuild the model bundle from the research data.
- ``evaluate [--data DIR] [--models DIR]``: print the quality report as JSON.
- ``triage [--models DIR] [--workers N]``: JSON lines ``{"id","text","author"?}`` on stdin,
  one JSON line per item on stdout, in order; a line that is not JSON gets an error line.
"""

from __future__ import annotations

import argparse
import json
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
    evaluate = sub.add_parser("evaluate", help="report each analyser's quality")
    evaluate.add_argument("--data", type=Path, default=None)
    evaluate.add_argument("--models", type=Path, default=None)
    triage = sub.add_parser("triage", help="JSON lines on stdin -> triage JSON lines on stdout")
    triage.add_argument("--models", type=Path, default=None)
    triage.add_argument("--workers", type=int, default=1, help="processes (one per core)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(argv) if argv is not None else None)
    try:
        if args.command == "train":
            from careline.triage.training import train_models

            manifest = train_models(args.data, args.out, log=lambda m: print(m, file=sys.stderr))
            print(json.dumps(manifest, indent=2, sort_keys=True))
            return 0
        if args.command == "evaluate":
            from careline.triage.evaluation import evaluate_all

            print(json.dumps(evaluate_all(args.data, args.models), indent=2))
            return 0
        return triage_stream(sys.stdin, sys.stdout, model_dir=args.models, workers=args.workers)
    except TriageError as exc:
        print(f"careline: {exc}", file=sys.stderr)
        return 2


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


def _init_worker(model_dir: Path | None) -> None:
    global _WORKER_PIPELINE
    from careline.triage.pipeline import TriagePipeline

    _WORKER_PIPELINE = TriagePipeline(model_dir=model_dir)
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
    batches: Iterator[list[Any]], model_dir: Path | None, workers: int
) -> Iterator[list[tuple[bool, str]]]:
    if workers <= 1:
        _init_worker(model_dir)
        yield from map(_run_batch, batches)
        return
    # A bounded window of batches in flight: stdin is streamed, output keeps input order.
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(model_dir,)) as pool:
        pending: deque[Future[list[tuple[bool, str]]]] = deque()
        for batch in batches:
            pending.append(pool.submit(_run_batch, batch))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def triage_stream(
    stdin: TextIO, stdout: TextIO, *, model_dir: Path | None = None, workers: int = 1
) -> int:
    """Triage every JSON line of ``stdin`` in order; returns 0, or 1 if any item failed.

    ``workers`` > 1 runs that many processes (one per core), each loading the models once.
    """
    failed = False
    for outs in _ordered_results(_batches(stdin), model_dir, workers):
        for item_failed, line in outs:
            failed = failed or item_failed
            stdout.write(line + "\n")
        stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
