"""``careline tone-check | tone-evaluate``: the tone guard on the command line (no Django).

- ``tone-check``: JSON lines ``{"id", "text", "context": {...}}`` on stdin (``context`` as
  :meth:`ReplyContext.from_dict` reads it), one JSON line per reply on stdout, in order:
  ``{"id", "ok", "findings": [...], "needs_approval", "approval_reasons"}``. A line that cannot
  be read gets ``{"id": <id or null>, "error": "line N: …"}`` and the others go on; the exit
  code is 1 if any line failed.
- ``tone-evaluate [--data FILE] [--split NAME|all] [--json]``: per-category precision and
  recall, % bad replies flagged and % good replies flagged, per split.
- ``train-tone [--data FILE ...] [--out DIR]``: train the learned phrase model
  (training.py) on the project's replies, the first blind set and train/*.jsonl by default;
  prints the leave-one-source-out figures. Held-out sets (blind2*, blind3*) are refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from careline.replies.tone.guard import check_reply
from careline.replies.tone.model import ReplyContext

COMMANDS = ("tone-check", "tone-evaluate", "train-tone")
MAX_LINE_CHARS = 1_000_000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="careline", description="careline tone guard")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("tone-check", help="JSON lines of replies on stdin -> findings on stdout")
    evaluate = sub.add_parser("tone-evaluate", help="measure the guard on the labelled set")
    evaluate.add_argument("--data", type=Path, default=None, help="labelled JSON lines")
    evaluate.add_argument(
        "--split", default="all", help="dev, test, blind-dev, … or all (every split in the file)"
    )
    evaluate.add_argument("--json", action="store_true", help="print JSON instead of a table")
    train = sub.add_parser("train-tone", help="train the learned phrase model")
    train.add_argument(
        "--data",
        type=Path,
        nargs="+",
        default=None,
        help="labelled JSON lines, one source each (default: replies, blind, train/*.jsonl)",
    )
    train.add_argument("--out", type=Path, default=None, help="model directory")
    return parser


def check_line(line: str, number: int) -> dict[str, Any]:
    """The output object for one input line (a result or an error), never raising."""
    reply_id: Any = None
    try:
        if len(line) > MAX_LINE_CHARS:
            raise ValueError(f"line longer than {MAX_LINE_CHARS:,} characters")
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"not JSON ({error.msg} at column {error.colno})") from None
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        reply_id = data.get("id")
        if isinstance(reply_id, dict | list):
            reply_id = None
            raise ValueError("id must be a string or a number")
        text = data.get("text")
        if not isinstance(text, str):
            raise ValueError("text must be a string")
        context = ReplyContext.from_dict(data.get("context"))
    except ValueError as error:
        return {"id": reply_id, "error": f"line {number}: {error}"}
    try:
        report = check_reply(text, context)
    except Exception as error:  # one reply the guard trips on must not stop the stream
        return {"id": reply_id, "error": f"line {number}: the guard failed ({error!r})"}
    return {"id": reply_id, **report.to_dict()}


def run_check(stdin: TextIO, stdout: TextIO) -> int:
    failed = False
    for number, line in enumerate(stdin, 1):
        if not line.strip():
            continue
        result = check_line(line, number)
        failed = failed or "error" in result
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    stdout.flush()
    return 1 if failed else 0


def run_evaluate(args: argparse.Namespace, stdout: TextIO) -> int:
    from careline.replies.tone.evaluation import DEFAULT_DATA, evaluate, format_results, load

    path = args.data or DEFAULT_DATA
    try:
        examples = load(path)
    except (OSError, ValueError) as error:
        print(f"careline tone-evaluate: {error}", file=sys.stderr)
        return 2
    present = sorted({e.split for e in examples}, key=lambda name: (name != "dev", name))
    splits = present if args.split == "all" else [args.split]
    if not set(splits) <= set(present):
        print(f"careline tone-evaluate: no split {args.split!r} in {path}", file=sys.stderr)
        return 2
    results = {split: evaluate(examples, split=split) for split in splits}
    if args.json:
        stdout.write(json.dumps({s: r.to_dict() for s, r in results.items()}, indent=2) + "\n")
    else:
        stdout.write(format_results(results) + "\n")
    return 0


def _summary(card: dict[str, Any]) -> str:
    loso = card["leave_one_source_out"]
    rules, both = loso["rules"], loso["rules_and_model"]
    lines = [
        f"{'category':<18}{'rules P':>9}{'rules R':>9}{'+model P':>10}{'+model R':>10}{'n':>5}"
    ]
    for category, figures in both["categories"].items():
        before = rules["categories"][category]
        lines.append(
            f"{category:<18}{_pct(before['precision']):>9}{_pct(before['recall']):>9}"
            f"{_pct(figures['precision']):>10}{_pct(figures['recall']):>10}"
            f"{figures['support']:>5}"
        )
    lines.append(
        f"leave-one-source-out: bad flagged {rules['bad_flagged']:.1%} -> "
        f"{both['bad_flagged']:.1%}, good flagged {rules['good_flagged']:.1%} -> "
        f"{both['good_flagged']:.1%} (rules -> rules + model)"
    )
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def run_train(args: argparse.Namespace, stdout: TextIO) -> int:
    from careline.replies.tone.learned import MODEL_DIR, forget_loaded
    from careline.replies.tone.training import default_data, train

    paths = args.data or default_data()
    out = args.out or MODEL_DIR
    try:
        card = train(paths, out)
    except (OSError, ValueError) as error:
        print(f"careline train-tone: {error}", file=sys.stderr)
        return 2
    forget_loaded()
    stdout.write(_summary(card) + "\n")
    stdout.write(f"model written to {out}\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.command == "tone-check":
        return run_check(sys.stdin, sys.stdout)
    if args.command == "train-tone":
        return run_train(args, sys.stdout)
    return run_evaluate(args, sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
