"""Supervisor pages: personas on every page, rule editing, testing rules, the case panel."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from careline.accounts.models import User
from careline.cases.models import Conversation
from careline.escalations.models import Crisis, EscalationRuleSet, NotificationTarget
from careline.escalations.services import current_rules, evaluate_case, save_rules
from careline.escalations.tests.conftest import rule, rules_json
from careline.workflow.rules import DEFAULT_RULES, rules_to_json

pytestmark = pytest.mark.django_db

MakeCase = Callable[..., Conversation]
PAGES = ["escalation-rules", "notification-targets", "crisis", "notifications-log"]
POSTS = {
    "escalation-rules": {"rules": "[]", "action": "save"},
    "notification-targets": {"name": "x", "channel": "chat", "address": "https://h.test/x"},
    "crisis": {"title": "Outage"},
}


def snapshot() -> tuple[int, int, int]:
    return (
        EscalationRuleSet.objects.count(),
        NotificationTarget.objects.count(),
        Crisis.objects.count(),
    )


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client: Client, name: str) -> None:
    url = reverse(name)

    response = client.get(url)

    assert (response.status_code, response["Location"]) == (302, f"/login/?next={url}")


@pytest.mark.parametrize("name", PAGES)
def test_agents_get_403_on_every_page(client: Client, agent: User, name: str) -> None:
    client.force_login(agent)

    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", list(POSTS))
def test_agents_cannot_change_anything(client: Client, agent: User, name: str) -> None:
    client.force_login(agent)
    before = snapshot()

    response = client.post(reverse(name), POSTS[name])

    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["supervisor", "admin_user"])
def test_supervisors_and_admins_see_every_page(
    client: Client, request: pytest.FixtureRequest, persona: str, name: str
) -> None:
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse(name)).status_code == 200


def test_the_rules_page_shows_the_rules_in_force_as_a_table_and_as_json(
    client: Client, supervisor: User
) -> None:
    client.force_login(supervisor)

    response = client.get(reverse("escalation-rules"))

    body = response.content.decode()
    assert "Someone may be hurt or at risk: a trained person answers within minutes." in body
    assert "severity ≥ 70" in body
    assert "notify legal by email" in body
    assert response.context["form"].initial["rules"] == rules_to_json(DEFAULT_RULES)


def test_saving_valid_rules_stores_a_new_version(client: Client, supervisor: User) -> None:
    client.force_login(supervisor)
    text = rules_json(rule("only", 10, [], [{"type": "set_due", "minutes": 10}]))

    response = client.post(
        reverse("escalation-rules"), {"rules": text, "note": "one rule", "action": "save"}
    )

    assert (response.status_code, response["Location"]) == (302, reverse("escalation-rules"))
    version = EscalationRuleSet.objects.get()
    assert (version.version, version.note, version.created_by) == (1, "one rule", supervisor)
    assert [r.id for r in current_rules()] == ["only"]


def test_invalid_rules_show_every_error_by_field_and_store_nothing(
    client: Client, supervisor: User
) -> None:
    client.force_login(supervisor)
    text = json.dumps(
        [
            rule("ok", 10, [], [{"type": "set_due", "minutes": 10}]),
            {
                **rule("bad", 20, [{"field": "severity", "op": "gte"}], []),
                "actions": [{"type": "notify", "channel": "pigeon", "to": "x"}],
                "order": "2",
            },
        ]
    )

    response = client.post(reverse("escalation-rules"), {"rules": text, "action": "save"})

    assert response.status_code == 400
    assert response.context["errors"] == [
        "rules[1].order: must be a whole number, got '2'",
        "rules[1].conditions[0].value: required",
        "rules[1].actions[0].channel: must be 'email' or 'chat', got 'pigeon'",
    ]
    assert "rules[1].conditions[0].value: required" in response.content.decode()
    assert EscalationRuleSet.objects.count() == 0


def test_testing_rules_on_a_case_traces_them_and_saves_nothing(
    client: Client, supervisor: User, make_case: MakeCase
) -> None:
    case = make_case("There was smoke in the kitchen")
    client.force_login(supervisor)

    response = client.post(
        reverse("escalation-rules"),
        {"rules": rules_to_json(DEFAULT_RULES), "case": case.pk, "action": "test"},
    )

    assert response.status_code == 200
    rows = [(r.rule.id, r.outcome, r.reason) for r in response.context["traced"]["rows"]]
    assert rows[0] == ("safety", "matched", "Safety risk: text mentions 'smoke'")
    assert rows[1] == ("crisis", "not_matched", "Crisis: no crisis")
    assert EscalationRuleSet.objects.count() == 0
    assert "Safety risk: text mentions &#x27;smoke&#x27;" in response.content.decode()


def test_a_supervisor_adds_a_chat_target(client: Client, supervisor: User) -> None:
    client.force_login(supervisor)

    response = client.post(
        reverse("notification-targets"),
        {
            "name": "supervisors",
            "channel": "chat",
            "address": "https://chat.test/h",
            "enabled": "on",
        },
    )

    assert response.status_code == 302
    target = NotificationTarget.objects.get()
    assert (target.name, target.channel, target.webhook_url, target.enabled) == (
        "supervisors",
        "chat",
        "https://chat.test/h",
        True,
    )


def test_a_chat_target_must_be_https(client: Client, supervisor: User) -> None:
    client.force_login(supervisor)

    response = client.post(
        reverse("notification-targets"),
        {"name": "supervisors", "channel": "chat", "address": "http://10.0.0.1/h"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["address"] == [
        "address: the webhook must be an https:// URL"
    ]
    assert NotificationTarget.objects.count() == 0


def test_a_supervisor_declares_and_ends_a_crisis(client: Client, supervisor: User) -> None:
    client.force_login(supervisor)

    client.post(reverse("crisis"), {"title": "Outage", "keywords": "outage"})
    crisis = Crisis.objects.get()
    client.post(reverse("crisis-end", args=[crisis.pk]))

    crisis.refresh_from_db()
    assert (crisis.started_by, crisis.ended_by, crisis.ended_at is not None) == (
        supervisor,
        supervisor,
        True,
    )


def test_the_conversation_page_shows_owner_due_time_and_path(
    client: Client, supervisor: User, make_case: MakeCase
) -> None:
    save_rules(
        actor=supervisor,
        text=rules_json(
            rule(
                "smoke",
                10,
                [{"field": "safety_terms", "op": "contains", "value": "smoke"}],
                [{"type": "set_due", "minutes": 30}],
            )
        ),
    )
    case = make_case("<b>smoke</b> everywhere")
    evaluate_case(case.pk, trigger="inbound")
    client.force_login(supervisor)

    response = client.get(reverse("conversation", args=[case.pk]))

    body = response.content.decode()
    assert 'data-testid="escalation-panel"' in body
    assert "Smoke: text mentions &#x27;smoke&#x27;" in body
    assert 'data-testid="escalation-owner">sam<' in body
    assert "Nov 2, 09:30" in body
    assert "<b>smoke</b>" not in body
