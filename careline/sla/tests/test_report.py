"""The unanswered report through the API and the command line."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client

from careline.accounts.models import Team, User
from careline.accounts.services import issue_api_token
from careline.cases import hooks
from careline.cases.models import Conversation
from careline.inbox.models import Channel

from .conftest import post, utc

pytestmark = pytest.mark.django_db

T = utc(2026, 11, 2, 9, 0)


@pytest.fixture
def complaints(generic_channel: Channel, team_a: Team, team_b: Team, agent: User) -> list[int]:
    """Team A's complaint (09:00, severity 80, alice's), team B's (09:30), and an answered
    one and a question that are not listed."""
    ids = []
    for minutes, name in ((0, "a"), (30, "b"), (40, "answered"), (50, "question")):
        at = T + timedelta(minutes=minutes)
        with time_machine.travel(at, tick=False):
            ids.append(post(generic_channel, name, at, author=f"u-{name}", text=f"Case {name}").pk)
    Conversation.objects.filter(pk__in=ids[:3]).update(triage_kind="complaint")
    Conversation.objects.filter(pk=ids[3]).update(triage_kind="question")
    Conversation.objects.filter(pk=ids[0]).update(team=team_a, triage_severity=80, assignee=agent)
    Conversation.objects.filter(pk=ids[1]).update(team=team_b, triage_severity=40)
    hooks.reply_queued(ids[2], public=True, system=False, at=T + timedelta(minutes=45))
    return ids[:2]


def api(client: Client, user: User, **params: str) -> dict:
    response = client.get(
        "/api/v1/reports/unanswered",
        params,
        headers={"Authorization": f"Bearer {issue_api_token(user)}"},
    )
    assert response.status_code == 200
    return response.json()


def test_the_api_lists_what_the_caller_may_see_with_age(
    client: Client, supervisor: User, agent: User, complaints: list[int]
) -> None:
    with time_machine.travel(T + timedelta(hours=2), tick=False):
        everything = api(client, supervisor)
        mine = api(client, agent)
        older = api(client, supervisor, older_than="100")
    assert everything["generated_at"] == "2026-11-02T11:00:00Z"
    assert everything["count"] == 2
    assert everything["items"][0] == {
        "id": complaints[0],
        "subject": "Case a",
        "created_at": "2026-11-02T09:00:00Z",
        "age_minutes": 120,
        "channel": "shop-webhook",
        "platform": "generic",
        "severity": 80,
        "status": "new",
        "priority": "normal",
        "assignee": "alice",
        "team": "Team A",
        "sla_next_due_at": "2026-11-02T10:00:00Z",
    }
    assert [item["id"] for item in everything["items"]] == complaints
    assert [item["id"] for item in mine["items"]] == complaints[:1]  # not team B's
    assert [item["id"] for item in older["items"]] == complaints[:1]


def test_the_api_needs_a_token(client: Client) -> None:
    assert client.get("/api/v1/reports/unanswered").status_code == 401


def test_the_command_prints_a_table(
    complaints: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    with time_machine.travel(T + timedelta(hours=2), tick=False):
        call_command("report", "unanswered")
    lines = capsys.readouterr().out.splitlines()
    # Columns are padded to the widest cell; ids differ between databases, so compare words.
    assert [line.split() for line in lines] == [
        ["case", "age", "channel", "sev", "status", "assignee", "subject"],
        [
            f"#{complaints[0]}",
            "2",
            "h",
            "0",
            "min",
            "shop-webhook",
            "80",
            "new",
            "alice",
            "Case",
            "a",
        ],
        [f"#{complaints[1]}", "1", "h", "30", "min", "shop-webhook", "40", "new", "-", "Case", "b"],
        ["2", "unanswered", "complaints"],
    ]
    assert lines[1].index("shop-webhook") == lines[0].index("channel")


def test_the_command_writes_csv_and_json(
    complaints: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    with time_machine.travel(T + timedelta(hours=2), tick=False):
        call_command("report", "unanswered", "--format", "csv", "--older-than", "100")
        rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
        call_command("report", "unanswered", "--format", "json")
        data = json.loads(capsys.readouterr().out)
    assert rows == [
        {
            "id": str(complaints[0]),
            "age_minutes": "120",
            "created_at": "2026-11-02T09:00:00+00:00",
            "channel": "shop-webhook",
            "severity": "80",
            "status": "new",
            "priority": "normal",
            "assignee": "alice",
            "team": "Team A",
            "sla_next_due_at": "2026-11-02T10:00:00+00:00",
            "subject": "Case a",
        }
    ]
    assert (data["count"], [item["id"] for item in data["items"]]) == (2, complaints)
    assert data["items"][1]["assignee"] is None


def test_the_command_says_when_nothing_is_left(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("report", "unanswered")
    assert capsys.readouterr().out == (
        "No unanswered complaints: every one has a reply or a decision.\n"
    )


def test_the_command_refuses_a_negative_age() -> None:
    with pytest.raises(CommandError, match="--older-than"):
        call_command("report", "unanswered", "--older-than", "-5")
