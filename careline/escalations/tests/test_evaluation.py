"""Escalation through the service: order, stop, idempotence, owners, priority, the notice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from careline.accounts.models import Role, Team, User
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.escalations.models import Notification, NotificationStatus
from careline.escalations.services import evaluate_case, expected_time_phrase, save_rules
from careline.escalations.tests.conftest import rule, rules_json
from careline.inbox.models import Direction, Message
from careline.replies.models import OutboundMessage
from conftest import T0, make_user

pytestmark = pytest.mark.django_db

MakeCase = Callable[..., Conversation]


def escalations(case: Conversation) -> list[dict]:
    return list(
        CaseEvent.objects.filter(conversation=case, kind=EventKind.ESCALATED).values_list(
            "data", flat=True
        )
    )


def test_rules_run_by_order_not_by_position_and_stop_ends_the_evaluation(
    make_case: MakeCase, safety_agent: User, supervisor: User, chat_supervisors: object
) -> None:
    save_rules(
        actor=supervisor,
        text=rules_json(
            rule(
                "late",
                30,
                [{"field": "legal_threat", "op": "is_true"}],
                [
                    {"type": "assign_team", "team": "legal"},
                    {"type": "notify", "channel": "chat", "to": "supervisors"},
                ],
            ),
            rule(
                "first",
                10,
                [{"field": "safety_risk", "op": "is_true"}],
                [
                    {"type": "assign_team", "team": "safety"},
                    {"type": "raise_priority", "to": "urgent"},
                ],
            ),
            rule("stopper", 20, [], [{"type": "set_due", "minutes": 45}], stop=True),
        ),
    )
    case = make_case("The charger caught fire and my lawyer will hear about it")

    result = evaluate_case(case.pk, trigger="inbound")

    assert result.rules == ("first", "stopper")
    (data,) = escalations(case)
    assert data["rules"] == ["first", "stopper"]
    assert data["path"] == ["First: text mentions 'caught fire'", "Stopper: applies to every case"]
    case.refresh_from_db()
    assert (case.team.name, case.assignee, case.priority, case.status) == (
        "safety",
        safety_agent,
        "urgent",
        "escalated",
    )
    assert case.escalation_due_at == T0 + timedelta(minutes=45)
    assert Notification.objects.count() == 0  # the "late" rule came after the stop


def test_re_evaluating_applies_nothing_twice(
    make_case: MakeCase, supervisor: User, email_legal: object
) -> None:
    case = make_case("I have spoken to my lawyer about this", severity=80)

    first = evaluate_case(case.pk, trigger="inbound")
    second = evaluate_case(case.pk, trigger="inbound")

    assert first.escalated is True
    assert (second.escalated, second.reason) == (False, "every matching rule was applied before")
    assert len(escalations(case)) == 1
    assert Notification.objects.count() == 1
    assert OutboundMessage.objects.filter(conversation=case).count() == 1


def test_a_new_rule_matching_later_escalates_again_without_a_second_notice(
    make_case: MakeCase, supervisor: User, generic_channel: object
) -> None:
    case = make_case("I have spoken to my lawyer about this", severity=80)
    evaluate_case(case.pk, trigger="inbound")
    Message.objects.create(
        channel=case.channel,
        conversation=case,
        direction=Direction.INBOUND,
        visibility="public",
        text="and the plug gave me an electric shock",
        external_id="p-more",
        created_at=T0,
    )

    result = evaluate_case(case.pk, trigger="inbound")

    assert result.rules == ("safety",)
    second = escalations(case)[1]
    assert second["notice_within"] is None
    assert "the customer was already told the case is escalated" in second["notes"]
    assert OutboundMessage.objects.filter(conversation=case).count() == 1


def test_the_owner_is_a_team_member_when_the_rules_name_a_team(
    make_case: MakeCase, safety_team: Team, supervisor: User
) -> None:
    busy = make_user("bea", Role.AGENT, safety_team)
    free = make_user("finn", Role.AGENT, safety_team)
    Conversation.objects.create(channel=make_case("hello").channel, assignee=busy, status="open")
    case = make_case("There was smoke coming out of it", author="other")

    result = evaluate_case(case.pk, trigger="inbound")

    case.refresh_from_db()
    assert (result.owner, case.assignee) == ("finn", free)
    assert escalations(case)[0]["owner_reason"] == (
        f"finn (#{free.pk}): least loaded: 0 open cases, among 2 available in team 'safety'"
    )


def test_a_supervisor_owns_it_when_the_team_does_not_exist(
    make_case: MakeCase, supervisor: User
) -> None:
    case = make_case("There was smoke coming out of it")

    result = evaluate_case(case.pk, trigger="inbound")

    case.refresh_from_db()
    assert (result.owner, case.assignee) == ("sam", supervisor)
    data = escalations(case)[0]
    assert data["owner_reason"] == "a supervisor: sam (0 open cases)"
    assert data["notes"] == ["no team named 'safety' exists; set it up under Teams"]


def test_a_supervisor_owns_it_when_nobody_in_the_team_is_available(
    make_case: MakeCase, safety_team: Team, team_a: Team
) -> None:
    make_user("gone", Role.AGENT, safety_team).__class__.objects.filter(username="gone").update(
        is_active=False
    )
    lead = make_user("lena", Role.SUPERVISOR, safety_team)
    make_user("other-sup", Role.SUPERVISOR, team_a)
    case = make_case("There was smoke coming out of it")

    evaluate_case(case.pk, trigger="inbound")

    case.refresh_from_db()
    assert case.assignee == lead
    assert escalations(case)[0]["owner_reason"] == "a supervisor of 'safety': lena (0 open cases)"


def test_an_admin_owns_it_when_there_is_no_supervisor(
    make_case: MakeCase, admin_user: User
) -> None:
    case = make_case("There was smoke coming out of it")

    evaluate_case(case.pk, trigger="inbound")

    case.refresh_from_db()
    assert case.assignee == admin_user


def test_priority_only_rises(make_case: MakeCase, supervisor: User) -> None:
    case = make_case("I have spoken to my lawyer about this", severity=80)
    Conversation.objects.filter(pk=case.pk).update(priority="urgent")

    evaluate_case(case.pk, trigger="inbound")

    case.refresh_from_db()
    assert case.priority == "urgent"
    assert not CaseEvent.objects.filter(conversation=case, kind=EventKind.PRIORITY_CHANGED).exists()


def test_a_raised_priority_is_recorded(make_case: MakeCase, supervisor: User) -> None:
    case = make_case("I have spoken to my lawyer about this", severity=80)

    evaluate_case(case.pk, trigger="inbound")

    event = CaseEvent.objects.get(conversation=case, kind=EventKind.PRIORITY_CHANGED)
    assert event.data == {"from": "normal", "to": "high"}
    assert event.actor is None


def test_the_customer_notice_is_queued_once_with_the_expected_time(
    make_case: MakeCase, supervisor: User
) -> None:
    case = make_case("I have spoken to my lawyer about this", severity=80)

    evaluate_case(case.pk, trigger="inbound")
    evaluate_case(case.pk, trigger="sla_breach")

    notice = OutboundMessage.objects.get(conversation=case)
    assert notice.created_by is None
    assert "within 4 hours" in notice.message.text
    assert notice.message.direction == Direction.OUTBOUND
    assert escalations(case)[0]["notice_within"] == 240


def test_the_escalated_event_records_the_decisions_and_the_path(
    make_case: MakeCase, supervisor: User
) -> None:
    case = make_case("I have spoken to my lawyer about this", severity=80)

    evaluate_case(case.pk, trigger="inbound")

    event = CaseEvent.objects.get(conversation=case, kind=EventKind.ESCALATED)
    assert event.reason == "Legal threat: text mentions 'lawyer'; severity 80 ≥ 70"
    assert event.data["decisions"][0]["rule"] == "legal-threat"
    assert event.data["due_at"] == (T0 + timedelta(minutes=240)).isoformat()
    assert event.data["owner"] == "sam"
    case.refresh_from_db()
    assert case.escalation_reason == event.reason


def test_a_case_no_rule_matches_is_left_alone(make_case: MakeCase, supervisor: User) -> None:
    case = make_case("Where is my parcel?")

    result = evaluate_case(case.pk, trigger="inbound")

    assert (result.escalated, result.reason) == (False, "no rule matched")
    case.refresh_from_db()
    assert (case.status, case.assignee, case.escalation_due_at) == ("new", None, None)


def test_a_notify_to_a_target_not_set_up_is_recorded_as_failed(
    make_case: MakeCase, supervisor: User
) -> None:
    case = make_case("There was smoke coming out of it")

    evaluate_case(case.pk, trigger="inbound")

    notification = Notification.objects.get()
    assert notification.status == NotificationStatus.FAILED
    assert (
        notification.last_error
        == "no chat webhook target named 'supervisors' is set up and switched on"
    )
    failed = CaseEvent.objects.get(conversation=case, kind=EventKind.NOTIFICATION_FAILED)
    assert failed.reason.startswith("chat to supervisors: no chat webhook target")


@pytest.mark.parametrize(
    ("minutes", "phrase"),
    [
        (30, "within 30 minutes"),
        (60, "within 1 hour"),
        (240, "within 4 hours"),
        (90, "within 1 hour 30 minutes"),
    ],
)
def test_expected_time_phrases(minutes: int, phrase: str) -> None:
    assert expected_time_phrase(minutes) == phrase


def test_no_notice_is_sent_for_posts_found_by_listening(
    make_case: MakeCase, supervisor: User
) -> None:
    case = make_case("I have spoken to my lawyer about this", severity=80)
    Message.objects.filter(conversation=case).update(indirect=True)

    evaluate_case(case.pk, trigger="inbound")

    assert not OutboundMessage.objects.filter(conversation=case).exists()
    note = CaseEvent.objects.get(conversation=case, kind=EventKind.NOTE)
    assert note.reason == (
        "The escalation notice could not be queued: the posts were found by listening, "
        "not addressed to us; careline never answers those by itself"
    )
    case.refresh_from_db()
    assert case.status == "escalated"
