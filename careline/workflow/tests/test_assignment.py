from __future__ import annotations

from datetime import UTC, datetime

import pytest

from careline.workflow.assignment import AgentState, Choice, Skills, choose_assignee


def at(hour: int) -> datetime:
    return datetime(2026, 3, 2, hour, tzinfo=UTC)


def agent(
    agent_id: int,
    name: str,
    *,
    open_cases: int = 0,
    last: datetime | None = None,
    available: bool = True,
    teams: frozenset[str] = frozenset({"care"}),
    languages: frozenset[str] = frozenset({"en"}),
    topics: frozenset[str] = frozenset(),
    cap: int | None = None,
) -> AgentState:
    return AgentState(
        id=agent_id,
        name=name,
        teams=teams,
        skills=Skills(languages=languages, topics=topics),
        available=available,
        open_cases=open_cases,
        last_assigned_at=last,
        max_open_cases=cap,
    )


def test_least_loaded_picks_the_agent_with_the_fewest_open_cases() -> None:
    team = [
        agent(1, "Ann", open_cases=4),
        agent(2, "Bo", open_cases=1),
        agent(3, "Cy", open_cases=2),
    ]
    assert choose_assignee(team, team="care", strategy="least_loaded") == Choice(
        2, "Bo (#2): least loaded: 1 open case, among 3 available in team 'care'"
    )


def test_least_loaded_ties_go_to_the_least_recently_assigned_then_the_lowest_id() -> None:
    team = [
        agent(3, "Cy", open_cases=1, last=at(9)),
        agent(2, "Bo", open_cases=1, last=at(8)),
        agent(1, "Ann", open_cases=1, last=at(9)),
    ]
    assert choose_assignee(team, strategy="least_loaded").agent_id == 2
    tied = [agent(3, "Cy", open_cases=1), agent(1, "Ann", open_cases=1)]
    assert choose_assignee(tied, strategy="least_loaded").agent_id == 1


def test_round_robin_picks_whoever_was_assigned_longest_ago() -> None:
    team = [
        agent(1, "Ann", last=at(11)),
        agent(2, "Bo", last=at(9), open_cases=9),
        agent(3, "Cy", last=at(10)),
    ]
    choice = choose_assignee(team, team="care", strategy="round_robin")
    assert choice == Choice(
        2,
        "Bo (#2): round robin: assigned longest ago (2026-03-02 09:00 UTC), among 3 available "
        "in team 'care'",
    )


def test_round_robin_prefers_someone_never_assigned() -> None:
    team = [agent(1, "Ann", last=at(9)), agent(5, "Eve")]
    assert choose_assignee(team, strategy="round_robin") == Choice(
        5, "Eve (#5): round robin: never assigned yet, among 2 available in the candidates"
    )


def test_round_robin_rotates_when_the_caller_records_each_assignment() -> None:
    team = {a.id: a for a in [agent(1, "Ann"), agent(2, "Bo"), agent(3, "Cy")]}
    picked = []
    for hour in range(9, 13):
        choice = choose_assignee(list(team.values()), strategy="round_robin")
        assert choice.agent_id is not None
        picked.append(choice.agent_id)
        chosen = team[choice.agent_id]
        team[chosen.id] = agent(chosen.id, chosen.name, last=at(hour))
    assert picked == [1, 2, 3, 1]


def test_only_members_of_the_team_are_considered() -> None:
    team = [agent(1, "Ann", teams=frozenset({"billing"})), agent(2, "Bo", open_cases=5)]
    assert choose_assignee(team, team="care").agent_id == 2
    assert choose_assignee(team, team="legal") == Choice(None, "nobody is in team 'legal'")


def test_unavailable_agents_are_never_chosen() -> None:
    team = [agent(1, "Ann", available=False), agent(2, "Bo", open_cases=3)]
    assert choose_assignee(team, team="care").agent_id == 2
    away = [agent(1, "Ann", available=False)]
    assert choose_assignee(away, team="care") == Choice(None, "nobody in team 'care' is available")


def test_agents_at_their_case_limit_are_skipped() -> None:
    team = [agent(1, "Ann", open_cases=3, cap=3), agent(2, "Bo", open_cases=4, cap=10)]
    assert choose_assignee(team, team="care").agent_id == 2
    full = [agent(1, "Ann", open_cases=3, cap=3)]
    assert choose_assignee(full, team="care") == Choice(
        None, "everyone available in team 'care' is at their case limit"
    )


def test_an_agent_with_both_skills_is_preferred() -> None:
    team = [
        agent(1, "Ann", languages=frozenset({"de"})),
        agent(
            2,
            "Bo",
            open_cases=3,
            languages=frozenset({"DE", "en"}),
            topics=frozenset({"refund_return"}),
        ),
    ]
    choice = choose_assignee(team, team="care", required_language="de", topic="Refund_Return")
    assert choice == Choice(
        2,
        "Bo (#2): least loaded: 3 open cases, among 1 available in team 'care' who speaks 'de' "
        "and knows 'refund_return'",
    )


def test_without_both_skills_the_language_matters_more_than_the_topic() -> None:
    team = [
        agent(1, "Ann", languages=frozenset({"de"}), open_cases=2),
        agent(2, "Bo", topics=frozenset({"refund_return"})),
    ]
    choice = choose_assignee(team, team="care", required_language="de", topic="refund_return")
    assert choice == Choice(
        1,
        "Ann (#1): nobody available speaks 'de' and knows 'refund_return', so least loaded: "
        "2 open cases, among 1 available in team 'care' who speaks 'de'",
        relaxed=("topic",),
    )


def test_without_the_language_it_falls_back_to_the_topic() -> None:
    team = [agent(1, "Ann"), agent(2, "Bo", topics=frozenset({"delivery"}), open_cases=4)]
    choice = choose_assignee(team, required_language="pl", topic="delivery")
    assert choice.agent_id == 2
    assert choice.relaxed == ("language",)
    assert choice.reason.startswith(
        "Bo (#2): nobody available speaks 'pl' and knows 'delivery'; nobody available speaks "
        "'pl', so least loaded"
    )


def test_when_nobody_has_the_skills_anyone_available_takes_it_and_the_reason_says_so() -> None:
    team = [agent(1, "Ann", open_cases=2), agent(2, "Bo", open_cases=1)]
    choice = choose_assignee(team, team="care", required_language="fi")
    assert choice == Choice(
        2,
        "Bo (#2): nobody available speaks 'fi', so least loaded: 1 open case, among 2 available "
        "in team 'care'",
        relaxed=("language",),
    )


def test_an_unknown_strategy_is_refused() -> None:
    with pytest.raises(ValueError, match="'random' is not a valid Strategy"):
        choose_assignee([agent(1, "Ann")], strategy="random")


def test_an_agent_without_a_name_is_named_by_id() -> None:
    assert choose_assignee([AgentState(id=7)]).reason.startswith("agent #7: least loaded")
