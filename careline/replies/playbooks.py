"""The write path for playbooks: supervisors and admins save them, every save is recorded."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from careline.accounts.models import User
from careline.replies import playbook_text as pt
from careline.replies.models import Playbook, PlaybookRevision

MAX_NAME_CHARS = 120


class PlaybookError(ValueError):
    """A playbook that cannot be saved. ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class PlaybookPermissionError(PermissionError):
    """Only supervisors and admins edit playbooks."""


def save_playbook(
    *,
    actor: User,
    kind: str,
    topic: str,
    purpose: str,
    name: str,
    variants: Sequence[str],
    active: bool = True,
    playbook: Playbook | None = None,
) -> Playbook:
    """Create a playbook (``playbook`` None) or update one, and append a revision.

    Raises PlaybookPermissionError for agents and PlaybookError naming the field for an
    unknown kind, topic or purpose, a missing name, an invalid variant (an unknown variable is
    named) or a second playbook for the same kind x topic x purpose.
    """
    if not actor.is_supervisor_or_admin:
        raise PlaybookPermissionError("only supervisors and admins may edit playbooks")
    kind, topic, name = kind.strip(), topic.strip(), " ".join(name.split())
    if kind not in pt.KINDS:
        raise PlaybookError("kind", f"unknown kind {kind!r}; spam and trolls get no playbook")
    if purpose not in pt.PURPOSES:
        raise PlaybookError("purpose", f"unknown purpose {purpose!r}")
    if topic:
        from careline.assessments.models import Topic

        if not Topic.objects.filter(slug=topic).exists():
            raise PlaybookError("topic", f"unknown topic {topic!r}")
    if not name:
        raise PlaybookError("name", "give the playbook a name")
    if len(name) > MAX_NAME_CHARS:
        raise PlaybookError("name", f"a name is limited to {MAX_NAME_CHARS} characters")
    try:
        cleaned = pt.validate_variants(variants)
    except pt.PlaybookTextError as exc:
        raise PlaybookError("variants", str(exc)) from exc
    with transaction.atomic():
        clash = Playbook.objects.filter(kind=kind, topic=topic, purpose=purpose)
        if playbook is not None:
            clash = clash.exclude(pk=playbook.pk)
        if clash.exists():
            raise PlaybookError(
                "purpose",
                f"there is already a {pt.PURPOSES[purpose].lower()} playbook for "
                f"{pt.KINDS[kind].lower()} x {topic or 'any topic'}: edit that one",
            )
        now = timezone.now()
        if playbook is None:
            playbook = Playbook(kind=kind, topic=topic, purpose=purpose)
        else:
            playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
            playbook.kind, playbook.topic, playbook.purpose = kind, topic, purpose
        playbook.name = name
        playbook.variants = cleaned
        playbook.active = active
        playbook.updated_by = actor
        playbook.updated_at = now
        playbook.save()
        PlaybookRevision.objects.create(
            playbook=playbook,
            kind=kind,
            topic=topic,
            purpose=purpose,
            name=name,
            variants=cleaned,
            active=active,
            actor=actor,
            created_at=now,
        )
    return playbook


def preview(variants: Sequence[str]) -> list[str]:
    """Each variant rendered with sample values; an invalid one becomes its error message."""
    out = []
    for variant in variants:
        if not variant.strip():
            continue
        try:
            out.append(pt.render(variant, pt.SAMPLE_VALUES).text)
        except pt.PlaybookTextError as exc:
            out.append(f"(cannot render: {exc})")
    return out
