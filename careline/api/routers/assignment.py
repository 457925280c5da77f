"""``/assignment``: one's own profile and availability, everyone's skills and limits and each
team's routing (supervisors and admins), handovers and the collision heartbeat on a case."""

# No `from __future__ import annotations`: ninja reads the endpoint annotations at runtime.
from datetime import datetime

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from careline.accounts.access import get_conversation_for_user
from careline.accounts.models import Team, User
from careline.api.auth import api_user
from careline.assignment.models import AgentProfile, Strategy, TeamRouting
from careline.assignment.selectors import others_viewing, profile_rows, team_routings
from careline.assignment.services import (
    MAX_CASE_LIMIT,
    hand_over,
    open_case_counts,
    record_presence,
    set_availability,
    update_profile,
    update_routing,
)
from careline.cases.models import Conversation
from careline.cases.services import MAX_NOTE_CHARS

router = Router(tags=["assignment"])


class ProfileOut(Schema):
    username: str
    role: str
    teams: list[str]
    languages: list[str]
    topics: list[str]
    available: bool = Field(description="Now: marked available, or away time over.")
    away_until: datetime | None
    receives_cases: bool = Field(description="Takes part in automatic assignment.")
    max_open_cases: int | None
    open_cases: int
    last_assigned_at: datetime | None


def _profile_out(user: User, profile: AgentProfile | None, open_cases: int) -> ProfileOut:
    now = timezone.now()
    return ProfileOut(
        username=user.username,
        role=user.role,
        teams=[t.name for t in user.teams.all()],
        languages=profile.languages if profile else [],
        topics=profile.topics if profile else [],
        available=profile.is_available(now) if profile else True,
        away_until=profile.away_until if profile else None,
        receives_cases=profile.receives_cases if profile else user.role == "agent",
        max_open_cases=profile.max_open_cases if profile else None,
        open_cases=open_cases,
        last_assigned_at=profile.last_assigned_at if profile else None,
    )


def _profile_of(user: User) -> ProfileOut:
    profile = AgentProfile.objects.filter(user=user).first()
    return _profile_out(user, profile, open_case_counts([user.pk]).get(user.pk, 0))


def _supervisor(request: HttpRequest) -> User:
    user = api_user(request)
    if not user.is_supervisor_or_admin:
        raise HttpError(403, "only supervisors and admins may do this")
    return user


class AvailabilityIn(Schema):
    available: bool
    away_until: datetime | None = Field(None, description="Away until then (with available false).")


class ProfileIn(Schema):
    languages: list[str] = Field(default_factory=list, max_length=30)
    topics: list[str] = Field(default_factory=list, max_length=30)
    max_open_cases: int | None = Field(None, ge=1, le=MAX_CASE_LIMIT)
    receives_cases: bool = True
    available: bool | None = None


class RoutingIn(Schema):
    strategy: Strategy = Strategy.LEAST_LOADED
    auto_assign: bool = False
    intake: bool = Field(False, description="Receives new cases that have no team.")


class RoutingOut(Schema):
    team: str
    strategy: str
    auto_assign: bool
    intake: bool


def _routing_out(team: Team, routing: TeamRouting | None) -> RoutingOut:
    routing = routing or TeamRouting(team=team)
    return RoutingOut(
        team=team.name,
        strategy=routing.strategy,
        auto_assign=routing.auto_assign,
        intake=routing.intake,
    )


class HandoverIn(Schema):
    to_user: str | None = Field(None, description="Username; or give to_team.")
    to_team: str | None = Field(None, description="Team name; or give to_user.")
    note: str = Field(..., max_length=MAX_NOTE_CHARS, description="What was done, what is next.")


class HandoverOut(Schema):
    conversation_id: int
    assignee: str | None
    team: str | None


class PresenceIn(Schema):
    typing: bool = False


class ViewerOut(Schema):
    username: str
    since: datetime
    typing: bool


class PresenceOut(Schema):
    others: list[ViewerOut] = Field(description="Others with the case open now.")


@router.get("/me", response=ProfileOut, summary="My assignment profile")
def my_profile(request: HttpRequest) -> ProfileOut:
    return _profile_of(api_user(request))


@router.post("/me/availability", response=ProfileOut, summary="Mark myself available or away")
def my_availability(request: HttpRequest, payload: AvailabilityIn) -> ProfileOut:
    user = api_user(request)
    set_availability(user, actor=user, available=payload.available, away_until=payload.away_until)
    return _profile_of(user)


@router.get("/people", response=list[ProfileOut], summary="Everyone's profile (supervisors)")
def list_profiles(request: HttpRequest) -> list[ProfileOut]:
    _supervisor(request)
    return [_profile_out(r.user, r.profile, r.open_cases) for r in profile_rows()]


@router.put("/people/{username}", response=ProfileOut, summary="Edit a profile (supervisors)")
def edit_profile(request: HttpRequest, username: str, payload: ProfileIn) -> ProfileOut:
    actor = _supervisor(request)
    person = User.objects.filter(username=username, is_active=True).first()
    if person is None:
        raise HttpError(404, "no such user")
    update_profile(person, actor=actor, **payload.dict())
    return _profile_of(person)


@router.get("/teams", response=list[RoutingOut], summary="Each team's routing (supervisors)")
def list_routings(request: HttpRequest) -> list[RoutingOut]:
    _supervisor(request)
    return [_routing_out(t, r) for t, r in team_routings()]


@router.put("/teams/{team_name}", response=RoutingOut, summary="Edit routing (supervisors)")
def edit_routing(request: HttpRequest, team_name: str, payload: RoutingIn) -> RoutingOut:
    actor = _supervisor(request)
    team = Team.objects.filter(name=team_name).first()
    if team is None:
        raise HttpError(404, "no such team")
    routing = update_routing(
        team,
        actor=actor,
        strategy=str(payload.strategy),
        auto_assign=payload.auto_assign,
        intake=payload.intake,
    )
    return _routing_out(team, routing)


def _conversation(user: User, conversation_id: int) -> Conversation:
    try:
        return get_conversation_for_user(user, conversation_id)
    except Http404 as exc:
        raise HttpError(404, "no such conversation") from exc


@router.post(
    "/conversations/{conversation_id}/handover",
    response=HandoverOut,
    summary="Hand a case over with a note",
)
def post_handover(request: HttpRequest, conversation_id: int, payload: HandoverIn) -> HandoverOut:
    user = api_user(request)
    case = _conversation(user, conversation_id)
    to_user = to_team = None
    if payload.to_user is not None:
        to_user = User.objects.filter(username=payload.to_user).first()
        if to_user is None:
            raise HttpError(400, f"no user named '{payload.to_user}'")
    if payload.to_team is not None:
        to_team = Team.objects.filter(name=payload.to_team).first()
        if to_team is None:
            raise HttpError(400, f"no team named '{payload.to_team}'")
    case = hand_over(case, actor=user, note=payload.note, to_user=to_user, to_team=to_team)
    return HandoverOut(
        conversation_id=case.pk,
        assignee=case.assignee.username if case.assignee else None,
        team=case.team.name if case.team else None,
    )


@router.post(
    "/conversations/{conversation_id}/presence",
    response=PresenceOut,
    summary="I have this case open (heartbeat); who else has",
)
def post_presence(request: HttpRequest, conversation_id: int, payload: PresenceIn) -> PresenceOut:
    user = api_user(request)
    case = _conversation(user, conversation_id)
    record_presence(case, user=user, typing=payload.typing)
    return PresenceOut(
        others=[
            ViewerOut(username=v.user.username, since=v.since, typing=v.typing)
            for v in others_viewing(case, user=user)
        ]
    )
