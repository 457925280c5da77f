"""The supervisor's reply mix: how cases of each kind were answered (publicly, privately,
both, decided not to, not yet), and what the team's public replies go to — so a supervisor
sees whether the public feed is one-sided (only complaints answered, compliments ignored).

Counts only the team's replies (``sent_by`` set); careline's own messages (escalation
notices, privacy explanations, surveys) are not answers. Two grouped queries per window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from careline.cases.models import Conversation
from careline.inbox.models import Direction, Message, Visibility

WINDOWS = (7, 30)
OUTCOMES = ("public", "private", "both", "no_reply", "unanswered")
OUTCOME_LABELS = {
    "public": "Answered publicly",
    "private": "Answered privately",
    "both": "Both (hybrid)",
    "no_reply": "Decided not to reply",
    "unanswered": "Not answered yet",
}
# Kinds in report order; "" is a case triage could not label.
KINDS = ("complaint", "question", "compliment", "feedback", "other", "spam", "troll", "")
KIND_LABELS = {
    "complaint": "Complaints",
    "question": "Questions",
    "compliment": "Compliments",
    "feedback": "Feedback",
    "other": "Other",
    "spam": "Spam",
    "troll": "Abuse",
    "": "Not triaged",
}


@dataclass(frozen=True)
class Cell:
    count: int
    percent: int  # of the row's total, rounded


@dataclass(frozen=True)
class KindRow:
    kind: str
    label: str
    total: int
    cells: tuple[Cell, ...]  # in OUTCOMES order


@dataclass(frozen=True)
class PublicShare:
    kind: str
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class ReplyMix:
    days: int
    since: datetime
    rows: tuple[KindRow, ...]
    totals: KindRow
    public_replies: tuple[PublicShare, ...]
    public_total: int


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def outcome(*, public: bool, private: bool, decided: bool) -> str:
    if public and private:
        return "both"
    if public:
        return "public"
    if private:
        return "private"
    return "no_reply" if decided else "unanswered"


def build_rows(counts: dict[tuple[str, str], int]) -> tuple[tuple[KindRow, ...], KindRow]:
    """Rows per kind (kinds with no case left out) and the totals row from
    ``{(kind, outcome): cases}``. Pure."""
    rows = []
    for kind in KINDS:
        numbers = [counts.get((kind, o), 0) for o in OUTCOMES]
        total = sum(numbers)
        if total:
            cells = tuple(Cell(n, percent(n, total)) for n in numbers)
            rows.append(KindRow(kind, KIND_LABELS[kind], total, cells))
    sums = [sum(counts.get((k, o), 0) for k in KINDS) for o in OUTCOMES]
    grand = sum(sums)
    totals = KindRow("all", "All cases", grand, tuple(Cell(n, percent(n, grand)) for n in sums))
    return tuple(rows), totals


def build_public_shares(counts: dict[str, int]) -> tuple[tuple[PublicShare, ...], int]:
    total = sum(counts.values())
    shares = tuple(
        PublicShare(kind, KIND_LABELS[kind], counts[kind], percent(counts[kind], total))
        for kind in KINDS
        if counts.get(kind)
    )
    return shares, total


def _known(kind: str | None) -> str:
    return kind if kind in KIND_LABELS else "other" if kind else ""


def reply_mix(*, days: int, now: datetime | None = None) -> ReplyMix:
    """Cases opened in the last ``days`` days by kind and outcome, and the team's public
    replies of that window by the kind of their case."""
    since = (now or timezone.now()) - timedelta(days=days)
    team = Message.objects.filter(
        conversation=OuterRef("pk"), direction=Direction.OUTBOUND, sent_by__isnull=False
    )
    grouped = (
        Conversation.objects.filter(created_at__gte=since)
        .annotate(
            answered_public=Exists(team.filter(visibility=Visibility.PUBLIC)),
            answered_private=Exists(team.exclude(visibility=Visibility.PUBLIC)),
            decided=Q(no_reply_at__isnull=False),
        )
        .values_list("triage_kind", "answered_public", "answered_private", "decided")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[str, str], int] = {}
    for kind, public, private, decided, n in grouped:
        key = (_known(kind), outcome(public=public, private=private, decided=bool(decided)))
        counts[key] = counts.get(key, 0) + n
    rows, totals = build_rows(counts)
    public_counts: dict[str, int] = {}
    for kind, n in _public_replies(since):
        public_counts[_known(kind)] = public_counts.get(_known(kind), 0) + n
    shares, public_total = build_public_shares(public_counts)
    return ReplyMix(days, since, rows, totals, shares, public_total)


def _public_replies(since: datetime) -> Iterable[tuple[str, int]]:
    return (
        Message.objects.filter(
            direction=Direction.OUTBOUND,
            sent_by__isnull=False,
            visibility=Visibility.PUBLIC,
            created_at__gte=since,
        )
        .values_list("conversation__triage_kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
