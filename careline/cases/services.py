"""The write path for cases: every change runs in a transaction and appends a CaseEvent."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from careline.accounts.access import can_assign_to
from careline.accounts.models import User
from careline.cases import hooks
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.workflow import Status, TransitionError, check_transition

MAX_NOTE_CHARS = 10_000


class CaseActionError(ValueError):
    """An action that is not allowed or not valid; the message says why, for the user."""


def _locked(conversation: Conversation) -> Conversation:
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


def transition_case(
    conversation: Conversation, *, to: str, actor: User | None, reason: str = ""
) -> Conversation:
    """Move the case to status ``to``. Raises CaseActionError with the reason it cannot."""
    with transaction.atomic():
        case = _locked(conversation)
        try:
            target = check_transition(
                case.status,
                to,
                actor_is_supervisor=actor is None or actor.is_supervisor_or_admin,
            )
        except TransitionError as exc:
            raise CaseActionError(str(exc)) from exc
        previous = case.status
        now = timezone.now()
        case.status = target
        setattr(case, f"{target}_at", now)
        case.save(update_fields=["status", f"{target}_at"])
        CaseEvent.objects.create(
            conversation=case,
            kind=EventKind.STATUS_CHANGED,
            actor=actor,
            reason=reason.strip()[:MAX_NOTE_CHARS],
            data={"from": previous, "to": str(target)},
            created_at=now,
        )
        hooks.status_changed(case.pk, previous=previous, to=str(target), at=now)
    return case


def assign_case(
    conversation: Conversation, *, assignee: User | None, actor: User, reason: str = ""
) -> Conversation:
    """Give the case to ``assignee`` (None: unassign)."""
    if assignee is not None and not assignee.is_active:
        raise CaseActionError(f"{assignee.username} is not an active user")
    with transaction.atomic():
        case = _locked(conversation)
        if not can_assign_to(actor, assignee, current=case.assignee):
            if case.assignee is not None and case.assignee.pk != actor.pk:
                raise CaseActionError(
                    f"the case is {case.assignee.username}'s; ask a supervisor to reassign it"
                )
            raise CaseActionError("agents may assign a case only to themselves")
        if case.assignee_id == (assignee.pk if assignee else None):
            raise CaseActionError("the case already has that assignee")
        previous = case.assignee.username if case.assignee else None
        case.assignee = assignee
        case.save(update_fields=["assignee"])
        CaseEvent.objects.create(
            conversation=case,
            kind=EventKind.ASSIGNED,
            actor=actor,
            reason=reason.strip()[:MAX_NOTE_CHARS],
            data={"from": previous, "to": assignee.username if assignee else None},
        )
    return case


def add_note(conversation: Conversation, *, text: str, actor: User) -> CaseEvent:
    body = text.strip()
    if not body:
        raise CaseActionError("a note cannot be empty")
    if len(body) > MAX_NOTE_CHARS:
        raise CaseActionError(f"a note is limited to {MAX_NOTE_CHARS} characters")
    return CaseEvent.objects.create(
        conversation=conversation, kind=EventKind.NOTE, actor=actor, reason=body
    )


def open_if_new(conversation: Conversation, *, actor: User | None, reason: str) -> None:
    """A first answer means someone is on it: new → open."""
    if conversation.status == Status.NEW:
        transition_case(conversation, to=Status.OPEN, actor=actor, reason=reason)
        conversation.status = Status.OPEN
