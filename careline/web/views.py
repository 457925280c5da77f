"""The care team's web app. Views are thin: validate a form, fetch through an access helper,
call one service, render.

Every page works without JavaScript (plain GET/POST, redirect after a successful POST). With
htmx a request carries ``HX-Request`` and gets back only the fragment it swaps: the inbox's
result list, or the conversation's main section.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.text import capfirst
from django.views.decorators.http import require_GET, require_POST

from careline.accounts.access import get_conversation_for_user, require_admin
from careline.accounts.models import User
from careline.cases.models import Conversation
from careline.cases.services import CaseActionError, add_note, assign_case, transition_case
from careline.inbox.models import Channel
from careline.inbox.selectors import conversation_events, conversation_thread, inbox_conversations
from careline.replies.services import queue_reply
from careline.web.forms import AssignForm, InboxFilterForm, NoteForm, ReplyForm, StatusForm
from careline.web.selectors import other_conversations

PAGE_SIZE = 50
OTHER_CASES_SHOWN = 5


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "views behind login_required have a careline user"
    return user


def _is_htmx(request: HttpRequest) -> bool:
    # A history restore asks for the whole page, even though it comes from htmx.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _render(
    request: HttpRequest, page: str, fragment: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    template = f"{page}#{fragment}" if _is_htmx(request) else page
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = InboxFilterForm(request.GET)
    form.is_valid()  # invalid fields are left out of the filters
    conversations = inbox_conversations(actor, form.filters())
    page = Paginator(conversations, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "web/inbox.html", "results", {"form": form, "page": page})


@login_required
@require_GET
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_conversation_for_user(_actor(request), pk)
    return _render_case(request, case)


@login_required
@require_POST
def conversation_reply(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    case = get_conversation_for_user(actor, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            queue_reply(case, text=form.cleaned_data["text"], public=form.is_public, actor=actor)
        except CaseActionError as exc:
            _refused(request, exc)
        else:
            messages.success(request, "Reply queued for delivery.")
            return _done(request, case)
    return _render_case(request, case, failed=True, reply_form=form)


@login_required
@require_POST
def conversation_assign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    case = get_conversation_for_user(actor, pk)
    form = AssignForm(request.POST, actor=actor, conversation=case)
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            assign_case(case, assignee=assignee, actor=actor)
        except CaseActionError as exc:
            _refused(request, exc)
        else:
            who = assignee.username if assignee else "nobody"
            messages.success(request, f"Case assigned to {who}.")
            return _done(request, case)
    return _render_case(request, case, failed=True, assign_form=form)


@login_required
@require_POST
def conversation_status(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    case = get_conversation_for_user(actor, pk)
    form = StatusForm(request.POST, actor=actor, conversation=case)
    if form.is_valid():
        target = form.cleaned_data["status"]
        try:
            transition_case(case, to=target, actor=actor, reason=form.cleaned_data["reason"])
        except CaseActionError as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"Status set to {target}.")
            return _done(request, case)
    return _render_case(request, case, failed=True, status_form=form)


@login_required
@require_POST
def conversation_note(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    case = get_conversation_for_user(actor, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            add_note(case, text=form.cleaned_data["text"], actor=actor)
        except CaseActionError as exc:
            _refused(request, exc)
        else:
            messages.success(request, "Note added.")
            return _done(request, case)
    return _render_case(request, case, failed=True, note_form=form)


@login_required
@require_GET
def channels(request: HttpRequest) -> HttpResponse:
    require_admin(_actor(request))
    return render(request, "web/channels.html", {"channels": Channel.objects.order_by("name")})


def _refused(request: HttpRequest, exc: CaseActionError) -> None:
    messages.error(request, f"{capfirst(str(exc))}.")


def _done(request: HttpRequest, case: Conversation) -> HttpResponse:
    """After a successful action: the fresh main section for htmx, else redirect back."""
    if _is_htmx(request):
        return _render_case(request, get_conversation_for_user(_actor(request), case.pk))
    return redirect("conversation", pk=case.pk)


def _render_case(
    request: HttpRequest, case: Conversation, *, failed: bool = False, **forms: Any
) -> HttpResponse:
    """The conversation page. ``forms`` replace the blank ones (to show what failed and why).

    A failed plain POST answers 400 with the page; htmx gets 200 so it swaps the section in.
    """
    actor = _actor(request)
    others = other_conversations(actor, case)
    context = {
        "conversation": case,
        "thread": conversation_thread(case),
        "events": conversation_events(case),
        "other_cases": others[:OTHER_CASES_SHOWN],
        "other_cases_count": others.count(),
        "reply_form": ReplyForm.for_case(case),
        "assign_form": AssignForm(actor=actor, conversation=case),
        "status_form": StatusForm(actor=actor, conversation=case),
        "note_form": NoteForm(),
        **forms,
    }
    status = 400 if failed and not _is_htmx(request) else 200
    return _render(request, "web/conversation.html", "case", context, status=status)
