"""Assignment in the web app: the presence heartbeat of the conversation page (collision
warnings), handovers, one's own availability, and the supervisors' assignment settings.

Thin like the other views: validate a form, fetch through ``accounts.access``, call one
service, redirect (or render the fragment htmx asked for).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careline.accounts.access import get_conversation_for_user
from careline.accounts.models import Team, User
from careline.assignment.models import AgentProfile, Strategy, TeamRouting
from careline.assignment.selectors import (
    handover_people,
    others_viewing,
    profile_rows,
    replies_by_others_since,
    team_routings,
)
from careline.assignment.services import (
    MAX_CASE_LIMIT,
    hand_over,
    record_presence,
    set_availability,
    update_profile,
    update_routing,
)
from careline.cases.models import Conversation
from careline.cases.services import MAX_NOTE_CHARS, CaseActionError


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "views behind login_required have a careline user"
    return user


def _refused(request: HttpRequest, exc: CaseActionError) -> None:
    messages.error(request, f"{capfirst(str(exc))}.")


def _person(user: User) -> str:
    return user.get_full_name() or user.username


# -- forms ---------------------------------------------------------------------------------------


class HandoverForm(forms.Form):
    """To whom (``user:<username>`` or ``team:<id>``) and the note, which is required."""

    to = forms.ChoiceField(label="Hand over to")
    note = forms.CharField(
        label="Handover note",
        max_length=MAX_NOTE_CHARS,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "What was done, what is next, what to watch for"}
        ),
    )

    def __init__(self, *args: Any, conversation: Conversation, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"handover-{conversation.pk}-%s")
        super().__init__(*args, **kwargs)
        teams = list(Team.objects.order_by("name"))
        if conversation.team_id is not None:
            teams.sort(key=lambda t: t.pk != conversation.team_id)
        team_choices = [
            (
                f"team:{t.pk}",
                t.name + (" (back to the team)" if t.pk == conversation.team_id else ""),
            )
            for t in teams
        ]
        people = [(f"user:{u.username}", _person(u)) for u in handover_people(conversation)]
        cast(forms.ChoiceField, self.fields["to"]).choices = [
            ("", "Choose…"),
            ("Teams", team_choices),
            ("People", people),
        ]

    def target(self) -> dict[str, Any]:
        """``to_user`` or ``to_team`` for ``hand_over``."""
        kind, _, value = self.cleaned_data["to"].partition(":")
        if kind == "team":
            return {"to_team": Team.objects.get(pk=int(value))}
        return {"to_user": User.objects.get(username=value)}


class AvailabilityForm(forms.Form):
    available = forms.TypedChoiceField(
        choices=[("1", "Available"), ("0", "Away")], coerce=lambda v: v == "1"
    )
    away_until = forms.DateTimeField(
        required=False,
        label="Away until (optional)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


def _words(text: str) -> list[str]:
    return [w for w in text.replace(",", " ").split() if w]


class ProfileForm(forms.Form):
    languages = forms.CharField(
        required=False, max_length=400, help_text="Language codes, e.g. en, de"
    )
    topics = forms.CharField(required=False, max_length=2000, help_text="Triage topic slugs")
    max_open_cases = forms.IntegerField(required=False, min_value=1, max_value=MAX_CASE_LIMIT)
    available = forms.BooleanField(required=False)
    receives_cases = forms.BooleanField(required=False, label="Gets automatic cases")

    @classmethod
    def for_row(cls, user: User, profile: AgentProfile | None, **kwargs: Any) -> ProfileForm:
        kwargs.setdefault("auto_id", f"profile-{user.pk}-%s")
        initial: dict[str, Any]
        if profile is None:
            initial = {"available": True, "receives_cases": user.role == "agent"}
        else:
            initial = {
                "languages": ", ".join(profile.languages),
                "topics": ", ".join(profile.topics),
                "max_open_cases": profile.max_open_cases,
                "available": profile.is_available(timezone.now()),
                "receives_cases": profile.receives_cases,
            }
        return cls(initial=initial, **kwargs)


class RoutingForm(forms.Form):
    strategy = forms.ChoiceField(choices=Strategy.choices)
    auto_assign = forms.BooleanField(required=False, label="Assign new cases automatically")
    intake = forms.BooleanField(required=False, label="Receives new cases without a team")

    @classmethod
    def for_team(cls, team: Team, routing: TeamRouting | None, **kwargs: Any) -> RoutingForm:
        kwargs.setdefault("auto_id", f"routing-{team.pk}-%s")
        routing = routing or TeamRouting(team=team)
        initial = {
            "strategy": routing.strategy,
            "auto_assign": routing.auto_assign,
            "intake": routing.intake,
        }
        return cls(initial=initial, **kwargs)


# -- the conversation page ----------------------------------------------------------------------


def presence_context(
    conversation: Conversation, *, user: User, opened: datetime, typing: bool = False
) -> dict[str, Any]:
    """What the collision warning shows (used by the panel tag and the heartbeat)."""
    return {
        "conversation": conversation,
        "viewers": others_viewing(conversation, user=user),
        "replies_since": replies_by_others_since(conversation, user=user, since=opened),
        "opened": opened,
        "typing": typing,
    }


@login_required
@require_POST
def presence(request: HttpRequest, pk: int) -> HttpResponse:
    """The conversation page's heartbeat (every 15 s): record that the user has the case
    open, answer with who else has, and with replies others sent since the page was opened."""
    actor = _actor(request)
    case = get_conversation_for_user(actor, pk)
    typing = request.POST.get("typing") == "1"
    record_presence(case, user=actor, typing=typing)
    opened = parse_datetime(request.POST.get("opened") or "")
    if opened is None or timezone.is_naive(opened) or opened > timezone.now():
        opened = timezone.now()
    context = presence_context(case, user=actor, opened=opened, typing=typing)
    return render(request, "web/assignment/_presence_status.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand the case over with a note. The form also sits on the conversation page; this
    page shows it again with the reasons when it was refused."""
    actor = _actor(request)
    case = get_conversation_for_user(actor, pk)
    form = HandoverForm(request.POST or None, conversation=case)
    if request.method == "POST" and form.is_valid():
        try:
            hand_over(case, actor=actor, note=form.cleaned_data["note"], **form.target())
        except CaseActionError as exc:
            form.add_error(None, f"{capfirst(str(exc))}.")
        else:
            messages.success(request, "Case handed over.")
            return redirect("conversation", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "web/assignment/handover.html",
        {"conversation": case, "form": form},
        status=status,
    )


# -- availability and settings ------------------------------------------------------------------


@login_required
@require_POST
def availability(request: HttpRequest) -> HttpResponse:
    """Mark oneself available or away; back to where the form was (same site only)."""
    actor = _actor(request)
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        try:
            set_availability(
                actor,
                actor=actor,
                available=form.cleaned_data["available"],
                away_until=form.cleaned_data["away_until"],
            )
        except CaseActionError as exc:
            _refused(request, exc)
        else:
            messages.success(
                request,
                "You are available." if form.cleaned_data["available"] else "You are away.",
            )
    else:
        messages.error(request, "Choose available or away (and a valid time, if any).")
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("assignment-settings")
    return redirect(target)


@login_required
@require_GET
def assignment_settings(request: HttpRequest) -> HttpResponse:
    """Everyone sees their own availability; supervisors and admins also edit everyone's
    skills and limits and each team's routing."""
    return _render_settings(request)


def _render_settings(
    request: HttpRequest,
    *,
    failed_profile: tuple[int, ProfileForm] | None = None,
    failed_routing: tuple[int, RoutingForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = _actor(request)
    mine = AgentProfile.objects.filter(user=actor).first()  # a GET creates nothing
    context: dict[str, Any] = {
        "profile": mine,
        "available": mine.is_available(timezone.now()) if mine else True,
        "availability_form": AvailabilityForm(auto_id="availability-%s"),
    }
    if actor.is_supervisor_or_admin:
        rows = []
        for row in profile_rows():
            if failed_profile is not None and failed_profile[0] == row.user.pk:
                form = failed_profile[1]
            else:
                form = ProfileForm.for_row(row.user, row.profile)
            rows.append((row, form))
        teams = []
        for team, routing in team_routings():
            if failed_routing is not None and failed_routing[0] == team.pk:
                routing_form = failed_routing[1]
            else:
                routing_form = RoutingForm.for_team(team, routing)
            teams.append((team, routing, routing_form))
        context.update(rows=rows, teams=teams)
    return render(request, "web/assignment/settings.html", context, status=status)


def _require_supervisor(actor: User) -> None:
    if not actor.is_supervisor_or_admin:
        raise PermissionDenied("only supervisors and admins may change assignment settings")


@login_required
@require_POST
def profile_edit(request: HttpRequest, user_pk: int) -> HttpResponse:
    actor = _actor(request)
    _require_supervisor(actor)
    person = get_object_or_404(User, pk=user_pk, is_active=True)
    form = ProfileForm(request.POST, auto_id=f"profile-{person.pk}-%s")
    if form.is_valid():
        try:
            update_profile(
                person,
                actor=actor,
                languages=_words(form.cleaned_data["languages"]),
                topics=_words(form.cleaned_data["topics"]),
                max_open_cases=form.cleaned_data["max_open_cases"],
                receives_cases=form.cleaned_data["receives_cases"],
                available=form.cleaned_data["available"],
            )
        except CaseActionError as exc:
            form.add_error(None, f"{capfirst(str(exc))}.")
        else:
            messages.success(request, f"Profile of {person.username} saved.")
            return redirect("assignment-settings")
    return _render_settings(request, failed_profile=(person.pk, form), status=400)


@login_required
@require_POST
def routing_edit(request: HttpRequest, team_pk: int) -> HttpResponse:
    actor = _actor(request)
    _require_supervisor(actor)
    team = get_object_or_404(Team, pk=team_pk)
    form = RoutingForm(request.POST, auto_id=f"routing-{team.pk}-%s")
    if form.is_valid():
        try:
            update_routing(team, actor=actor, **form.cleaned_data)
        except CaseActionError as exc:
            form.add_error(None, f"{capfirst(str(exc))}.")
        else:
            messages.success(request, f"Routing of {team.name} saved.")
            return redirect("assignment-settings")
    return _render_settings(request, failed_routing=(team.pk, form), status=400)


urlpatterns = [
    path("c/<int:pk>/presence/", presence, name="conversation-presence"),
    path("c/<int:pk>/handover/", handover, name="conversation-handover"),
    path("settings/assignment/", assignment_settings, name="assignment-settings"),
    path("settings/assignment/availability/", availability, name="assignment-availability"),
    path("settings/assignment/people/<int:user_pk>/", profile_edit, name="assignment-profile"),
    path("settings/assignment/teams/<int:team_pk>/", routing_edit, name="assignment-routing"),
]
