from __future__ import annotations

from typing import Any

from careline.replies.tone import ReplyContext, ToneReport, check_reply


def context(**overrides: Any) -> ReplyContext:
    values: dict[str, Any] = {
        "kind": "question",
        "platform": "generic",
        "public": False,
        "customer_name": "Sam",
        "customer_text": "",
    }
    values.update(overrides)
    return ReplyContext(**values)


def check(text: str, **overrides: Any) -> ToneReport:
    return check_reply(text, context(**overrides))


def found(report: ToneReport, text: str, category: str) -> list[tuple[int, int, str]]:
    """(start, end, spanned text) of every finding of ``category``."""
    return [
        (f.start, f.end, text[f.start : f.end]) for f in report.findings if f.category == category
    ]


def span(text: str, part: str) -> tuple[int, int, str]:
    start = text.index(part)
    return (start, start + len(part), part)
