from __future__ import annotations

from typing import Any

import pytest

from careline.accounts.models import User
from careline.replies import playbook_text as pt
from careline.replies.drafting import find_playbook
from careline.replies.models import Playbook, PlaybookRevision
from careline.replies.playbook_defaults import BUILTIN_PLAYBOOKS, builtin_for
from careline.replies.playbooks import (
    PlaybookError,
    PlaybookPermissionError,
    preview,
    save_playbook,
)
from careline.replies.tone import ReplyContext, check_reply

# The pure core -------------------------------------------------------------------------


def test_it_fills_every_variable_with_its_value() -> None:
    rendered = pt.render(
        "Hi {customer_name}, about {order}: please {contact_route} ({expected_time}). {agent_name}",
        {
            "customer_name": "Jamie",
            "order": "order #1001",
            "contact_route": "send us a DM",
            "expected_time": "within the hour",
            "agent_name": "Priya",
        },
    )

    assert rendered.text == (
        "Hi Jamie, about order #1001: please send us a DM (within the hour). Priya"
    )
    assert rendered.fallbacks == ()
    assert rendered.used["order"] == "order #1001"


def test_a_missing_name_gets_a_fallback_never_a_blank() -> None:
    rendered = pt.render("Hi {customer_name}, sorry about {order}.", {"customer_name": "  "})

    assert rendered.text == "Hi there, sorry about your order."
    assert rendered.fallbacks == ("customer_name", "order")


def test_an_unknown_variable_is_refused_by_name() -> None:
    with pytest.raises(pt.PlaybookTextError, match=r"unknown variable \{refund_amount\}"):
        pt.validate_template("Hi {customer_name}, here is {refund_amount}.")


def test_a_stray_brace_is_refused_and_doubled_braces_are_literal() -> None:
    with pytest.raises(pt.PlaybookTextError, match="single '}' at character 9"):
        pt.validate_template("Hi there} friend")

    assert pt.render("Use {{code}} {customer_name}", {"customer_name": "Al"}).text == (
        "Use {code} Al"
    )


def test_variants_are_numbered_in_errors_and_repeats_are_refused() -> None:
    with pytest.raises(pt.PlaybookTextError, match=r"variant 2: unknown variable \{nme\}"):
        pt.validate_variants(["Hi {customer_name}", "Hello {nme}"])
    with pytest.raises(pt.PlaybookTextError, match="variant 2 repeats variant 1"):
        pt.validate_variants(["Hi  {customer_name}", "hi {customer_name}"])


def test_the_variant_least_like_recent_replies_is_chosen() -> None:
    candidates = [
        "Sorry about the wait, we are checking your parcel now",
        "Thanks for telling us, a colleague will look into it today",
        "We hear you, please send us a DM so we can help",
    ]
    recent = [
        "Sorry about the wait, we are checking your parcel now Sam",
        "We hear you, please send us a DM so we can help",
    ]

    choice = pt.choose_variant(candidates, recent)

    assert choice.index == 1
    assert choice.closest == 0.05  # one word pair ("us a") of twenty in common
    assert choice.reason.startswith("variant 2 of 3: least like the team's 2 recent public")


def test_with_no_history_cases_spread_over_the_variants() -> None:
    candidates = ["one two three", "four five six", "seven eight nine"]

    assert [pt.choose_variant(candidates, [], start=s).index for s in range(4)] == [0, 1, 2, 0]


def test_every_builtin_playbook_is_valid_and_public_first_replies_have_three_variants() -> None:
    for playbook in BUILTIN_PLAYBOOKS:
        pt.validate_variants(playbook.variants)
        if playbook.purpose == "initial":
            assert len(playbook.variants) >= 3, playbook.name
    purposes = {p.purpose for p in BUILTIN_PLAYBOOKS}
    assert purposes == set(pt.PURPOSES)


@pytest.mark.parametrize("public", [True, False])
def test_builtin_drafts_pass_the_tone_guard(public: bool) -> None:
    values = dict(pt.SAMPLE_VALUES)
    if public:
        values.update(order="", product="", contact_route="send us a DM")
    for playbook in BUILTIN_PLAYBOOKS:
        for template in playbook.variants:
            text = pt.render(template, values).text
            report = check_reply(
                text,
                ReplyContext(
                    kind=playbook.kind or "complaint",
                    platform="x",
                    public=public,
                    customer_name="Jamie",
                    facts={"expected_time": values["expected_time"], "order": "#1001"},
                    customer_text="my parcel is late",
                ),
            )
            if playbook.kind == "" and playbook.purpose == "initial":
                continue  # used for untriaged cases, never for complaints
            assert report.findings == [], (playbook.name, text)


def test_the_most_specific_builtin_wins() -> None:
    found = builtin_for("complaint", "delivery", "initial")
    assert found is not None
    assert (found[0].name, found[1]) == (
        "Delivery complaint: first response",
        "written for complaint x delivery",
    )
    fallback = builtin_for("complaint", "pricing", "initial")
    assert fallback is not None
    assert fallback[0].name == "Complaint: first response"
    assert builtin_for("spam", "", "initial") is not None  # the path, not the lookup, says no


# The service -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_agent_cannot_save_a_playbook(agent: User) -> None:
    with pytest.raises(PlaybookPermissionError):
        save_playbook(
            actor=agent,
            kind="complaint",
            topic="",
            purpose="initial",
            name="Mine",
            variants=["Hi {customer_name}"],
        )

    assert Playbook.objects.count() == 0
    assert PlaybookRevision.objects.count() == 0


@pytest.mark.django_db
def test_every_save_appends_a_revision_with_who(supervisor: User, admin_user: User) -> None:
    playbook = save_playbook(
        actor=supervisor,
        kind="complaint",
        topic="delivery",
        purpose="initial",
        name="  Late parcels  ",
        variants=["Hi {customer_name}, sorry!", "", "Sorry {customer_name}!"],
    )
    save_playbook(
        actor=admin_user,
        kind="complaint",
        topic="delivery",
        purpose="initial",
        name="Late parcels",
        variants=["Hello {customer_name}, so sorry."],
        active=False,
        playbook=playbook,
    )

    playbook.refresh_from_db()
    assert (playbook.name, playbook.variants, playbook.active, playbook.updated_by) == (
        "Late parcels",
        ["Hello {customer_name}, so sorry."],
        False,
        admin_user,
    )
    revisions = list(playbook.revisions.values_list("actor__username", "variants", "active"))
    assert revisions == [
        ("sam", ["Hi {customer_name}, sorry!", "Sorry {customer_name}!"], True),
        ("ada", ["Hello {customer_name}, so sorry."], False),
    ]


@pytest.mark.django_db
def test_invalid_playbooks_are_refused_with_the_field(supervisor: User) -> None:
    base: dict[str, Any] = {
        "actor": supervisor,
        "kind": "complaint",
        "topic": "",
        "purpose": "initial",
        "name": "X",
        "variants": ["Hi {customer_name}"],
    }
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"variants": ["Hi {customername}"]}, "variants", "unknown variable {customername}"),
        ({"kind": "spam"}, "kind", "unknown kind 'spam'"),
        ({"topic": "nope"}, "topic", "unknown topic 'nope'"),
        ({"purpose": "sell"}, "purpose", "unknown purpose 'sell'"),
        ({"name": " "}, "name", "give the playbook a name"),
    ]
    for change, field, message in cases:
        with pytest.raises(PlaybookError) as caught:
            save_playbook(**{**base, **change})
        assert caught.value.field == field
        assert message in str(caught.value)
    save_playbook(**base)
    with pytest.raises(PlaybookError, match="already a initial response playbook") as caught:
        save_playbook(**{**base, "name": "Other"})
    assert caught.value.field == "purpose"
    assert Playbook.objects.count() == 1


@pytest.mark.django_db
def test_a_supervisors_playbook_replaces_the_builtin_at_the_same_level(supervisor: User) -> None:
    save_playbook(
        actor=supervisor,
        kind="complaint",
        topic="",
        purpose="initial",
        name="Our complaint reply",
        variants=["Hi {customer_name}, we're sorry."],
    )

    general = find_playbook(kind="complaint", topic="pricing", purpose="initial")
    specific = find_playbook(kind="complaint", topic="delivery", purpose="initial")

    assert general is not None
    assert general.name == "Our complaint reply"
    # The built-in delivery playbook is more specific than "complaint, any topic".
    assert specific is not None
    assert specific.name == "Delivery complaint: first response"


@pytest.mark.django_db
def test_an_inactive_playbook_is_not_used(supervisor: User) -> None:
    save_playbook(
        actor=supervisor,
        kind="",
        topic="",
        purpose="follow_up",
        name="Off",
        variants=["Hi {customer_name}"],
        active=False,
    )

    found = find_playbook(kind="question", topic="", purpose="follow_up")

    assert found is not None
    assert (found.name, found.source) == ("Follow-up", "built-in")


def test_preview_renders_sample_values_and_explains_a_bad_variant() -> None:
    assert preview(["Hi {customer_name}, {expected_time}.", "Bad {oops}"]) == [
        "Hi Jamie, within the hour.",
        "(cannot render: unknown variable {oops}; the variables are: customer_name, order, "
        "product, issue, agent_name, contact_route, expected_time, case_link, survey_link)",
    ]
