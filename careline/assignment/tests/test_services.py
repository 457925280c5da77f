from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careline.accounts.models import Role, Team, User
from careline.assignment.models import AgentProfile, TeamRouting
from careline.assignment.services import (
    assign_waiting_cases,
    auto_assign,
    auto_assign_new_cases,
    candidates_for_team,
    set_availability,
    update_profile,
    update_routing,
)
from careline.assignment.tasks import assign_waiting_cases as run_sweep
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.services import CaseActionError
from careline.connectors.base import InboundItem
from careline.demo.seeding import ensure_assignment, ensure_people
from careline.inbox.models import Channel
from careline.ingestion.services import ingest_items
from careline.workflow.assignment import AgentState, Skills
from conftest import make_user

from .support import NOW, new_case, post, profile, routing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def alice(team_a: Team) -> User:
    return make_user("alice", Role.AGENT, team_a)


@pytest.fixture
def bob(team_a: Team) -> User:
    return make_user("bob", Role.AGENT, team_a)


def assigned(case: Conversation) -> str | None:
    case.refresh_from_db()
    return case.assignee.username if case.assignee else None


def test_candidates_carry_profiles_loads_and_leave_out_supervisors_without_one(
    team_a: Team, alice: User, bob: User, supervisor: User, generic_channel: Channel
) -> None:
    profile(alice, languages=["de", "en"], topics=["billing"], max_open_cases=3)
    profile(bob, available=False)
    busy = new_case(generic_channel, "p1", team=team_a)
    Conversation.objects.filter(pk=busy.pk).update(assignee=alice)

    assert candidates_for_team(team_a) == [
        AgentState(
            id=alice.pk,
            teams=frozenset({"Team A"}),
            skills=Skills(languages=frozenset({"de", "en"}), topics=frozenset({"billing"})),
            open_cases=1,
            name="alice",
            max_open_cases=3,
        ),
        AgentState(id=bob.pk, teams=frozenset({"Team A"}), available=False, name="bob"),
    ]


def test_a_supervisor_who_opts_in_is_a_candidate(team_a: Team, supervisor: User) -> None:
    assert candidates_for_team(team_a) == []
    profile(supervisor, receives_cases=True)
    assert [c.name for c in candidates_for_team(team_a)] == ["sam"]


def test_round_robin_rotates_through_the_team(
    team_a: Team, alice: User, bob: User, generic_channel: Channel, clock: Any
) -> None:
    routing(team_a, strategy="round_robin")
    cases = [new_case(generic_channel, f"p{i}", team=team_a) for i in range(4)]
    chosen = []
    for case in cases:
        clock.shift(60)
        auto_assign(case, reason="test")
        chosen.append(assigned(case))
    assert chosen == ["alice", "bob", "alice", "bob"]
    assert AgentProfile.objects.get(user=bob).last_assigned_at == NOW + timedelta(
        seconds=240, microseconds=1
    )


def test_least_loaded_picks_the_least_busy(
    team_a: Team, alice: User, bob: User, generic_channel: Channel
) -> None:
    for name in ("b1", "b2"):
        Conversation.objects.filter(pk=new_case(generic_channel, name).pk).update(assignee=alice)
    case = new_case(generic_channel, "p1", team=team_a)

    choice = auto_assign(case, reason="test")

    assert assigned(case) == "bob"
    assert choice.reason == (
        f"bob (#{bob.pk}): least loaded: 0 open cases, among 2 available in team 'Team A'"
    )
    event = CaseEvent.objects.get(conversation=case, kind=EventKind.ASSIGNED)
    assert event.actor is None
    assert event.reason == f"Assigned automatically (test): {choice.reason}"
    assert event.data == {"from": None, "to": "bob", "automatic": True, "relaxed": []}


def test_skills_relax_step_by_step_and_the_reason_says_so(
    team_a: Team, alice: User, bob: User, generic_channel: Channel
) -> None:
    profile(alice, languages=["en"], topics=["billing"])
    profile(bob, languages=["de"], topics=["delivery"])
    case = new_case(generic_channel, "p1", team=team_a, language="de")
    Conversation.objects.filter(pk=case.pk).update(triage_topic="billing")
    case.refresh_from_db()

    choice = auto_assign(case, reason="test")

    assert assigned(case) == "bob"
    assert choice.relaxed == ("topic",)
    assert choice.reason == (
        f"bob (#{bob.pk}): nobody available speaks 'de' and knows 'billing', so least loaded: "
        "0 open cases, among 1 available in team 'Team A' who speaks 'de'"
    )
    event = CaseEvent.objects.get(conversation=case, kind=EventKind.ASSIGNED)
    assert event.reason.endswith("(relaxed: topic)")
    assert event.data["relaxed"] == ["topic"]


def test_unavailable_and_away_agents_are_never_chosen(
    team_a: Team, alice: User, bob: User, generic_channel: Channel, clock: Any
) -> None:
    set_availability(alice, actor=alice, available=False)
    set_availability(bob, actor=bob, available=False, away_until=NOW + timedelta(hours=1))
    case = new_case(generic_channel, "p1", team=team_a)

    choice = auto_assign(case, reason="test")

    assert choice.agent_id is None
    assert choice.reason == "nobody in team 'Team A' is available"
    assert assigned(case) is None
    assert not CaseEvent.objects.filter(conversation=case, kind=EventKind.ASSIGNED).exists()

    clock.shift(timedelta(hours=1, seconds=1))  # bob's away time is over; alice still away
    auto_assign(case, reason="test")
    assert assigned(case) == "bob"


def test_max_open_cases_is_respected(
    team_a: Team, alice: User, bob: User, generic_channel: Channel
) -> None:
    profile(alice, max_open_cases=1)
    profile(bob, max_open_cases=1)
    cases = [new_case(generic_channel, f"p{i}", team=team_a) for i in range(3)]

    choices = [auto_assign(case, reason="test") for case in cases]

    assert [assigned(c) for c in cases] == ["alice", "bob", None]
    assert choices[2].reason == "everyone available in team 'Team A' is at their case limit"


def test_auto_assign_on_ingest_only_for_teams_that_assign_automatically(
    team_a: Team,
    team_b: Team,
    alice: User,
    outsider: User,
    generic_channel: Channel,
    django_capture_on_commit_callbacks: Any,
) -> None:
    routing(team_a, auto_assign=True)
    routing(team_b, auto_assign=False)
    a = new_case(generic_channel, "pa", team=team_a)
    b = new_case(generic_channel, "pb", team=team_b)
    teamless = new_case(generic_channel, "pn")

    with django_capture_on_commit_callbacks(execute=True):
        ingest_items(
            generic_channel,
            [
                post("pa2", author="u-pa", minutes=1, reply_to="pa"),
                post("pb2", author="u-pb", minutes=1, reply_to="pb"),
                post("pn2", author="u-pn", minutes=1, reply_to="pn"),
            ],
        )

    assert Conversation.objects.get(messages__external_id="pa2") == a
    assert [assigned(a), assigned(b), assigned(teamless)] == ["alice", None, None]


def test_new_cases_without_a_team_go_to_the_intake_team_in_one_batch(
    team_a: Team,
    alice: User,
    bob: User,
    generic_channel: Channel,
    django_capture_on_commit_callbacks: Any,
) -> None:
    routing(team_a, auto_assign=True, intake=True, strategy="round_robin")

    with django_capture_on_commit_callbacks(execute=True):
        ingest_items(generic_channel, [post(f"p{i}", author=f"u{i}", minutes=i) for i in range(3)])

    cases = list(Conversation.objects.order_by("created_at"))
    assert [(assigned(c), c.team_id) for c in cases] == [
        ("alice", team_a.pk),
        ("bob", team_a.pk),
        ("alice", team_a.pk),
    ]
    team_event = CaseEvent.objects.get(conversation=cases[0], kind=EventKind.TEAM_ASSIGNED)
    assert team_event.reason == (
        "Assigned automatically (new case): new cases without a team go to 'Team A'"
    )


def test_a_case_someone_assigned_meanwhile_is_left_alone(
    team_a: Team, alice: User, bob: User, generic_channel: Channel
) -> None:
    routing(team_a, auto_assign=True)
    case = new_case(generic_channel, "p1", team=team_a)
    Conversation.objects.filter(pk=case.pk).update(assignee=bob)

    assert auto_assign_new_cases([case.pk]) == {}
    assert assigned(case) == "bob"


def test_agents_change_only_their_own_availability(alice: User, bob: User) -> None:
    with pytest.raises(CaseActionError, match="only supervisors"):
        set_availability(bob, actor=alice, available=False)
    assert not AgentProfile.objects.filter(user=bob).exists()


def test_only_supervisors_edit_profiles_and_routing(
    team_a: Team, alice: User, supervisor: User
) -> None:
    with pytest.raises(CaseActionError, match="only supervisors"):
        update_profile(
            alice,
            actor=alice,
            languages=["en"],
            topics=[],
            max_open_cases=None,
            receives_cases=True,
        )
    with pytest.raises(CaseActionError, match="only supervisors"):
        update_routing(team_a, actor=alice, strategy="round_robin", auto_assign=True, intake=False)
    assert not AgentProfile.objects.exists()
    assert not TeamRouting.objects.exists()

    saved = update_profile(
        alice,
        actor=supervisor,
        languages=[" DE", "en", "de"],
        topics=["Billing"],
        max_open_cases=5,
        receives_cases=True,
    )
    assert (saved.languages, saved.topics, saved.max_open_cases) == (["de", "en"], ["billing"], 5)


def test_one_intake_team_at_a_time(team_a: Team, team_b: Team, supervisor: User) -> None:
    update_routing(team_a, actor=supervisor, strategy="least_loaded", auto_assign=True, intake=True)
    update_routing(team_b, actor=supervisor, strategy="round_robin", auto_assign=True, intake=True)
    assert list(TeamRouting.objects.filter(intake=True).values_list("team__name", flat=True)) == [
        "Team B"
    ]


def test_the_demo_assigns_new_traffic_by_skills(
    generic_channel: Channel, django_capture_on_commit_callbacks: Any
) -> None:
    people = ensure_people()
    ensure_assignment(people)

    with django_capture_on_commit_callbacks(execute=True):
        ingest_items(
            generic_channel,
            [
                InboundItem(
                    external_id="d1",
                    author_id="c1",
                    author_handle="@c1",
                    author_name="C1",
                    text="I was charged twice, the payment went through two times",
                    created_at=NOW,
                    public=True,
                ),
            ],
        )

    case = Conversation.objects.get()
    assert case.triage_topic == "payment_billing"
    assert (assigned(case), case.team) == ("agent2", Team.objects.get(name="Front line"))


def test_a_batch_costs_the_same_queries_whatever_its_size(
    team_a: Team, alice: User, bob: User, generic_channel: Channel
) -> None:
    routing(team_a, auto_assign=True, intake=True)

    def queries_for(prefix: str, n: int) -> int:
        items = [post(f"{prefix}{i}", author=f"{prefix}-u{i}") for i in range(n)]
        ingest_items(generic_channel, items)  # on_commit: not run inside the test transaction
        ids = list(
            Conversation.objects.filter(messages__external_id__startswith=prefix).values_list(
                "pk", flat=True
            )
        )
        with CaptureQueriesContext(connection) as captured:
            written = auto_assign_new_cases(ids)
        assert len(written) == n
        return len(captured)

    small = queries_for("small", 3)  # also creates the agents' profiles
    assert queries_for("large", 60) <= small


def test_the_sweep_gives_waiting_cases_to_whoever_became_available(
    team_a: Team,
    alice: User,
    generic_channel: Channel,
    django_capture_on_commit_callbacks: Any,
    clock: Any,
) -> None:
    routing(team_a, auto_assign=True, intake=True)
    set_availability(alice, actor=alice, available=False)
    with django_capture_on_commit_callbacks(execute=True):
        ingest_items(generic_channel, [post("p1", author="u1")])
    case = Conversation.objects.get()
    assert (assigned(case), case.team) == (None, team_a)
    assert assign_waiting_cases() == {}

    clock.shift(600)
    set_availability(alice, actor=alice, available=True)
    assert run_sweep.enqueue().return_value == 1

    assert assigned(case) == "alice"
    event = CaseEvent.objects.get(conversation=case, kind=EventKind.ASSIGNED)
    assert event.reason == (
        "Assigned automatically (waiting; someone can take it now): alice (#"
        f"{alice.pk}): least loaded: 0 open cases, among 1 available in team 'Team A'"
    )
