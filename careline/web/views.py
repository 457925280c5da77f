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
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.text import capfirst
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careline.accounts.access import get_conversation_for_user, require_admin
from careline.accounts.models import User
from careline.assessments.models import Assessment, Topic
from careline.assessments.selectors import topic_choices, topic_names
from careline.assessments.services import (
    TopicError,
    correct_assessment,
    create_topic,
    update_topic,
)
from careline.cases.models import Conversation
from careline.cases.services import CaseActionError, add_note, assign_case, transition_case
from careline.inbox.channels import NEEDS, ChannelSetupError, add_channel
from careline.inbox.models import Channel, Direction, Message, Platform
from careline.inbox.selectors import conversation_events, conversation_thread, inbox_conversations
from careline.replies.approval import send_or_hold_reply
from careline.web.forms import (
    AssignForm,
    ChannelForm,
    CorrectionForm,
    InboxFilterForm,
    NoteForm,
    ReplyForm,
    StatusForm,
    TopicForm,
)
from careline.web.selectors import other_conversations, with_redacted_subject

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
    form = InboxFilterForm(request.GET, topics=topic_choices())
    form.is_valid()  # invalid fields are left out of the filters
    conversations = with_redacted_subject(inbox_conversations(actor, form.filters()))
    page = Paginator(conversations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "topic_names": topic_names()}
    return _render(request, "web/inbox.html", "results", context)


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
            sent = send_or_hold_reply(
                case, text=form.cleaned_data["text"], public=form.is_public, actor=actor
            )
        except CaseActionError as exc:
            _refused(request, exc)
        else:
            if sent.held is not None:
                why = "; ".join(sent.held.approval_reasons)
                messages.warning(request, f"Reply held for a supervisor's approval: {why}")
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
@require_POST
def conversation_correct(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    actor = _actor(request)
    case = get_conversation_for_user(actor, pk)
    message = _triaged_message(case, message_pk)
    form = CorrectionForm(
        request.POST,
        assessment=message.assessment,
        topics=topic_choices(),
        names=topic_names(),
    )
    if form.is_valid():
        try:
            corrections = correct_assessment(message, actor=actor, **form.cleaned_data)
        except CaseActionError as exc:
            _refused(request, exc)
        else:
            changed = ", ".join(
                f"{c.field} {c.old_value or 'none'} → {c.new_value}" for c in corrections
            )
            messages.success(request, f"Triage corrected: {changed}.")
            return _done(request, case)
    return _render_case(request, case, failed=True, correction=(message.pk, form))


def _triaged_message(case: Conversation, message_pk: int) -> Message:
    """An inbound message of the case with a triage result, else 404."""
    message = (
        case.messages.select_related("assessment")
        .filter(pk=message_pk, direction=Direction.INBOUND)
        .first()
    )
    if message is None:
        raise Http404("no such message in this case")
    try:
        message.assessment  # noqa: B018 - only whether it exists
    except Assessment.DoesNotExist as exc:
        raise Http404("this message has no triage result") from exc
    return message


@login_required
@require_http_methods(["GET", "POST"])
def topics(request: HttpRequest) -> HttpResponse:
    """The topic taxonomy: supervisors and admins list, add and edit topics; agents get 403."""
    actor = _actor(request)
    _require_supervisor(actor)
    if request.method == "POST":
        form = TopicForm(request.POST, auto_id="new-topic-%s")
        if form.is_valid():
            try:
                topic = create_topic(actor=actor, **form.cleaned_data)
            except TopicError as exc:
                form.add_error("slug", str(exc))
            else:
                messages.success(request, f"Topic {topic.slug} added.")
                return redirect("topics")
        return _render_topics(request, new_form=form, status=400)
    return _render_topics(request)


@login_required
@require_POST
def topic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    _require_supervisor(actor)
    topic = get_object_or_404(Topic, pk=pk)
    form = TopicForm(request.POST, editing=True, auto_id=f"topic-{topic.pk}-%s")
    if form.is_valid():
        try:
            update_topic(topic, actor=actor, **form.cleaned_data)
        except TopicError as exc:
            form.add_error("active", str(exc))
        else:
            messages.success(request, f"Topic {topic.slug} saved.")
            return redirect("topics")
    return _render_topics(request, edit=(topic.pk, form), status=400)


def _require_supervisor(actor: User) -> None:
    if not actor.is_supervisor_or_admin:
        raise PermissionDenied("only supervisors and admins may edit the topics")


def _render_topics(
    request: HttpRequest,
    *,
    new_form: TopicForm | None = None,
    edit: tuple[int, TopicForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = []
    for topic in Topic.objects.order_by("ordering", "slug"):
        if edit is not None and edit[0] == topic.pk:
            form = edit[1]
        else:
            form = TopicForm(
                editing=True,
                auto_id=f"topic-{topic.pk}-%s",
                initial={
                    "name": topic.name,
                    "keywords": topic.keywords,
                    "ordering": topic.ordering,
                    "active": topic.active,
                },
            )
        rows.append((topic, form))
    context = {"rows": rows, "new_form": new_form or TopicForm(auto_id="new-topic-%s")}
    return render(request, "web/topics.html", context, status=status)


@login_required
@require_GET
def channels(request: HttpRequest) -> HttpResponse:
    require_admin(_actor(request))
    return render(request, "web/channels.html", {"channels": Channel.objects.order_by("name")})


@login_required
@require_http_methods(["GET", "POST"])
def channel_new(request: HttpRequest) -> HttpResponse:
    """Connect an account (admins). First pick the platform, then fill in what it needs; the
    answer shows the webhook URL and any secret careline made, once."""
    require_admin(_actor(request))
    platform = request.GET.get("platform") or request.POST.get("platform") or ""
    if platform not in NEEDS:
        return render(request, "web/channel_new.html", {"platforms": Platform.choices})
    form = ChannelForm(request.POST or None, platform=platform)
    if request.method == "POST" and form.is_valid():
        try:
            setup = add_channel(
                platform=platform,
                name=form.cleaned_data["name"],
                credentials=form.credentials(),
                display_name=form.cleaned_data["display_name"],
            )
        except ChannelSetupError as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "web/channel_added.html", {"setup": setup})
    status = 400 if request.method == "POST" else 200
    label = dict(Platform.choices)[platform]
    context = {"form": form, "platform": platform, "platform_label": label}
    return render(request, "web/channel_new.html", context, status=status)


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
    thread = list(conversation_thread(case))
    _attach_correction_forms(thread, forms.pop("correction", None))
    # The subject is the start of the first message: redacted like it when it has to be.
    first = _assessment(thread[0]) if thread else None
    case.first_private = bool(first and first.has_private_data)  # type: ignore[attr-defined]
    case.first_redacted = first.redacted if first else ""  # type: ignore[attr-defined]
    context = {
        "conversation": case,
        "thread": thread,
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


def _attach_correction_forms(
    thread: list[Message], failed: tuple[int, CorrectionForm] | None
) -> None:
    """Give every triaged message of the thread its correction form (``failed``: the one
    that was just refused, with its errors)."""
    triaged = [m for m in thread if _assessment(m) is not None]
    if not triaged:
        return
    topics, names = topic_choices(), topic_names()
    for message in triaged:
        if failed is not None and failed[0] == message.pk:
            message.correction_form = failed[1]  # type: ignore[attr-defined]
        else:
            message.correction_form = CorrectionForm(  # type: ignore[attr-defined]
                assessment=message.assessment, topics=topics, names=names
            )


def _assessment(message: Message) -> Assessment | None:
    try:
        return message.assessment
    except Assessment.DoesNotExist:
        return None
