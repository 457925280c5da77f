"""The composer (drafts from playbooks, the live tone check), the playbook editor and the
approval of held replies. Thin views: validate, fetch through an access helper, call one
service, render. Every page works without JavaScript; htmx swaps fragments where it runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.text import capfirst
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careline.accounts.access import get_conversation_for_user
from careline.accounts.models import User
from careline.assessments.selectors import topic_choices
from careline.cases.services import CaseActionError
from careline.inbox.models import Visibility
from careline.replies.approval import (
    approve_held_reply,
    check_outgoing,
    concession_limit_for,
    default_concession_limit,
    pending_approvals,
    reject_held_reply,
    set_concession_limit,
)
from careline.replies.drafting import DraftError, draft_reply
from careline.replies.models import ConcessionLimit, HeldReply, HeldStatus, Playbook
from careline.replies.playbook_defaults import BUILTIN_PLAYBOOKS, builtin_for
from careline.replies.playbook_text import KINDS, PURPOSES, SAMPLE_VALUES, VARIABLES
from careline.replies.playbooks import (
    PlaybookError,
    PlaybookPermissionError,
    preview,
    save_playbook,
)
from careline.replies.services import MAX_REPLY_CHARS
from careline.web.compose_forms import (
    ConcessionLimitForm,
    DecisionForm,
    PlaybookForm,
    join_variants,
)
from careline.web.forms import ReplyForm

EXCERPT_CHARS = 40


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "views behind login_required have a careline user"
    return user


def _is_htmx(request: HttpRequest) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _require_supervisor(actor: User) -> None:
    if not actor.is_supervisor_or_admin:
        raise PermissionDenied("only supervisors and admins")


def _public(request: HttpRequest, default: bool) -> bool:
    value = request.GET.get("visibility") or request.POST.get("visibility") or ""
    if value == Visibility.PUBLIC:
        return True
    if value == Visibility.PRIVATE:
        return False
    return default


# The composer ---------------------------------------------------------------------------


@login_required
@require_GET
def draft(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft from the playbook. htmx: the reply box (swapped in place) and the draft's
    explanation; without JS: a page with the draft in a reply form."""
    actor = _actor(request)
    case = get_conversation_for_user(actor, pk)
    purpose = request.GET.get("purpose") or "initial"
    variant_raw = request.GET.get("variant") or ""
    variant = int(variant_raw) if variant_raw.isdigit() and len(variant_raw) < 4 else None
    public = _public(request, case.visibility != Visibility.PRIVATE)
    context: dict[str, Any] = {"conversation": case, "purposes": PURPOSES, "purpose": purpose}
    try:
        if purpose not in PURPOSES:
            raise DraftError(f"unknown purpose {purpose!r}")
        made = draft_reply(case, purpose=purpose, agent=actor, variant=variant, public=public)
    except DraftError as exc:
        context["error"] = capfirst(str(exc))
        made = None
    context["draft"] = made
    form = ReplyForm(
        initial={
            "text": made.text if made else "",
            "visibility": Visibility.PUBLIC if public else Visibility.PRIVATE,
        }
    )
    context["reply_form"] = form
    context["variant_numbers"] = range(made.variant_count) if made else range(0)
    if _is_htmx(request):
        # The reply box replaces the page's own (same id) out of band.
        form.fields["text"].widget.attrs["hx-swap-oob"] = "true"
        response = render(request, "web/compose/draft.html#draft-fragment", context)
        if made is not None:
            response["HX-Trigger-After-Settle"] = "careline-drafted"
    else:
        response = render(request, "web/compose/draft.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def tone(request: HttpRequest, pk: int) -> HttpResponse:
    """The tone guard's findings on the reply being written (nothing is stored)."""
    actor = _actor(request)
    case = get_conversation_for_user(actor, pk)
    text = (request.POST.get("text") or "")[:MAX_REPLY_CHARS]
    public = _public(request, case.visibility != Visibility.PRIVATE)
    context: dict[str, Any] = {"conversation": case, "checked": False}
    if text.strip():
        report = check_outgoing(case, text=text, public=public, actor=actor)
        context.update(
            checked=True,
            report=report,
            findings=[_finding_view(text, f.to_dict()) for f in report.findings],
            limit=concession_limit_for(actor),
            skips_approval=actor.is_supervisor_or_admin,
        )
    template = "web/compose/tone.html"
    response = render(request, f"{template}#tone" if _is_htmx(request) else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _finding_view(text: str, finding: dict[str, Any]) -> dict[str, Any]:
    """A finding with the text around its span in three plain pieces (the template escapes
    them and marks the middle one)."""
    start = max(0, min(int(finding.get("start", 0)), len(text)))
    end = max(start, min(int(finding.get("end", 0)), len(text)))
    before = text[max(0, start - EXCERPT_CHARS) : start]
    after = text[end : end + EXCERPT_CHARS]
    span = text[start:end]
    if len(span) > 3 * EXCERPT_CHARS:
        span = span[: 3 * EXCERPT_CHARS] + "…"
    return {
        **finding,
        "before": ("…" if start > EXCERPT_CHARS else "") + before,
        "span": span,
        "after": after + ("…" if end + EXCERPT_CHARS < len(text) else ""),
    }


# Approval -------------------------------------------------------------------------------


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require_supervisor(actor)
    context = {"held": pending_approvals(), "decision_form": DecisionForm()}
    return render(request, "web/compose/approvals.html", context)


def _held_for(actor: User, pk: int, held_pk: int) -> HeldReply:
    case = get_conversation_for_user(actor, pk)
    return get_object_or_404(HeldReply, pk=held_pk, conversation=case)


def _after_decision(request: HttpRequest, pk: int) -> HttpResponse:
    if request.POST.get("back") == "approvals":
        return redirect("approvals")
    return redirect("conversation", pk=pk)


@login_required
@require_POST
def approve(request: HttpRequest, pk: int, held_pk: int) -> HttpResponse:
    return _decide(
        request, pk, held_pk, approve_held_reply, "Reply approved and queued for delivery."
    )


@login_required
@require_POST
def reject(request: HttpRequest, pk: int, held_pk: int) -> HttpResponse:
    return _decide(request, pk, held_pk, reject_held_reply, "Reply rejected; it will not be sent.")


def _decide(
    request: HttpRequest, pk: int, held_pk: int, decide: Callable[..., Any], done: str
) -> HttpResponse:
    """A supervisor's decision on a held reply, with its reason; refusals say why."""
    actor = _actor(request)
    _require_supervisor(actor)
    held = _held_for(actor, pk, held_pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decide(held, actor=actor, reason=form.cleaned_data["reason"])
        except CaseActionError as exc:
            messages.error(request, f"{capfirst(str(exc))}.")
        else:
            messages.success(request, done)
    return _after_decision(request, pk)


@login_required
@require_http_methods(["GET", "POST"])
def concession_limits(request: HttpRequest) -> HttpResponse:
    """Supervisors set what each person may offer without approval."""
    actor = _actor(request)
    _require_supervisor(actor)
    form = ConcessionLimitForm(request.POST or None, auto_id="limit-%s")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            user = User.objects.filter(username=form.cleaned_data["username"]).first()
            if user is None:
                form.add_error("username", "no such user")
            else:
                set_concession_limit(user, amount=form.cleaned_data["amount"], actor=actor)
                messages.success(request, f"Concession limit of {user.username} saved.")
                return redirect("concession-limits")
        status = 400
    own = dict(ConcessionLimit.objects.values_list("user_id", "amount"))
    rows = [
        (user, own.get(user.pk))
        for user in User.objects.filter(is_active=True).order_by("username")
    ]
    context = {"rows": rows, "form": form, "default": default_concession_limit()}
    return render(request, "web/compose/limits.html", context, status=status)


# Playbooks ------------------------------------------------------------------------------


@login_required
@require_GET
def playbooks(request: HttpRequest) -> HttpResponse:
    _require_supervisor(_actor(request))
    stored = list(Playbook.objects.select_related("updated_by"))
    taken = {(p.kind, p.topic, p.purpose) for p in stored}
    builtins = [b for b in BUILTIN_PLAYBOOKS if (b.kind, b.topic, b.purpose) not in taken]
    context = {
        "playbooks": stored,
        "builtins": builtins,
        "kinds": KINDS,
        "purposes": PURPOSES,
    }
    return render(request, "web/compose/playbooks.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def playbook_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require_supervisor(actor)
    if request.method == "POST":
        return _save(request, actor, None)
    initial: dict[str, Any] = {"active": True, "purpose": "initial"}
    kind, topic = request.GET.get("kind") or "", request.GET.get("topic") or ""
    purpose = request.GET.get("purpose") or ""
    found = builtin_for(kind, topic, purpose) if purpose in PURPOSES else None
    if found is not None:
        builtin = found[0]
        initial.update(
            kind=kind if kind in KINDS else "",
            topic=topic,
            purpose=purpose,
            name=builtin.name,
            variants=join_variants(list(builtin.variants)),
        )
    form = PlaybookForm(initial=initial, topics=topic_choices())
    return _editor(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def playbook_edit(request: HttpRequest, playbook_pk: int) -> HttpResponse:
    actor = _actor(request)
    _require_supervisor(actor)
    playbook = get_object_or_404(Playbook, pk=playbook_pk)
    if request.method == "POST":
        return _save(request, actor, playbook)
    form = PlaybookForm(
        initial={
            "kind": playbook.kind,
            "topic": playbook.topic,
            "purpose": playbook.purpose,
            "name": playbook.name,
            "variants": join_variants(list(playbook.variants)),
            "active": playbook.active,
        },
        topics=topic_choices(),
    )
    return _editor(request, form, playbook)


def _save(request: HttpRequest, actor: User, playbook: Playbook | None) -> HttpResponse:
    form = PlaybookForm(request.POST, topics=topic_choices())
    if not form.is_valid():
        return _editor(request, form, playbook, status=400)
    if "preview" in request.POST:
        return _editor(request, form, playbook, previews=preview(form.variant_list()))
    data = form.cleaned_data
    try:
        saved = save_playbook(
            actor=actor,
            kind=data["kind"],
            topic=data["topic"],
            purpose=data["purpose"],
            name=data["name"],
            variants=form.variant_list(),
            active=data["active"],
            playbook=playbook,
        )
    except PlaybookPermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    except PlaybookError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        return _editor(request, form, playbook, status=400)
    messages.success(request, f"Playbook “{saved.name}” saved.")
    return redirect("playbook-edit", playbook_pk=saved.pk)


def _editor(
    request: HttpRequest,
    form: PlaybookForm,
    playbook: Playbook | None,
    *,
    status: int = 200,
    previews: list[str] | None = None,
) -> HttpResponse:
    revisions = (
        list(playbook.revisions.select_related("actor").order_by("-created_at", "-id")[:20])
        if playbook is not None
        else []
    )
    context = {
        "form": form,
        "playbook": playbook,
        "previews": previews,
        "variables": VARIABLES,
        "samples": SAMPLE_VALUES,
        "revisions": revisions,
    }
    return render(request, "web/compose/playbook_edit.html", context, status=status)


def held_for_case(case_pk: int) -> list[HeldReply]:
    """Held replies of a case still waiting for a decision (the composer panel shows them)."""
    return list(
        HeldReply.objects.filter(conversation_id=case_pk, status=HeldStatus.HELD)
        .select_related("author")
        .order_by("created_at", "id")
    )
