"""Follow-up pages: the public satisfaction survey, the case's follow-up actions, success
stories and the CSAT report (docs/followup.md).

The survey page is public (the customer has no account): the signed one-time link is the only
credential. It is CSRF-protected (Django's cookie token works without a session), has no
script at all under the strict CSP, is never cached or indexed, sends no Referer (the link is
a credential), is rate-limited per address, and shows nothing but the brand's name and the
date: nothing of the case, which the link's holder may not be.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careline.accounts.access import get_conversation_for_user
from careline.accounts.models import User
from careline.cases.services import CaseActionError
from careline.followup import conf
from careline.followup.models import MAX_COMMENT_CHARS, MAX_STORY_CHARS, StoryStatus, SuccessStory
from careline.followup.selectors import csat_report, stories_for
from careline.followup.services import (
    SurveyInputError,
    approve_story,
    ask_resolution_check,
    clean_answer,
    decline_story,
    draft_success_story,
    edit_story,
    mark_story_published,
    read_survey,
    record_story_consent,
    submit_survey,
)
from careline.inbox.models import Direction
from careline.workflow.signing import InvalidToken

# --- the public survey ---------------------------------------------------------------------


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a score from 1 to 5.",
            "invalid_choice": "Choose a score from 1 to 5.",
        },
    )
    comment = forms.CharField(
        required=False,
        max_length=MAX_COMMENT_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_COMMENT_CHARS}),
        error_messages={"max_length": f"The comment is limited to {MAX_COMMENT_CHARS} characters."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "score" in data:
            try:
                clean_answer(data["score"], data.get("comment", ""))
            except SurveyInputError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data


def _rate_limited(request: HttpRequest) -> bool:
    """More than the allowed requests this minute from this address (REMOTE_ADDR only: a
    forwarded-for header is the client's to forge). Counted in Django's cache, so per process
    with the default local-memory cache."""
    limit = conf.survey_rate_limit()
    if limit <= 0:
        return False
    minute = int(timezone.now().timestamp() // 60)
    key = f"careline:survey-rate:{request.META.get('REMOTE_ADDR', '')}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:
        return False
    return count > limit


def _public(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, f"web/followup/{template}", context, status=status)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused_link(request: HttpRequest, exc: InvalidToken) -> HttpResponse:
    if exc.reason == "expired":
        return _public(request, "survey_closed.html", {"state": "expired"}, status=410)
    if exc.reason == "reused":
        return _public(request, "survey_closed.html", {"state": "answered"}, status=409)
    # Forged, altered, damaged or unknown: one neutral page, saying nothing about why.
    return _public(request, "survey_closed.html", {"state": "invalid"}, status=404)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    if _rate_limited(request):
        return _public(request, "survey_closed.html", {"state": "busy"}, status=429)
    try:
        _claim, record = read_survey(token)
    except InvalidToken as exc:
        return _refused_link(request, exc)
    if record.answered:
        return _public(request, "survey_closed.html", {"state": "answered"}, status=200)
    brand = record.channel.display_name or "our care team"
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                submit_survey(
                    token, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
                )
            except InvalidToken as exc:
                return _refused_link(request, exc)
            except SurveyInputError as exc:
                form.add_error(None, str(exc))
            else:
                return _public(request, "survey_closed.html", {"state": "thanks", "brand": brand})
        context = {"form": form, "brand": brand, "survey": record}
        return _public(request, "survey.html", context, status=400)
    return _public(request, "survey.html", {"form": form, "brand": brand, "survey": record})


# --- actions on a case ---------------------------------------------------------------------


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "views behind login_required have a careline user"
    return user


def _back(request: HttpRequest, pk: int, *, error: CaseActionError | None, done: str) -> Any:
    if error is not None:
        messages.error(request, f"{capfirst(str(error))}.")
    else:
        messages.success(request, done)
    return redirect("conversation", pk=pk)


@login_required
@require_POST
def propose_resolution(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    case = get_conversation_for_user(actor, pk)
    try:
        ask_resolution_check(case, actor=actor)
    except CaseActionError as exc:
        return _back(request, pk, error=exc, done="")
    return _back(request, pk, error=None, done="Asked the customer whether this solves it.")


class ConsentForm(forms.Form):
    message = forms.IntegerField()
    answer = forms.ChoiceField(choices=[("yes", "Agreed"), ("no", "Declined")])
    how = forms.CharField(required=False, max_length=500)


@login_required
@require_POST
def story_consent(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    case = get_conversation_for_user(actor, pk)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _back(
            request, pk, error=CaseActionError("choose the customer's message and answer"), done=""
        )
    message = case.messages.filter(
        pk=form.cleaned_data["message"], direction=Direction.INBOUND
    ).first()
    if message is None:
        raise Http404("no such message in this case")
    granted = form.cleaned_data["answer"] == "yes"
    try:
        record_story_consent(
            case, actor=actor, message=message, granted=granted, how=form.cleaned_data["how"]
        )
    except CaseActionError as exc:
        return _back(request, pk, error=exc, done="")
    return _back(
        request, pk, error=None, done="Consent recorded." if granted else "Refusal recorded."
    )


@login_required
@require_POST
def story_draft(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    case = get_conversation_for_user(actor, pk)
    try:
        draft_success_story(case, actor=actor)
    except CaseActionError as exc:
        return _back(request, pk, error=exc, done="")
    return _back(request, pk, error=None, done="Story drafted; a supervisor reviews it.")


# --- success stories -----------------------------------------------------------------------


class StoryForm(forms.Form):
    text = forms.CharField(
        max_length=MAX_STORY_CHARS, widget=forms.Textarea(attrs={"rows": 6}), strip=True
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(max_length=500, strip=True)


class PublishedForm(forms.Form):
    where = forms.CharField(max_length=300, required=False, strip=True)


@login_required
@require_GET
def stories(request: HttpRequest) -> HttpResponse:
    """Agents see the stories of their cases; supervisors edit, approve and decline them.
    Approved stories are shown copy-ready: posting them is a person's manual step."""
    actor = _actor(request)
    rows = list(stories_for(actor)[:200])
    for story in rows:
        story.form = StoryForm(  # type: ignore[attr-defined]
            initial={"text": story.draft_text}, auto_id=f"story-{story.pk}-%s"
        )
    context = {
        "drafts": [s for s in rows if s.status in (StoryStatus.ASKED, StoryStatus.DRAFT)],
        "approved": [s for s in rows if s.status == StoryStatus.APPROVED],
        "done": [s for s in rows if s.status in (StoryStatus.PUBLISHED, StoryStatus.DECLINED)],
        "can_approve": actor.is_supervisor_or_admin,
    }
    return render(request, "web/followup/stories.html", context)


def _story_for_supervisor(request: HttpRequest, pk: int) -> tuple[User, SuccessStory]:
    actor = _actor(request)
    story = stories_for(actor).filter(pk=pk).first()
    if story is None:
        raise Http404("no such story")
    if not actor.is_supervisor_or_admin:
        raise PermissionDenied("only supervisors and admins may edit, approve or decline stories")
    return actor, story


def _after_story(request: HttpRequest, error: CaseActionError | None, done: str) -> HttpResponse:
    if error is not None:
        messages.error(request, f"{capfirst(str(error))}.")
    else:
        messages.success(request, done)
    return redirect("stories")


@login_required
@require_POST
def story_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor, story = _story_for_supervisor(request, pk)
    try:
        if action == "edit":
            form: forms.Form = StoryForm(request.POST)
            if not form.is_valid():
                raise CaseActionError(f"the story is limited to {MAX_STORY_CHARS} characters")
            edit_story(story, actor=actor, text=form.cleaned_data["text"])
            done = "Story saved; approve it when it is ready."
        elif action == "approve":
            approve_story(story, actor=actor)
            done = "Story approved: copy it from the list below to post it."
        elif action == "decline":
            form = DeclineForm(request.POST)
            if not form.is_valid():
                raise CaseActionError("say why the story is declined")
            decline_story(story, actor=actor, reason=form.cleaned_data["reason"])
            done = "Story declined."
        elif action == "published":
            form = PublishedForm(request.POST)
            where = form.cleaned_data["where"] if form.is_valid() else ""
            mark_story_published(story, actor=actor, where=where)
            done = "Story marked as published."
        else:
            raise Http404("no such action")
    except CaseActionError as exc:
        return _after_story(request, exc, "")
    return _after_story(request, None, done)


# --- CSAT report ---------------------------------------------------------------------------


@login_required
@require_GET
def csat(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not actor.is_supervisor_or_admin:
        raise PermissionDenied("the CSAT report is for supervisors and admins")
    report = csat_report(days=30)
    top = max(report.distribution.values()) or 1
    bars = [
        (score, count, round(100 * count / top)) for score, count in report.distribution.items()
    ]
    context = {
        "report": report,
        "bars": bars,
        "rate_pct": _percent(report.response_rate),
        "satisfied_pct": _percent(report.satisfied_share),
    }
    return render(request, "web/followup/csat.html", context)


def _percent(share: float | None) -> int | None:
    return None if share is None else round(100 * share)
