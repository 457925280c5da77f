"""Moderation with a duty of care on the conversation page, the recorded decision not to
reply, and the supervisor's reply mix (docs/moderation.md).

Thin like the other views: validate, fetch through the access helper (other teams' cases are
404), call one service, redirect back with what happened — or the refusal and its reason.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.views.decorators.http import require_GET, require_POST

from careline.accounts.access import get_conversation_for_user
from careline.accounts.models import User
from careline.cases.models import Conversation
from careline.cases.services import CaseActionError
from careline.inbox.models import Direction, Message
from careline.replies.moderation import (
    MAX_NOTE_CHARS,
    NO_REPLY_REASONS,
    ModerationOutcome,
    decide_no_reply,
    flag_for_removal,
    hide_message,
    moderate_for_duty_of_care,
    remove_flagged,
)
from careline.replies.reply_mix import OUTCOME_LABELS, OUTCOMES, WINDOWS, reply_mix


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False, strip=True)


class NoReplyForm(forms.Form):
    reason = forms.ChoiceField(choices=list(NO_REPLY_REASONS.items()))
    note = forms.CharField(max_length=MAX_NOTE_CHARS, required=False, strip=True)


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "views behind login_required have a careline user"
    return user


def _item(actor: User, pk: int, message_pk: int) -> tuple[Conversation, Message]:
    case = get_conversation_for_user(actor, pk)
    message = (
        Message.objects.select_related("assessment", "channel", "conversation")
        .filter(conversation=case, pk=message_pk, direction=Direction.INBOUND)
        .first()
    )
    if message is None:
        raise Http404("no such item in this case")
    return case, message


def _back(case: Conversation) -> HttpResponse:
    return redirect("conversation", pk=case.pk)


def _refused(request: HttpRequest, exc: CaseActionError) -> None:
    messages.error(request, f"Refused: {exc}.")


def _report(request: HttpRequest, outcome: ModerationOutcome, done: str) -> None:
    messages.success(request, done)
    if outcome.explanation is not None:
        messages.info(request, "A private message tells the person why and continues the case.")
    if outcome.explanation_error:
        messages.warning(request, capfirst(outcome.explanation_error) + ".")


@login_required
@require_POST
def duty_of_care(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    actor = _actor(request)
    case, message = _item(actor, pk, message_pk)
    try:
        outcome = moderate_for_duty_of_care(message, actor=actor)
    except CaseActionError as exc:
        _refused(request, exc)
    else:
        done = {
            "hide": "Hide requested",
            "flag": "Flagged for removal",
        }.get(outcome.decision.action, "Done")
        if outcome.decision.action == "hide" and outcome.moderation is None:
            done = "It cannot be hidden there; the person is asked to delete it"
        _report(request, outcome, f"{done}: {outcome.decision.reason}.")
    return _back(case)


@login_required
@require_POST
def hide(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    actor = _actor(request)
    case, message = _item(actor, pk, message_pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        outcome = hide_message(message, actor=actor, reason=reason)
    except CaseActionError as exc:
        _refused(request, exc)
    else:
        _report(request, outcome, "Hide requested; the reason is on the record.")
    return _back(case)


@login_required
@require_POST
def flag(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    actor = _actor(request)
    case, message = _item(actor, pk, message_pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        flag_for_removal(message, actor=actor, reason=reason)
    except CaseActionError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Flagged for removal, with the evidence on the record.")
    return _back(case)


@login_required
@require_POST
def remove(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    actor = _actor(request)
    case, message = _item(actor, pk, message_pk)
    try:
        outbound = remove_flagged(message, actor=actor)
    except CaseActionError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"Removal requested ({outbound.get_action_display().lower()}).")
    return _back(case)


@login_required
@require_POST
def no_reply(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    case = get_conversation_for_user(actor, pk)
    form = NoReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Refused: choose a reason: {', '.join(NO_REPLY_REASONS)}.")
        return _back(case)
    try:
        decided = decide_no_reply(
            case, actor=actor, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
        )
    except CaseActionError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"Decision not to reply recorded: {decided.no_reply_reason}.")
    return _back(case)


@login_required
@require_GET
def reply_mix_report(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not actor.is_supervisor_or_admin:
        raise PermissionDenied("the reply mix is for supervisors")
    try:
        days = int(request.GET.get("days", WINDOWS[0]))
    except ValueError:
        days = WINDOWS[0]
    if days not in WINDOWS:
        days = WINDOWS[0]
    context = {
        "mix": reply_mix(days=days),
        "windows": WINDOWS,
        "outcome_labels": [OUTCOME_LABELS[o] for o in OUTCOMES],
    }
    return render(request, "web/moderation/reply_mix.html", context)
