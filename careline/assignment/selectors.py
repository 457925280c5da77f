"""Reads for the assignment screens and the case panel: who else is on a case, replies sent
since one opened it, the latest handover, handover targets, profiles and routings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from careline.accounts.models import Role, Team, User
from careline.assignment.models import AgentProfile, Presence, TeamRouting
from careline.assignment.services import PRESENCE_STALE, open_case_counts
from careline.cases.models import CaseEvent, Conversation, EventKind

# A reply box focused in the last heartbeat or two reads as "typing".
TYPING_FRESH = timedelta(seconds=30)
REPLY_KINDS = (EventKind.REPLY_QUEUED, EventKind.REPLY_HELD)


@dataclass(frozen=True)
class Viewer:
    user: User
    since: datetime
    typing: bool


def others_viewing(
    conversation: Conversation, *, user: User, now: datetime | None = None
) -> list[Viewer]:
    """Other people with the case open now (a heartbeat in the last 45 s), longest first."""
    now = now or timezone.now()
    rows = (
        Presence.objects.filter(conversation=conversation, last_seen__gte=now - PRESENCE_STALE)
        .exclude(user=user)
        .select_related("user")
        .order_by("since", "id")
    )
    return [
        Viewer(
            user=p.user,
            since=p.since,
            typing=p.typing_at is not None and p.typing_at >= now - TYPING_FRESH,
        )
        for p in rows
    ]


def replies_by_others_since(
    conversation: Conversation, *, user: User, since: datetime
) -> list[CaseEvent]:
    """Replies other people queued (or had held for approval) on the case since ``since``,
    oldest first. Replies careline sent itself do not count."""
    return list(
        CaseEvent.objects.filter(
            conversation=conversation,
            kind__in=REPLY_KINDS,
            created_at__gte=since,
            actor__isnull=False,
        )
        .exclude(actor=user)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def latest_handover(conversation: Conversation) -> CaseEvent | None:
    return (
        CaseEvent.objects.filter(conversation=conversation, kind=EventKind.HANDOVER)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def handover_people(conversation: Conversation) -> QuerySet[User]:
    """Who may receive the case: active agents of its team (anyone active when it has no
    team), and supervisors and admins."""
    people = User.objects.filter(is_active=True)
    if conversation.team_id is not None:
        people = people.filter(
            Q(teams=conversation.team_id) | Q(role__in=[Role.SUPERVISOR, Role.ADMIN])
        )
    return people.exclude(pk=conversation.assignee_id or 0).distinct().order_by("username")


@dataclass(frozen=True)
class ProfileRow:
    user: User
    profile: AgentProfile | None
    open_cases: int

    @property
    def available(self) -> bool:
        return self.profile.is_available(timezone.now()) if self.profile else True

    @property
    def receives_cases(self) -> bool:
        if self.profile is None:
            return self.user.role == Role.AGENT
        return self.profile.receives_cases


def profile_rows() -> list[ProfileRow]:
    """Every active person with their profile (None: never set) and open cases."""
    users = list(User.objects.filter(is_active=True).prefetch_related("teams").order_by("username"))
    profiles = {p.user_id: p for p in AgentProfile.objects.filter(user__in=users)}
    counts = open_case_counts(u.pk for u in users)
    return [ProfileRow(u, profiles.get(u.pk), counts.get(u.pk, 0)) for u in users]


def team_routings() -> list[tuple[Team, TeamRouting | None]]:
    routings = {r.team_id: r for r in TeamRouting.objects.all()}
    return [(t, routings.get(t.pk)) for t in Team.objects.order_by("name")]
