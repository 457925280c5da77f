"""Measure the tone guard on the labelled replies in ``eval/replies.jsonl``.

Each line: ``{"id", "split": "dev"|"test", "label": "good"|"bad", "categories": [...], "text",
"context": {...}}``. A reply is *flagged* when its report is not ok (a warning or a block).
Per category, a reply counts as predicted when any finding has that category.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from careline.replies.tone.guard import check_reply
from careline.replies.tone.model import CATEGORIES, ReplyContext

DEFAULT_DATA = Path(__file__).parent / "eval" / "replies.jsonl"


@dataclass(frozen=True)
class Example:
    id: str
    split: str
    bad: bool
    categories: frozenset[str]
    text: str
    context: ReplyContext


@dataclass
class SplitResult:
    split: str
    bad: int = 0
    good: int = 0
    bad_flagged: int = 0
    good_flagged: int = 0
    # category -> [true positives, false positives, false negatives]
    counts: dict[str, list[int]] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def bad_flagged_rate(self) -> float:
        return self.bad_flagged / self.bad if self.bad else 0.0

    @property
    def good_flagged_rate(self) -> float:
        return self.good_flagged / self.good if self.good else 0.0

    def precision_recall(self, category: str) -> tuple[float | None, float | None, int]:
        tp, fp, fn = self.counts.get(category, [0, 0, 0])
        precision = tp / (tp + fp) if tp + fp else None
        recall = tp / (tp + fn) if tp + fn else None
        return precision, recall, tp + fn

    def to_dict(self) -> dict[str, Any]:
        categories = {}
        for category in CATEGORIES:
            precision, recall, support = self.precision_recall(category)
            categories[category] = {
                "precision": precision,
                "recall": recall,
                "support": support,
            }
        return {
            "split": self.split,
            "bad": self.bad,
            "good": self.good,
            "bad_flagged": self.bad_flagged_rate,
            "good_flagged": self.good_flagged_rate,
            "categories": categories,
        }


def load(path: Path = DEFAULT_DATA) -> list[Example]:
    """Read the labelled set; raises ValueError naming the line of a malformed record."""
    examples = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                categories = frozenset(row.get("categories") or ())
                unknown = categories - set(CATEGORIES)
                if unknown:
                    raise ValueError(f"unknown categories {sorted(unknown)}")
                bad = row["label"] == "bad"
                if bad != bool(categories):
                    raise ValueError("a bad reply needs categories, a good one none")
                examples.append(
                    Example(
                        id=str(row["id"]),
                        split=str(row["split"]),
                        bad=bad,
                        categories=categories,
                        text=str(row["text"]),
                        context=ReplyContext.from_dict(row.get("context")),
                    )
                )
            except (KeyError, TypeError, ValueError) as error:
                raise ValueError(f"{path.name} line {number}: {error}") from None
    return examples


def evaluate(examples: Iterable[Example], *, split: str) -> SplitResult:
    result = SplitResult(split=split)
    for example in examples:
        if example.split != split:
            continue
        report = check_reply(example.text, example.context)
        predicted = report.categories() - {
            f.category for f in report.findings if f.severity == "info"
        }
        flagged = not report.ok
        if example.bad:
            result.bad += 1
            result.bad_flagged += flagged
        else:
            result.good += 1
            result.good_flagged += flagged
        for category in CATEGORIES:
            counts = result.counts.setdefault(category, [0, 0, 0])
            expected = category in example.categories
            found = category in predicted
            if expected and found:
                counts[0] += 1
            elif found:
                counts[1] += 1
            elif expected:
                counts[2] += 1
        if predicted != example.categories:
            result.misses.append(
                {
                    "id": example.id,
                    "expected": sorted(example.categories),
                    "found": sorted(predicted),
                    "text": example.text,
                    "findings": [
                        f"{f.category}: {example.text[f.start : f.end]!r}" for f in report.findings
                    ],
                }
            )
    return result


def _pct(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.1%}"


def format_results(results: Mapping[str, SplitResult]) -> str:
    """A plain-text table: per-category precision and recall, then flag rates, per split."""
    splits = list(results)
    header = f"{'category':<18}" + "".join(f"{s + ' P':>9}{s + ' R':>9}{'n':>5}" for s in splits)
    lines = [header, "-" * len(header)]
    for category in CATEGORIES:
        row = f"{category:<18}"
        for split in splits:
            precision, recall, support = results[split].precision_recall(category)
            row += f"{_pct(precision):>9}{_pct(recall):>9}{support:>5}"
        lines.append(row)
    lines.append("-" * len(header))
    for split in splits:
        r = results[split]
        lines.append(
            f"{split}: bad flagged {r.bad_flagged_rate:.1%} ({r.bad_flagged}/{r.bad}), "
            f"good flagged {r.good_flagged_rate:.1%} ({r.good_flagged}/{r.good})"
        )
    return "\n".join(lines)
