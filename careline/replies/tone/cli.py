"""``careline tone-check | tone-evaluate``: the tone guard on the command line (no Django).

- ``tone-check``: JSON lines ``{"id", "text", "context": {...}}`` on stdin (``context`` as
  :meth:`ReplyContext.from_dict` reads it), one JSON line per reply on stdout, in order:
  ``{"id", "ok", "findings": [...], "needs_approval", "approval_reasons"}``. A line that cannot
  be read gets ``{"id": <id or null>, "error": "line N: …"}`` and the others go on; the exit
  code is 1 if any line failed.
- ``tone-evaluate [--data FILE] [--split NAME|all] [--json]``: per-category precision and
  recall, % bad replies flagged and % good replies flagged, per split.
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

COMMANDS = ("tone-check", "tone-evaluate")
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


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.command == "tone-check":
        return run_check(sys.stdin, sys.stdout)
    return run_evaluate(args, sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
