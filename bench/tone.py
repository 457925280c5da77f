"""Speed of the tone guard: replies/s and ms per reply, as the composer calls it.

Usage: python bench/tone.py [--seconds S] [--recent N]

Replies are the labelled set (careline/replies/tone/eval/replies.jsonl); each context gets
``--recent`` recent public replies (default 50) so the near-duplicate check does real work.
Also times a 10,000-character reply. Times the guard twice: rules + the learned phrase model
(as shipped) and rules alone (``use_model=False``). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from careline.replies.tone import ReplyContext, check_reply, learned  # noqa: E402
from careline.replies.tone.evaluation import load  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--recent", type=int, default=50)
    args = parser.parse_args()

    examples = load()
    recent = tuple(
        f"Hi {name}, thanks for getting in touch about order {i} — we'll take a look."
        for i, name in enumerate(["Ana", "Ben", "Cleo", "Dev", "Eli"] * (args.recent // 5 + 1))
    )[: args.recent]
    cases = [
        (e.text, dataclasses.replace(e.context, recent_public_replies=recent)) for e in examples
    ]
    for text, context in cases:  # warm caches and the private-data rules
        check_reply(text, context)

    long_text = ("Sorry about the delay with your order, we are looking into it. " * 160)[:10_000]
    long_context = ReplyContext(kind="complaint", platform="x", public=True, customer_name="Sam")
    result: dict[str, object] = {
        "learned_model": learned.shipped_model() is not None,
        "recent_public_replies": args.recent,
    }
    for label, use_model in (("with_model", True), ("rules_only", False)):
        result[label] = _time(cases, long_text, long_context, args.seconds, use_model)
    print(json.dumps(result, indent=2))


def _time(
    cases: list[tuple[str, ReplyContext]],
    long_text: str,
    long_context: ReplyContext,
    seconds: float,
    use_model: bool,
) -> dict[str, float]:
    timings: list[float] = []
    replies = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for text, context in cases:
            t0 = time.perf_counter()
            check_reply(text, context, use_model=use_model)
            timings.append(time.perf_counter() - t0)
        replies += len(cases)
    elapsed = time.perf_counter() - started
    t0 = time.perf_counter()
    check_reply(long_text, long_context, use_model=use_model)
    long_ms = (time.perf_counter() - t0) * 1000
    timings.sort()
    return {
        "replies": replies,
        "replies_per_s": round(replies / elapsed),
        "ms_per_reply_median": round(statistics.median(timings) * 1000, 3),
        "ms_per_reply_p95": round(timings[int(len(timings) * 0.95)] * 1000, 3),
        "ms_per_reply_max": round(timings[-1] * 1000, 3),
        "ms_for_10k_chars": round(long_ms, 1),
    }


if __name__ == "__main__":
    main()
