"""Speed of the triage pipeline: load time, items/s and ms/item (1 and 2 processes).

Usage: python bench/triage.py [--items N] [--batch B] [--workers 1 2] [--tier default accurate]

``--tier accurate`` (needs ``careline[accurate]``) benchmarks the accurate tier: the full
pipeline with complaint/offensive/sentiment from the int8 MiniLM encoder; onnxruntime uses
the cores shared among the worker processes (2 threads for 1 worker, 1 each for 2).

Texts are the TweetEval sentiment val tweets when ../shared/data is present (read, never
stored), else generated sentences. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_PIPELINE: Any = None


def _texts(n: int) -> list[str]:
    from careline.triage.training import default_data_dir

    path = default_data_dir() / "tweeteval" / "sentiment" / "val_text.txt"
    if path.exists():
        base = [t for t in path.read_text(encoding="utf-8").split("\n") if t]
    else:
        rng = random.Random(0)
        words = [
            "my",
            "order",
            "is",
            "late",
            "refund",
            "please",
            "thanks",
            "love",
            "the",
            "new",
            "app",
            "crashed",
            "again",
        ]
        base = [" ".join(rng.choice(words) for _ in range(rng.randint(5, 25))) for _ in range(2000)]
    extra = [
        "@shop my card 4111 1111 1111 1111 was charged twice, order #LH-104233",
        "call me on +44 20 7946 0958 or mail jane@example.com about order 104233",
    ]
    pool = base + extra
    return [pool[i % len(pool)] for i in range(n)]


def _threads(workers: int) -> int:
    return max(1, (os.cpu_count() or 2) // max(1, workers))


def _init_worker(tier: str = "default", threads: int = 2) -> None:
    global _PIPELINE
    from careline.triage.pipeline import TriagePipeline

    if tier == "default":
        _PIPELINE = TriagePipeline()
    else:
        _PIPELINE = TriagePipeline(tier, accurate_threads=threads)
    _PIPELINE.load()


def _work(items: list[dict[str, Any]]) -> int:
    return len(_PIPELINE.run(items))


def load_seconds(tier: str = "default") -> float:
    """Import + load in a fresh interpreter (what a worker pays at start)."""
    code = (
        "import time; t=time.perf_counter();"
        "from careline.triage.pipeline import TriagePipeline;"
        f"TriagePipeline({tier!r}).load(); print(time.perf_counter()-t)"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return float(out.stdout.strip())


def throughput(n: int, batch: int, workers: int, tier: str = "default") -> dict[str, Any]:
    items = [{"id": i, "text": t} for i, t in enumerate(_texts(n))]
    chunks = [items[i : i + batch] for i in range(0, len(items), batch)]
    if workers == 1:
        _init_worker(tier, _threads(1))
        _work(chunks[0])  # warm-up
        start = time.perf_counter()
        done = sum(_work(c) for c in chunks)
    else:
        init = (tier, _threads(workers))
        # onnxruntime's thread pool does not survive fork() once this process has loaded it
        # (the 1-worker run above): the accurate tier's workers are spawned instead.
        context = multiprocessing.get_context("spawn") if tier == "accurate" else None
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_init_worker, initargs=init
        ) as pool:
            list(pool.map(_work, chunks[:workers]))  # warm-up: both workers loaded
            start = time.perf_counter()
            done = sum(pool.map(_work, chunks))
    seconds = time.perf_counter() - start
    return {
        "tier": tier,
        "workers": workers,
        "items": done,
        "items_per_s": round(done / seconds),
        "ms_per_item": round(1000 * seconds / done, 3),
    }


def cli_end_to_end(n: int, workers: int, tier: str = "default") -> dict[str, Any]:
    """``careline triage --workers N`` on n JSON lines, start-up and JSON included."""
    lines = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(_texts(n)))
    start = time.perf_counter()
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "careline.triage.cli",
            "triage",
            "--workers",
            str(workers),
            *(["--tier", tier] if tier != "default" else []),
        ],
        input=lines,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    seconds = time.perf_counter() - start
    done = out.stdout.count("\n")
    return {"tier": tier, "workers": workers, "items": done, "items_per_s": round(done / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--tier", nargs="+", choices=["default", "accurate"], default=["default"])
    args = parser.parse_args()
    report: dict[str, Any] = {"cpu_count": os.cpu_count(), "batch": args.batch}
    for tier in args.tier:
        loads = sorted(load_seconds(tier) for _ in range(3))
        key = "" if tier == "default" else f"{tier}_"
        report[f"{key}load_seconds_median"] = round(loads[1], 3)
    report["runs"] = [
        throughput(args.items, args.batch, w, tier) for tier in args.tier for w in args.workers
    ]
    report["cli_end_to_end"] = [
        cli_end_to_end(args.items, w, tier) for tier in args.tier for w in args.workers
    ]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
