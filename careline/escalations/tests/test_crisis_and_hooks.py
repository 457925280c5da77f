"""Crises, the after-ingest and SLA-breach hooks, and the overdue-escalation sweep."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine

from careline.accounts.models import User
from careline.cases import hooks
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.escalations.facts import build_facts
from careline.escalations.models import Crisis, Notification, NotificationKind, NotificationTarget
from careline.escalations.services import (
    EscalationError,
    declare_crisis,
    end_crisis,
    evaluate_case,
    sweep_overdue_escalations,
)
from careline.inbox.models import Channel
from careline.ingestion.services import ingest_items
from conftest import T0, item

pytestmark = pytest.mark.django_db

MakeCase = Callable[..., Conversation]


def test_a_declared_crisis_sets_the_fact_for_the_cases_it_covers_until_it_ends(
    make_case: MakeCase, supervisor: User
) -> None:
    covered = make_case("Is the app down? Total outage here")
    other = make_case("Where is my parcel?", author="someone-else")

    crisis = declare_crisis(title="App outage", topic="", keywords="outage\n", actor=supervisor)

    assert (build_facts(covered).crisis, build_facts(other).crisis) == (True, False)
    end_crisis(crisis=crisis, actor=supervisor)
    assert build_facts(covered).crisis is False


def test_a_crisis_on_a_topic_covers_the_cases_of_that_topic(
    make_case: MakeCase, supervisor: User
) -> None:
    case = make_case("Hello")
    Conversation.objects.filter(pk=case.pk).update(triage_topic="delivery")
    case.refresh_from_db()

    declare_crisis(title="Courier strike", topic="Delivery", keywords="", actor=supervisor)

    assert build_facts(case).crisis is True


def test_declaring_a_crisis_alerts_the_supervisors_target(
    supervisor: User, chat_supervisors: NotificationTarget
) -> None:
    crisis = declare_crisis(title="App outage", topic="", keywords="outage", actor=supervisor)

    notification = Notification.objects.get()
    assert (notification.kind, notification.crisis, notification.conversation) == (
        NotificationKind.CRISIS,
        crisis,
        None,
    )
    assert (notification.target_name, notification.channel) == ("supervisors", "chat")
    assert notification.subject == "Crisis declared: App outage"
    assert notification.text == "Declared by sam. Covers keywords 'outage'."


def test_the_crisis_rule_escalates_covered_cases_when_the_crisis_is_declared(
    make_case: MakeCase, supervisor: User, django_capture_on_commit_callbacks
) -> None:
    case = make_case("Is the app down? Total outage here")

    with django_capture_on_commit_callbacks(execute=True):
        declare_crisis(title="App outage", topic="", keywords="outage", actor=supervisor)

    event = CaseEvent.objects.get(conversation=case, kind=EventKind.ESCALATED)
    assert (event.data["trigger"], event.data["rules"]) == ("crisis", ["crisis"])
    case.refresh_from_db()
    assert case.priority == "urgent"


def test_agents_cannot_declare_or_end_a_crisis(agent: User, supervisor: User) -> None:
    with pytest.raises(EscalationError):
        declare_crisis(title="x", topic="", keywords="", actor=agent)
    crisis = declare_crisis(title="x", topic="", keywords="", actor=supervisor)
    with pytest.raises(EscalationError):
        end_crisis(crisis=crisis, actor=agent)
    assert Crisis.objects.get().ended_at is None


def test_ingesting_a_message_evaluates_its_case_after_commit_not_inside_the_ingest(
    generic_channel: Channel,
    supervisor: User,
    django_capture_on_commit_callbacks,
    frozen: time_machine.Traveller,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ingest_items(generic_channel, [item("p1", text="It caught fire in the kitchen")])
    assert not CaseEvent.objects.filter(kind=EventKind.ESCALATED).exists()

    for callback in callbacks:
        callback()

    event = CaseEvent.objects.get(kind=EventKind.ESCALATED)
    assert (event.data["trigger"], event.data["rules"]) == ("inbound", ["safety"])


def test_ingest_does_not_evaluate_when_turned_off(
    generic_channel: Channel, supervisor: User, settings: object, django_capture_on_commit_callbacks
) -> None:
    settings.CARELINE_ESCALATE_ON_INGEST = False  # type: ignore[attr-defined]

    with django_capture_on_commit_callbacks(execute=True):
        ingest_items(generic_channel, [item("p1", text="It caught fire")])

    assert not CaseEvent.objects.filter(kind=EventKind.ESCALATED).exists()


def test_an_sla_breach_evaluates_the_case_with_the_breach_trigger(
    make_case: MakeCase,
    supervisor: User,
    django_capture_on_commit_callbacks,
    frozen: time_machine.Traveller,
) -> None:
    case = make_case("Where is my parcel?")
    frozen.shift(timedelta(hours=2))  # normal priority: first response due within the hour

    with django_capture_on_commit_callbacks(execute=True):
        hooks.sla_breached(case.pk, clock="first_response", reason="late", at=T0)

    event = CaseEvent.objects.get(conversation=case, kind=EventKind.ESCALATED)
    assert (event.data["trigger"], event.data["rules"]) == ("sla_breach", ["sla-breach"])
    assert event.reason.startswith("SLA breach: breached SLA clocks: first_response")
    notification = Notification.objects.get()
    assert notification.kind == NotificationKind.BREACH


def test_a_clock_answered_late_does_not_escalate(
    make_case: MakeCase, supervisor: User, frozen: time_machine.Traveller
) -> None:
    case = make_case("Where is my parcel?")
    frozen.shift(timedelta(hours=2))
    from careline.replies.services import queue_reply

    queue_reply(case, text="Sorry for the wait, checking now.", public=True, actor=supervisor)

    result = evaluate_case(case.pk, trigger="sla_breach")

    assert (result.escalated, result.reason) == (False, "no rule matched")


def test_an_overdue_escalation_notifies_the_supervisor_once(
    make_case: MakeCase, supervisor: User, frozen: time_machine.Traveller
) -> None:
    User.objects.filter(pk=supervisor.pk).update(email="sam@shop.test")
    case = make_case("I have spoken to my lawyer about this", severity=80)
    evaluate_case(case.pk, trigger="inbound")
    Notification.objects.all().delete()

    assert sweep_overdue_escalations() == 0  # due in 4 hours
    frozen.shift(timedelta(hours=4, minutes=1))
    assert sweep_overdue_escalations() == 1
    assert sweep_overdue_escalations() == 0

    notification = Notification.objects.get()
    assert (notification.kind, notification.target_name, notification.channel) == (
        NotificationKind.OVERDUE,
        "supervisor-sam",
        "email",
    )
    assert notification.subject == f"Escalated case #{case.pk} is overdue (high)"
    assert NotificationTarget.objects.get(name="supervisor-sam").emails == ["sam@shop.test"]


def test_an_escalation_answered_by_an_agent_is_not_overdue(
    make_case: MakeCase, supervisor: User, frozen: time_machine.Traveller
) -> None:
    case = make_case("I have spoken to my lawyer about this", severity=80)
    evaluate_case(case.pk, trigger="inbound")
    Conversation.objects.filter(pk=case.pk).update(last_agent_reply_at=T0 + timedelta(minutes=5))

    frozen.shift(timedelta(hours=5))

    assert sweep_overdue_escalations() == 0
