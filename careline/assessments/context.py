"""Severity from the case's context, not its words: a customer writing again, a large
audience, other people joining in under the same post. ``context_severity`` is plain Python;
``load_contexts`` reads the numbers for a whole batch of cases in four queries (it runs in the
ingest transaction through ``services.refresh_summaries``).

Text severity (careline.triage) cannot see these; seeds 001-002 count them among what makes a
complaint urgent. Only a complaint or a negative item is raised: a happy customer with many
followers is no emergency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

REPEAT_WINDOW_DAYS = 30
PILE_ON_WINDOW_HOURS = 24
# (at least, points, words): the first threshold met counts.
REPEAT_STEPS = (
    (3, 20, "{n} cases from this person in {days} days"),
    (2, 10, "second case from this person in {days} days"),
)
REACH_STEPS = (
    (100_000, 20, "author reaches {n:,} followers"),
    (10_000, 10, "author reaches {n:,} followers"),
)
PILE_ON_STEPS = (
    (10, 20, "{n} people complaining under the same post in {hours} h"),
    (3, 10, "{n} people complaining under the same post in {hours} h"),
)
MAX_SEVERITY = 100


@dataclass(frozen=True, slots=True)
class CaseContext:
    kind: str
    sentiment: str
    recent_cases_of_author: int  # this case included
    author_followers: int | None
    complainers_in_thread: int  # distinct people, this one included


@dataclass(frozen=True, slots=True)
class ContextSeverity:
    points: int
    reason: str  # "" when the context adds nothing


def _step(value: int, steps: tuple[tuple[int, int, str], ...], **words: int) -> tuple[int, str]:
    for at_least, points, text in steps:
        if value >= at_least:
            return points, text.format(n=value, **words)
    return 0, ""


def context_severity(context: CaseContext) -> ContextSeverity:
    """The points the context adds to the case's text severity, and why."""
    if context.kind != "complaint" and context.sentiment != "negative":
        return ContextSeverity(0, "")
    parts = [
        _step(context.recent_cases_of_author, REPEAT_STEPS, days=REPEAT_WINDOW_DAYS),
        _step(context.author_followers or 0, REACH_STEPS),
        _step(context.complainers_in_thread, PILE_ON_STEPS, hours=PILE_ON_WINDOW_HOURS),
    ]
    found = [(points, text) for points, text in parts if points]
    return ContextSeverity(
        sum(points for points, _ in found),
        "; ".join(f"{text} (+{points})" for points, text in found),
    )


def raised(severity: int, extra: ContextSeverity) -> int:
    return min(MAX_SEVERITY, severity + extra.points)


def load_contexts(
    summaries: Mapping[int, Mapping[str, Any]],
    *,
    unsaved: Mapping[int, tuple[int, datetime]] | None = None,
) -> dict[int, CaseContext]:
    """The context of each case in ``summaries`` (case id → its triage summary, with "kind"
    and "sentiment"). Only complaints and negative cases are looked up.

    ``unsaved``: cases not inserted yet (case id → (author id, created at)), whose messages
    are stored: ingestion inserts a new case once its summary is known. They count as the
    stored cases would.
    """
    from careline.cases.models import Conversation
    from careline.inbox.models import Author, Direction, Message, Visibility
    from careline.lib.idlists import in_list

    wanted = [
        pk
        for pk, s in summaries.items()
        if s["kind"] == "complaint" or s["sentiment"] == "negative"
    ]
    if not wanted:
        return {}
    unsaved = unsaved or {}
    # The author's reach comes with the case (one join rather than one more query).
    rows = list(
        Conversation.objects.filter(
            in_list("pk", [pk for pk in wanted if pk not in unsaved])
        ).values_list("pk", "author_id", "created_at", "author__followers")
    )
    new = [(pk, *unsaved[pk]) for pk in wanted if pk in unsaved]
    if new:
        reach = dict(
            Author.objects.filter(in_list("pk", {author for _, author, _ in new})).values_list(
                "pk", "followers"
            )
        )
        rows += [(pk, author, created, reach.get(author)) for pk, author, created in new]
    cases = [(pk, author, created) for pk, author, created, _ in rows]
    followers = {author: count for _, author, _, count in rows if author is not None}
    authors = set(followers)
    since = min(created for _, _, created in cases) - timedelta(days=REPEAT_WINDOW_DAYS)
    cases_of: dict[int, list[Any]] = defaultdict(list)
    for author, created in Conversation.objects.filter(
        in_list("author_id", authors), created_at__gte=since
    ).values_list("author_id", "created_at"):
        cases_of[author].append(created)
    for author, created in unsaved.values():
        if author in authors and created >= since:
            cases_of[author].append(created)

    public = Message.objects.filter(direction=Direction.INBOUND, visibility=Visibility.PUBLIC)
    roots: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for conversation_id, channel_id, root in (
        public.filter(in_list("conversation_id", wanted))
        .exclude(thread_root="")
        .values_list("conversation_id", "channel_id", "thread_root")
    ):
        roots[conversation_id].add((channel_id, root))
    all_roots = set().union(*roots.values()) if roots else set()
    complainers: dict[tuple[int, str], set[int]] = defaultdict(set)
    if all_roots:
        recent = public.filter(
            in_list("thread_root", {root for _, root in all_roots}),
            channel_id__in={channel for channel, _ in all_roots},
            assessment__kind="complaint",
            created_at__gte=since
            + timedelta(days=REPEAT_WINDOW_DAYS)
            - timedelta(hours=PILE_ON_WINDOW_HOURS),
        )
        for channel_id, root, author in recent.values_list(
            "channel_id", "thread_root", "author_id"
        ):
            if (channel_id, root) in all_roots:
                complainers[(channel_id, root)].add(author)

    contexts = {}
    for pk, author, created in cases:
        window_start = created - timedelta(days=REPEAT_WINDOW_DAYS)
        repeat = sum(1 for at in cases_of.get(author, ()) if window_start < at <= created)
        crowd = max((len(complainers[key]) for key in roots.get(pk, ())), default=0)
        contexts[pk] = CaseContext(
            kind=summaries[pk]["kind"],
            sentiment=summaries[pk]["sentiment"],
            recent_cases_of_author=max(repeat, 1),
            author_followers=followers.get(author),
            complainers_in_thread=crowd,
        )
    return contexts
