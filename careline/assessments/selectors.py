"""Reads of triage data: the taxonomy's choices and the corrections as training examples."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from careline.assessments.models import (
    Assessment,
    CorrectableField,
    Correction,
    Kind,
    Topic,
)


def topic_choices(*, include: str = "") -> list[tuple[str, str]]:
    """(slug, name) of the active topics in taxonomy order, plus ``include`` if it is not
    among them (an inactive topic a message still has)."""
    topics = list(Topic.objects.filter(active=True).values_list("slug", "name"))
    if include and include not in dict(topics):
        name = Topic.objects.filter(slug=include).values_list("name", flat=True).first()
        topics.append((include, f"{name or include} (inactive)"))
    return topics


def topic_names() -> dict[str, str]:
    return dict(Topic.objects.values_list("slug", "name"))


def corrections_prefetch() -> Prefetch[Any, Any, Any]:
    """For message lists that show who corrected what."""
    return Prefetch(
        "corrections",
        queryset=Correction.objects.select_related("actor").order_by("created_at", "id"),
    )


def correction_examples() -> dict[str, list[tuple[str, str]]]:
    """The corrections as training examples: ``{task: [(text, label), ...]}``.

    Per message and field only the latest correction counts. ``complaint``: the corrected kind
    as ``complaint`` / ``not_complaint``; ``sentiment``: the corrected sentiment; ``topic``: the
    corrected topic slug (the topic head learns the ones it knows). Texts with
    private data are the redacted rendering, so no card number or address reaches a model.
    """
    latest: dict[tuple[int, str], Correction] = {}
    corrections: QuerySet[Correction] = Correction.objects.select_related(
        "message", "message__assessment"
    ).order_by("created_at", "id")
    for correction in corrections:
        latest[(correction.message_id, correction.field)] = correction
    examples: dict[str, list[tuple[str, str]]] = {}
    for (_message_id, field), correction in sorted(latest.items()):
        text = _training_text(correction)
        if not text.strip():
            continue
        if field == CorrectableField.KIND:
            label = "complaint" if correction.new_value == Kind.COMPLAINT else "not_complaint"
            examples.setdefault("complaint", []).append((text, label))
        elif field == CorrectableField.SENTIMENT:
            examples.setdefault("sentiment", []).append((text, correction.new_value))
        elif field == CorrectableField.TOPIC:
            examples.setdefault("topic", []).append((text, correction.new_value))
    return examples


def _training_text(correction: Correction) -> str:
    message = correction.message
    try:
        assessment: Assessment | None = message.assessment
    except Assessment.DoesNotExist:
        assessment = None
    if assessment is not None and assessment.has_private_data and assessment.redacted:
        return assessment.redacted
    return message.text
