from __future__ import annotations

import json
from typing import Any

import pytest

from careline.workflow.escalation import plan_escalation
from careline.workflow.facts import CaseFacts, find_legal_terms, find_safety_terms
from careline.workflow.rules import (
    DEFAULT_RULES,
    Action,
    AssignTeam,
    AssignUser,
    Condition,
    Notify,
    Op,
    RaisePriority,
    Rule,
    RuleValidationError,
    SendEscalationNotice,
    SetDue,
    action_to_dict,
    evaluate,
    ordered,
    rules_from_json,
    rules_to_json,
    trace,
)
from careline.workflow.sla import Priority

LEGAL_FACTS = CaseFacts(severity=82, legal_terms=find_legal_terms("Talk to my lawyer."))


def rule(
    rule_id: str,
    order: int,
    *conditions: Condition,
    stop: bool = False,
    enabled: bool = True,
    actions: tuple[Any, ...] = (AssignTeam("care"),),
) -> Rule:
    return Rule(
        id=rule_id,
        name=rule_id.replace("-", " ").capitalize(),
        order=order,
        conditions=list(conditions),
        actions=list(actions),
        explanation="for the test",
        stop=stop,
        enabled=enabled,
    )


# -- text cues -------------------------------------------------------------------------------


def test_legal_words_are_found_as_whole_words_in_first_seen_order() -> None:
    text = "I will SUE YOU. My solicitor says lawyers are cheap; legal\naction next."
    assert find_legal_terms(text) == ("sue you", "solicitor", "lawyers", "legal action")
    assert find_legal_terms("I sued nobody; the lawyerly tone") == ()


def test_safety_words_are_found() -> None:
    assert find_safety_terms("The charger caught fire and I was injured") == (
        "caught fire",
        "injured",
    )
    assert find_safety_terms("smoked salmon arrived late") == ()


# -- operators -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "facts", "held", "phrase"),
    [
        (Condition("severity", Op.GTE, 70), CaseFacts(severity=82), True, "severity 82 ≥ 70"),
        (
            Condition("severity", Op.GTE, 70),
            CaseFacts(severity=40),
            False,
            "severity 40 is not ≥ 70",
        ),
        (
            Condition("author_followers", Op.LTE, 100),
            CaseFacts(author_followers=100),
            True,
            "author followers 100 ≤ 100",
        ),
        (
            Condition("hours_open", Op.EQ, 2.5),
            CaseFacts(hours_open=2.5),
            True,
            "hours open 2.5 = 2.5",
        ),
        (
            Condition("repeat_contacts", Op.NE, 0),
            CaseFacts(repeat_contacts=0),
            False,
            "repeated contacts 0 is not ≠ 0",
        ),
        (
            Condition("severity", Op.IN, [10, 20]),
            CaseFacts(severity=20),
            True,
            "severity 20 is one of 10, 20",
        ),
        (
            Condition("kind", Op.EQ, "complaint"),
            CaseFacts(kind="Complaint"),
            True,
            "kind is 'Complaint'",
        ),
        (
            Condition("kind", Op.EQ, "complaint"),
            CaseFacts(kind="question"),
            False,
            "kind is 'question', not 'complaint'",
        ),
        (
            Condition("channel", Op.NE, "shop-facebook"),
            CaseFacts(channel="shop-x"),
            True,
            "channel is 'shop-x', not 'shop-facebook'",
        ),
        (
            Condition("topic", Op.IN, ["refund_return", "payment_billing"]),
            CaseFacts(topic="delivery"),
            False,
            "topic 'delivery' is not one of 'refund_return', 'payment_billing'",
        ),
        (
            Condition("topic", Op.CONTAINS, "refund"),
            CaseFacts(topic="refund_return"),
            True,
            "topic 'refund_return' contains 'refund'",
        ),
        (
            Condition("language", Op.CONTAINS, "de"),
            CaseFacts(),
            False,
            "language empty does not contain 'de'",
        ),
        (
            Condition("legal_terms", Op.CONTAINS, "lawyer"),
            LEGAL_FACTS,
            True,
            "text mentions 'lawyer'",
        ),
        (
            Condition("legal_terms", Op.CONTAINS, "attorney"),
            LEGAL_FACTS,
            False,
            "text does not mention 'attorney'",
        ),
        (
            Condition("sla_breached", Op.CONTAINS, "first_response"),
            CaseFacts(sla_breached=("first_response", "resolution")),
            True,
            "breached SLA clocks: first_response, resolution",
        ),
        (
            Condition("sla_breached", Op.IS_TRUE),
            CaseFacts(),
            False,
            "no breached SLA clocks",
        ),
        (Condition("legal_threat", Op.IS_TRUE), LEGAL_FACTS, True, "text mentions 'lawyer'"),
        (
            Condition("safety_risk", Op.IS_TRUE),
            CaseFacts(safety_terms=("on fire",)),
            True,
            "text mentions 'on fire'",
        ),
        (Condition("crisis", Op.IS_TRUE), CaseFacts(crisis=True), True, "a crisis is declared"),
        (Condition("crisis", Op.IS_TRUE), CaseFacts(), False, "no crisis"),
        (Condition("crisis", Op.EQ, False), CaseFacts(), True, "no crisis"),
        (
            Condition("has_private_data", Op.NE, False),
            CaseFacts(has_private_data=True),
            True,
            "the case holds private data",
        ),
        (
            Condition("sentiment_worsened", Op.IS_TRUE),
            CaseFacts(sentiment="negative", previous_sentiment="neutral"),
            True,
            "sentiment went from neutral to negative",
        ),
        (
            Condition("sentiment_worsened", Op.IS_TRUE),
            CaseFacts(sentiment="negative", previous_sentiment=""),
            False,
            "no worsening sentiment",
        ),
    ],
)
def test_each_operator_says_why_it_holds_or_not(
    condition: Condition, facts: CaseFacts, held: bool, phrase: str
) -> None:
    assert condition.test(facts) == (held, phrase)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"field": "severty", "op": "gte", "value": 1}, "field: unknown fact 'severty'"),
        ({"field": "severity", "op": "above", "value": 1}, "op: unknown operator 'above'"),
        ({"field": "severity", "op": "contains", "value": 1}, "op: contains does not apply"),
        ({"field": "severity", "op": "gte", "value": "high"}, "value: gte on 'severity' needs a"),
        ({"field": "severity", "op": "gte", "value": True}, "value: gte on 'severity' needs a"),
        ({"field": "topic", "op": "in", "value": "refund"}, "value: 'in' needs a non-empty list"),
        ({"field": "topic", "op": "in", "value": ["a", 3]}, "value: 3 is not a text value"),
        ({"field": "crisis", "op": "is_true", "value": True}, "value: is_true takes no value"),
        ({"field": "crisis", "op": "eq", "value": "yes"}, "value: eq on 'crisis' needs true"),
        ({"field": "kind", "op": "is_true"}, "op: is_true does not apply to 'kind'"),
    ],
)
def test_conditions_are_validated_naming_the_bad_part(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleValidationError, match=message):
        Condition(**kwargs)


# -- actions ---------------------------------------------------------------------------------


def test_each_action_describes_itself_and_serialises() -> None:
    actions: list[Action] = [
        AssignTeam("legal"),
        AssignUser("sam"),
        RaisePriority(Priority.URGENT),
        Notify("email", "legal@example.test"),
        SendEscalationNotice(90),
        SetDue(60),
    ]
    assert [a.describe() for a in actions] == [
        "assign to team 'legal'",
        "assign to 'sam'",
        "raise priority to urgent",
        "notify legal@example.test by email",
        "tell the customer to expect an answer within 1 h 30 min",
        "due within 1 hour",
    ]
    assert [action_to_dict(a) for a in actions] == [
        {"type": "assign_team", "team": "legal"},
        {"type": "assign_user", "user": "sam"},
        {"type": "raise_priority", "to": "urgent"},
        {"type": "notify", "channel": "email", "to": "legal@example.test"},
        {"type": "send_escalation_notice", "expected_within": 90},
        {"type": "set_due", "minutes": 60},
    ]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: AssignTeam(" "), "team: must be a non-empty string"),
        (lambda: RaisePriority("critical"), "to: unknown priority 'critical'"),  # type: ignore[arg-type]
        (lambda: Notify("sms", "x"), "channel: must be 'email' or 'chat'"),  # type: ignore[arg-type]
        (lambda: SendEscalationNotice(0), "expected_within: must be a whole number"),
        (lambda: SetDue(1.5), "minutes: must be a whole number"),  # type: ignore[arg-type]
    ],
)
def test_actions_are_validated_naming_the_bad_field(build: Any, message: str) -> None:
    with pytest.raises(RuleValidationError, match=message):
        build()


# -- evaluation ------------------------------------------------------------------------------


def test_the_reason_names_the_rule_and_every_matching_fact() -> None:
    decisions = evaluate(DEFAULT_RULES, LEGAL_FACTS)
    assert [d.reason for d in decisions] == [
        "Legal threat: text mentions 'lawyer'; severity 82 ≥ 70"
    ]
    assert decisions[0].to_dict() == {
        "rule": "legal-threat",
        "rule_name": "Legal threat",
        "reason": "Legal threat: text mentions 'lawyer'; severity 82 ≥ 70",
        "actions": [
            {"type": "raise_priority", "to": "high"},
            {"type": "assign_team", "team": "legal"},
            {"type": "notify", "channel": "email", "to": "legal"},
            {"type": "send_escalation_notice", "expected_within": 240},
            {"type": "set_due", "minutes": 240},
        ],
    }


def test_rules_run_by_order_then_id_whatever_the_input_order() -> None:
    always = [rule("c-third", 20), rule("b-second", 10), rule("a-first", 10)]
    assert [d.rule.id for d in evaluate(always, CaseFacts())] == ["a-first", "b-second", "c-third"]


def test_a_matching_stop_rule_ends_the_evaluation() -> None:
    rules = [
        rule("first", 1),
        rule("stopper", 2, Condition("crisis", Op.IS_TRUE), stop=True),
        rule("after", 3),
    ]
    assert [d.rule.id for d in evaluate(rules, CaseFacts(crisis=True))] == ["first", "stopper"]
    assert [t.outcome for t in trace(rules, CaseFacts(crisis=True))] == [
        "matched",
        "matched",
        "after_stop",
    ]
    assert trace(rules, CaseFacts(crisis=True))[2].reason == "After: not evaluated, 'Stopper' stops"


def test_a_stop_rule_that_does_not_match_stops_nothing() -> None:
    rules = [rule("stopper", 1, Condition("crisis", Op.IS_TRUE), stop=True), rule("after", 2)]
    assert [d.rule.id for d in evaluate(rules, CaseFacts())] == ["after"]


def test_disabled_rules_are_skipped() -> None:
    rules = [rule("off", 1, enabled=False), rule("on", 2)]
    assert [d.rule.id for d in evaluate(rules, CaseFacts())] == ["on"]
    assert trace(rules, CaseFacts())[0].reason == "Off: disabled"


def test_all_conditions_must_hold_and_the_trace_names_the_first_that_failed() -> None:
    both = rule("both", 1, Condition("severity", Op.GTE, 50), Condition("crisis", Op.IS_TRUE))
    assert evaluate([both], CaseFacts(severity=60)) == []
    assert trace([both], CaseFacts(severity=60))[0].reason == "Both: no crisis"


def test_a_rule_without_conditions_applies_to_every_case() -> None:
    decisions = evaluate([rule("catch-all", 99)], CaseFacts())
    assert decisions[0].reason == "Catch all: applies to every case"


def test_the_default_rules_cover_the_issue_triggers() -> None:
    assert [r.id for r in ordered(DEFAULT_RULES)] == [
        "safety",
        "crisis",
        "legal-threat",
        "vip-reach",
        "repeated-contact",
        "sla-breach",
        "worsening-sentiment",
    ]
    facts = CaseFacts(
        severity=90,
        sentiment="negative",
        previous_sentiment="positive",
        legal_terms=("lawyer",),
        safety_terms=("injured",),
        author_followers=50_000,
        repeat_contacts=3,
        sla_breached=("first_response",),
        crisis=True,
    )
    assert len(evaluate(DEFAULT_RULES, facts)) == 7
    assert evaluate(DEFAULT_RULES, CaseFacts(severity=90, sentiment="negative")) == []


def test_a_rule_needs_an_explanation_and_an_action() -> None:
    with pytest.raises(RuleValidationError) as caught:
        Rule(id="Bad Id", name="", order=1, conditions=[], actions=[], explanation="")
    assert [str(e) for e in caught.value.errors] == [
        "id: use 1-64 lower-case letters, digits, '-' or '_'",
        "name: must be a non-empty string",
        "explanation: say why this rule exists",
        "actions: a rule needs at least one action",
    ]


# -- combining decisions -------------------------------------------------------------------


def test_the_plan_keeps_the_first_owner_the_highest_priority_and_the_shortest_times() -> None:
    rules = [
        rule(
            "legal",
            1,
            actions=(
                AssignTeam("legal"),
                RaisePriority(Priority.HIGH),
                Notify("email", "legal"),
                SendEscalationNotice(240),
            ),
        ),
        rule(
            "vip",
            2,
            actions=(
                AssignTeam("social-leads"),
                AssignUser("sam"),
                RaisePriority(Priority.URGENT),
                Notify("email", "legal"),
                SendEscalationNotice(60),
                SetDue(45),
            ),
        ),
    ]
    plan = plan_escalation(evaluate(rules, CaseFacts()), current_priority="normal")
    assert plan.escalate
    assert plan.has_owner
    assert (plan.team, plan.user, plan.priority) == ("legal", "sam", Priority.URGENT)
    assert plan.notifications == (Notify("email", "legal"),)
    assert (plan.notice_within, plan.due_within) == (60, 45)
    assert plan.path == ("Legal: applies to every case", "Vip: applies to every case")
    assert plan.notes == ("'Vip' wanted team 'social-leads'; 'Legal' came first",)


def test_the_plan_never_lowers_priority_and_defaults_due_to_the_promise() -> None:
    rules = [rule("r", 1, actions=(RaisePriority(Priority.HIGH), SendEscalationNotice(120)))]
    plan = plan_escalation(evaluate(rules, CaseFacts()), current_priority=Priority.URGENT)
    assert plan.priority is Priority.URGENT
    assert plan.due_within == 120
    assert not plan.has_owner


def test_no_decisions_means_no_escalation() -> None:
    plan = plan_escalation([], current_priority="low")
    assert not plan.escalate
    assert plan.priority is Priority.LOW


# -- JSON ------------------------------------------------------------------------------------


def test_rules_round_trip_through_json() -> None:
    text = rules_to_json(DEFAULT_RULES)
    assert json.loads(text)["version"] == 1
    assert rules_from_json(text) == ordered(DEFAULT_RULES)
    assert rules_to_json(rules_from_json(text)) == text


def test_a_plain_list_and_defaults_for_stop_and_enabled_are_accepted() -> None:
    data = [
        {
            "id": "vip",
            "name": "VIP",
            "order": 5,
            "explanation": "Big audiences",
            "conditions": [{"field": "author_followers", "op": "gte", "value": 10000}],
            "actions": [{"type": "assign_team", "team": "social-leads"}],
        }
    ]
    (parsed,) = rules_from_json(data)
    assert (parsed.stop, parsed.enabled) == (False, True)
    assert parsed.conditions == (Condition("author_followers", Op.GTE, 10000),)


def test_json_validation_names_every_bad_field() -> None:
    data = [
        {
            "id": "ok",
            "name": "Fine",
            "order": 1,
            "explanation": "x",
            "conditions": [],
            "actions": [{"type": "set_due", "minutes": 5}],
        },
        {
            "id": "Bad",
            "name": "Broken",
            "order": "2",
            "colour": "red",
            "conditions": [
                {"field": "severity", "op": "gte"},
                {"field": "legal_threat", "op": "is_true"},
                {"field": "topic", "op": "in", "value": []},
            ],
            "actions": [
                {"type": "notify", "channel": "pigeon", "to": "x"},
                {"type": "assign_team"},
                {"type": "assign_team", "team": "a", "user": "b"},
                {"type": "escalate"},
            ],
        },
        {
            "id": "ok",
            "name": "Copy",
            "order": 3,
            "explanation": "x",
            "conditions": [],
            "actions": [{"type": "set_due", "minutes": 5}],
        },
    ]
    with pytest.raises(RuleValidationError) as caught:
        rules_from_json(data)
    assert [str(e) for e in caught.value.errors] == [
        "rules[1].colour: unknown field",
        "rules[1].explanation: required",
        "rules[1].id: use 1-64 lower-case letters, digits, '-' or '_'",
        "rules[1].order: must be a whole number, got '2'",
        "rules[1].conditions[0].value: required",
        "rules[1].conditions[2].value: 'in' needs a non-empty list for 'topic'",
        "rules[1].actions[0].channel: must be 'email' or 'chat', got 'pigeon'",
        "rules[1].actions[1].team: required",
        "rules[1].actions[2].user: unknown field for assign_team",
        "rules[1].actions[3].type: unknown action 'escalate'; use one of assign_team, "
        "assign_user, raise_priority, notify, send_escalation_notice, set_due",
        "rules[2].id: duplicate id 'ok' (rules[0])",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("[{", "not valid JSON"),
        ('{"version": 2, "rules": []}', "version: unsupported version 2"),
        ('{"rules": [], "owner": "x"}', "owner: unknown field"),
        ('{"rules": {}}', "rules: must be a list of rules"),
        ("[1]", r"rules\[0\]: each rule must be an object"),
        (
            '[{"id": "a", "name": "A", "order": 1, "explanation": "x", "conditions": [],'
            ' "actions": [], "stop": "yes"}]',
            r"rules\[0\].stop: must be true or false; rules\[0\].actions: a rule needs",
        ),
    ],
)
def test_json_structure_errors_are_named(data: str, message: str) -> None:
    with pytest.raises(RuleValidationError, match=message):
        rules_from_json(data)
