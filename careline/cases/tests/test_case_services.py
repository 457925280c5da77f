from __future__ import annotations

import pytest

from careline.accounts.models import User
from careline.cases.models import AppendOnlyError, CaseEvent, Conversation, EventKind
from careline.cases.services import CaseActionError, add_note, assign_case, transition_case
from careline.cases.workflow import TRANSITIONS, Status, TransitionError, check_transition
from careline.inbox.models import Channel
from careline.ingestion.services import ingest_items
from conftest import item

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(generic_channel: Channel) -> Conversation:
    ingest_items(generic_channel, [item("p1")])
    return Conversation.objects.get()


def test_a_status_change_is_stamped_and_recorded_with_its_reason(
    case: Conversation, agent: User
) -> None:
    transition_case(case, to="resolved", actor=agent, reason="refund sent")

    case.refresh_from_db()
    assert case.status == "resolved"
    assert case.resolved_at is not None
    event = case.events.get(kind=EventKind.STATUS_CHANGED)
    assert (event.actor, event.reason, event.data) == (
        agent,
        "refund sent",
        {"from": "new", "to": "resolved"},
    )


def test_an_agent_cannot_close_a_case_and_nothing_changes(case: Conversation, agent: User) -> None:
    with pytest.raises(
        CaseActionError, match="only a supervisor or admin may set a case to closed"
    ):
        transition_case(case, to="closed", actor=agent)

    case.refresh_from_db()
    assert (case.status, case.closed_at) == ("new", None)
    assert case.events.count() == 1


def test_a_supervisor_can_close_a_case(case: Conversation, supervisor: User) -> None:
    transition_case(case, to="closed", actor=supervisor)

    case.refresh_from_db()
    assert case.status == "closed"


def test_a_closed_case_cannot_be_reopened(case: Conversation, supervisor: User) -> None:
    transition_case(case, to="closed", actor=supervisor)

    with pytest.raises(CaseActionError, match="a closed case cannot become open"):
        transition_case(case, to="open", actor=supervisor)


def test_every_transition_in_the_table_is_allowed_and_others_are_not() -> None:
    for src in Status:
        for dst in Status:
            if dst in TRANSITIONS[src]:
                assert check_transition(src, dst, actor_is_supervisor=True) == dst
            else:
                with pytest.raises(TransitionError):
                    check_transition(src, dst, actor_is_supervisor=True)


def test_an_agent_can_take_a_case_but_not_give_it_to_someone_else(
    case: Conversation, agent: User, supervisor: User
) -> None:
    assign_case(case, assignee=agent, actor=agent)
    with pytest.raises(CaseActionError, match="agents may assign a case only to themselves"):
        assign_case(case, assignee=supervisor, actor=agent)

    case.refresh_from_db()
    assert case.assignee == agent
    event = case.events.get(kind=EventKind.ASSIGNED)
    assert event.data == {"from": None, "to": "alice"}


def test_a_supervisor_assigns_anyone(case: Conversation, agent: User, supervisor: User) -> None:
    assign_case(case, assignee=agent, actor=supervisor, reason="knows the courier")

    case.refresh_from_db()
    assert case.assignee == agent
    assert case.events.get(kind=EventKind.ASSIGNED).reason == "knows the courier"


def test_a_note_is_recorded_and_an_empty_one_refused(case: Conversation, agent: User) -> None:
    add_note(case, text="  Called the courier  ", actor=agent)
    with pytest.raises(CaseActionError, match="a note cannot be empty"):
        add_note(case, text="   ", actor=agent)

    assert list(case.events.filter(kind=EventKind.NOTE).values_list("reason", flat=True)) == [
        "Called the courier"
    ]


def test_the_case_record_is_append_only(case: Conversation) -> None:
    event = CaseEvent.objects.get()
    event.reason = "rewritten"

    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert CaseEvent.objects.get().reason == "new public post"


def test_an_agent_cannot_take_or_drop_a_case_another_person_holds(
    case: Conversation, agent: User, supervisor: User
) -> None:
    assign_case(case, assignee=supervisor, actor=supervisor)

    for target in (agent, None):
        with pytest.raises(CaseActionError, match="the case is sam's; ask a supervisor"):
            assign_case(case, assignee=target, actor=agent)

    case.refresh_from_db()
    assert case.assignee == supervisor


def test_an_agent_can_let_go_of_their_own_case(case: Conversation, agent: User) -> None:
    assign_case(case, assignee=agent, actor=agent)

    assign_case(case, assignee=None, actor=agent, reason="off shift")

    case.refresh_from_db()
    assert case.assignee is None
