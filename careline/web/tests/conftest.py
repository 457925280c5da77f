"""Cases for the web tests: one of team A, one without a team, one of team B."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from careline.accounts.models import Team, User
from careline.cases.models import Conversation
from careline.inbox.models import Channel
from careline.ingestion.services import ingest_items
from conftest import item


@dataclass(frozen=True)
class Cases:
    team_a: Conversation
    teamless: Conversation
    team_b: Conversation


@pytest.fixture
def cases(generic_channel: Channel, team_a: Team, team_b: Team) -> Cases:
    ingest_items(
        generic_channel,
        [
            item("pa", author="ua", text="Parcel for team A", minutes=1),
            item("pn", author="un", text="Question for nobody", minutes=2),
            item("pb", author="ub", text="Parcel for team B", minutes=3),
        ],
    )
    by_post = {c.messages.get().external_id: c for c in Conversation.objects.all()}
    Conversation.objects.filter(pk=by_post["pa"].pk).update(team=team_a)
    Conversation.objects.filter(pk=by_post["pb"].pk).update(team=team_b)
    return Cases(
        team_a=Conversation.objects.get(pk=by_post["pa"].pk),
        teamless=Conversation.objects.get(pk=by_post["pn"].pk),
        team_b=Conversation.objects.get(pk=by_post["pb"].pk),
    )


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client
