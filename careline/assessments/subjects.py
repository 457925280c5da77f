"""A case's subject as lists show it: the start of its first message, redacted when that
message exposes private data (the inbox, the unanswered report and the API agree on it)."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from careline.assessments.models import Assessment
from careline.cases.models import Conversation

SUBJECT_CHARS = 120


def with_redacted_subject(queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Annotate whether the case's first message exposes private data (``first_private``)
    and its redacted text (``first_redacted``), for :func:`redacted_subject`."""
    first = Assessment.objects.filter(message__conversation=OuterRef("pk")).order_by(
        "message__created_at", "message_id"
    )
    return queryset.annotate(
        first_private=Subquery(first.values("has_private_data")[:1]),
        first_redacted=Subquery(first.values("redacted")[:1]),
    )


def redacted_subject(case: Any) -> str:
    """The subject to show. A case not annotated by :func:`with_redacted_subject` (nor given
    the two attributes by hand) is looked up, so no caller can leak it by forgetting."""
    if not hasattr(case, "first_private"):
        first = (
            Assessment.objects.filter(message__conversation=case)
            .order_by("message__created_at", "message_id")
            .values("has_private_data", "redacted")
            .first()
        )
        case.first_private = bool(first and first["has_private_data"])
        case.first_redacted = first["redacted"] if first else ""
    if case.first_private and case.first_redacted:
        return str(case.first_redacted)[:SUBJECT_CHARS]
    return str(getattr(case, "subject", ""))
