"""``/api/v1/escalations``: rules for supervisors, a case's record for whoever sees the case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from careline.accounts.models import User
from careline.accounts.services import issue_api_token
from careline.cases.models import Conversation
from careline.escalations.models import EscalationRuleSet
from careline.escalations.services import evaluate_case
from careline.escalations.tests.conftest import rule
from careline.workflow.rules import DEFAULT_RULES

pytestmark = pytest.mark.django_db

BASE = "/api/v1/escalations"
MakeCase = Callable[..., Conversation]


def call(client: Client, method: str, path: str, user: User, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {issue_api_token(user)}"}
    if body is None:
        return getattr(client, method)(BASE + path, headers=headers)
    return getattr(client, method)(
        BASE + path, body, content_type="application/json", headers=headers
    )


def test_agents_may_not_read_or_replace_the_rules(client: Client, agent: User) -> None:
    assert call(client, "get", "/rules", agent).status_code == 403
    assert call(client, "put", "/rules", agent, {"rules": []}).status_code == 403
    assert EscalationRuleSet.objects.count() == 0


def test_a_supervisor_reads_the_default_rules(client: Client, supervisor: User) -> None:
    response = call(client, "get", "/rules", supervisor)

    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["saved_by"]) == (None, None)
    assert body["rules"] == [r.to_dict() for r in DEFAULT_RULES]


def test_a_supervisor_replaces_the_rules(client: Client, supervisor: User) -> None:
    new = [rule("only", 10, [], [{"type": "set_due", "minutes": 15}])]

    response = call(client, "put", "/rules", supervisor, {"rules": new, "note": "api"})

    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["saved_by"]) == (1, "sam")
    assert [r["id"] for r in body["rules"]] == ["only"]


def test_invalid_rules_are_refused_with_each_field_and_nothing_is_stored(
    client: Client, supervisor: User
) -> None:
    bad = [rule("bad", 10, [], [{"type": "set_due", "minutes": 0}])]

    response = call(client, "put", "/rules", supervisor, {"rules": bad})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "path": "rules[0].actions[0].minutes",
            "message": "must be a whole number of minutes above 0, got 0",
        }
    ]
    assert EscalationRuleSet.objects.count() == 0


def test_a_case_escalation_record(client: Client, supervisor: User, make_case: MakeCase) -> None:
    case = make_case("There was smoke coming out of it")
    evaluate_case(case.pk, trigger="inbound")

    response = call(client, "get", f"/conversations/{case.pk}", supervisor)

    body = response.json()
    assert (body["owner"], body["due_at"]) == ("sam", "2026-11-02T09:30:00Z")
    (escalation,) = body["escalations"]
    assert escalation["path"] == ["Safety risk: text mentions 'smoke'"]
    assert escalation["rules"] == ["safety"]


def test_another_teams_case_is_404(
    client: Client, outsider: User, team_a: Any, make_case: MakeCase
) -> None:
    case = make_case("There was smoke coming out of it")
    Conversation.objects.filter(pk=case.pk).update(team=team_a)

    assert call(client, "get", f"/conversations/{case.pk}", outsider).status_code == 404


def test_the_trace_shows_every_rule(client: Client, supervisor: User, make_case: MakeCase) -> None:
    case = make_case("There was smoke coming out of it")

    response = call(client, "get", f"/conversations/{case.pk}/trace", supervisor)

    rows = response.json()
    assert [r["rule"] for r in rows] == [r.id for r in DEFAULT_RULES]
    assert rows[0] == {
        "rule": "safety",
        "name": "Safety risk",
        "outcome": "matched",
        "reason": "Safety risk: text mentions 'smoke'",
    }


def test_the_notifications_log_is_for_supervisors(
    client: Client, agent: User, supervisor: User, make_case: MakeCase
) -> None:
    case = make_case("There was smoke coming out of it")
    evaluate_case(case.pk, trigger="inbound")

    assert call(client, "get", "/notifications", agent).status_code == 403
    body = call(client, "get", "/notifications", supervisor).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["conversation"], item["target"], item["status"]) == (
        case.pk,
        "supervisors",
        "failed",
    )
