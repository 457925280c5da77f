"""Helpers for the assignment tests: cases made by ingestion, profiles, routing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from careline.accounts.models import Team, User
from careline.assignment.models import AgentProfile, TeamRouting
from careline.cases.models import CaseEvent, Conversation
from careline.connectors.base import InboundItem
from careline.inbox.models import Channel
from careline.ingestion.services import ingest_items
from conftest import T0

# Soon after the posts: no SLA clock has run out (escalation would step in).
NOW = T0 + timedelta(minutes=2)


def post(
    external_id: str, *, author: str, language: str = "", minutes: int = 0, reply_to: str = ""
) -> InboundItem:
    return InboundItem(
        external_id=external_id,
        author_id=author,
        author_handle="@" + author,
        author_name=author.title(),
        text=f"Question {external_id}",
        created_at=T0 + timedelta(minutes=minutes),
        public=True,
        reply_to=reply_to,
        extra={"language": language} if language else {},
    )


def new_case(channel: Channel, external_id: str, *, team: Team | None = None, **kw: Any) -> Any:
    """A new case, one post, by an author of its own."""
    ingest_items(channel, [post(external_id, author="u-" + external_id, **kw)])
    case = Conversation.objects.get(messages__external_id=external_id)
    if team is not None:
        Conversation.objects.filter(pk=case.pk).update(team=team)
        case.refresh_from_db()
    return case


def profile(user: User, **fields: Any) -> AgentProfile:
    return AgentProfile.objects.update_or_create(user=user, defaults=fields)[0]


def routing(team: Team, **fields: Any) -> TeamRouting:
    return TeamRouting.objects.update_or_create(team=team, defaults=fields)[0]


def kinds(case: Conversation) -> list[str]:
    return list(
        CaseEvent.objects.filter(conversation=case).order_by("id").values_list("kind", flat=True)
    )


def snapshot() -> dict[str, Any]:
    """What a refused action could have changed."""
    return {
        "cases": list(
            Conversation.objects.order_by("id").values_list("id", "assignee_id", "team_id")
        ),
        "events": list(CaseEvent.objects.order_by("id").values_list("id", "kind")),
        "profiles": list(
            AgentProfile.objects.order_by("id").values_list("id", "available", "last_assigned_at")
        ),
    }
