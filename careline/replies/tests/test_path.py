"""The pure response-path and duty-of-care rules: every path, every reason."""

from __future__ import annotations

import pytest

from careline.replies.path import (
    ItemFacts,
    ModerationDecision,
    PathRecommendation,
    is_legitimate_criticism,
    moderation_decision,
    recommend_path,
    sensitive_data,
)

COMPLAINT = ItemFacts(kind="complaint", legitimacy="legitimate", sentiment="negative")


def test_a_public_complaint_gets_the_hybrid() -> None:
    assert recommend_path(COMPLAINT) == PathRecommendation(
        "hybrid",
        "public complaint with details to sort out: a short public acknowledgment shows we "
        "answer, the details stay private",
        (
            "Acknowledge publicly and say how to reach us privately",
            "Resolve the details in private, in this same case",
        ),
    )


def test_a_complaint_exposing_a_card_is_hidden_first_where_the_platform_can() -> None:
    facts = ItemFacts(kind="complaint", private_data=("card", "order_number"), can_hide=True)

    found = recommend_path(facts)

    assert found.path == "hybrid"
    assert found.reason == (
        "public complaint exposing private data (card): acknowledge publicly without "
        "repeating it, sort out the details in private"
    )
    assert found.steps[0] == "Hide it: it exposes a card number; explain why in private"


def test_where_it_cannot_be_hidden_the_person_is_asked_to_remove_it() -> None:
    facts = ItemFacts(kind="question", private_data=("phone",), can_hide=False)

    found = recommend_path(facts)

    assert found.path == "hybrid"
    assert found.steps[0] == "Ask the person in private to remove it: it exposes a phone number"


def test_an_order_number_alone_is_not_private_data_to_hide() -> None:
    facts = ItemFacts(kind="complaint", private_data=("order_number",), can_hide=True)

    assert sensitive_data(facts) == []
    assert recommend_path(facts).steps[0] == (
        "Acknowledge publicly and say how to reach us privately"
    )


def test_a_simple_question_is_answered_publicly() -> None:
    assert recommend_path(ItemFacts(kind="question")) == PathRecommendation(
        "public",
        "simple question: answer it where it was asked, others may have it too",
        ("Answer publicly",),
    )


def test_a_question_about_an_order_gets_the_hybrid() -> None:
    found = recommend_path(ItemFacts(kind="question", private_data=("order_number",)))

    assert (found.path, found.reason) == (
        "hybrid",
        "question about a specific order: acknowledge publicly, check the order in private",
    )


def test_a_compliment_is_thanked_publicly() -> None:
    assert recommend_path(ItemFacts(kind="compliment")) == PathRecommendation(
        "public",
        "compliment: thank them publicly so the public feed is not one-sided",
        ("Thank them publicly",),
    )


def test_feedback_and_other_are_answered_publicly() -> None:
    assert recommend_path(ItemFacts(kind="feedback")).reason == (
        "feedback: thank them publicly and say what happens with it"
    )
    other = recommend_path(ItemFacts(kind="other"))
    assert (other.path, other.reason) == (
        "public",
        "no clear request: a short public reply if it is addressed to us",
    )


def test_a_direct_message_is_answered_privately() -> None:
    assert recommend_path(ItemFacts(kind="complaint", public=False)) == PathRecommendation(
        "private", "direct message: answer in private", ("Reply in private",)
    )


@pytest.mark.parametrize(
    ("hidden", "deleted", "word"), [(True, False, "hidden"), (False, True, "deleted")]
)
def test_an_item_gone_from_public_view_continues_in_private(
    hidden: bool, deleted: bool, word: str
) -> None:
    found = recommend_path(ItemFacts(kind="complaint", hidden=hidden, deleted=deleted))

    assert (found.path, found.reason) == (
        "private",
        f"the item is {word} on the platform: continue with the person in private",
    )


def test_spam_gets_no_reply_with_triage_reason() -> None:
    found = recommend_path(ItemFacts(kind="spam", kind_reason="spam rules: 2 promo phrase(s)"))

    assert found == PathRecommendation(
        "no_reply",
        "spam: spam rules: 2 promo phrase(s)",
        ("Record the decision not to reply (spam)", "Flag it for removal with the evidence"),
    )


def test_a_duplicate_gets_no_reply() -> None:
    found = recommend_path(ItemFacts(kind="complaint", duplicate=True))

    assert (found.path, found.reason) == (
        "no_reply",
        "duplicate: the same person posted the same text earlier in this case",
    )


def test_a_troll_gets_no_reply_and_an_offensive_one_is_hidden() -> None:
    found = recommend_path(ItemFacts(kind="troll", offensive_score=0.97))

    assert found == PathRecommendation(
        "no_reply",
        "abuse or trolling with no request to answer",
        (
            "Hide it: it is offensive to others",
            "Do not engage",
            "Record the decision not to reply (abusive)",
        ),
    )


def test_listening_finds_are_offered_help_once_or_left_alone() -> None:
    complaint = recommend_path(ItemFacts(kind="complaint", indirect=True))
    other = recommend_path(ItemFacts(kind="other", indirect=True))

    assert (complaint.path, complaint.reason) == (
        "public",
        "complaint found by listening, not addressed to us: offer help publicly once, "
        "without pushing",
    )
    assert (other.path, other.reason) == (
        "no_reply",
        "found by listening and not addressed to us",
    )


def test_an_untriaged_item_defaults_to_the_hybrid() -> None:
    found = recommend_path(ItemFacts())

    assert (found.path, found.reason) == (
        "hybrid",
        "not triaged: the hybrid is the safe default until someone has read it",
    )


def test_a_suspicious_complaint_says_to_check_the_evidence() -> None:
    found = recommend_path(ItemFacts(kind="complaint", legitimacy="suspicious"))

    assert found.steps[0] == "Check the legitimacy evidence before answering"


# --- duty of care ----------------------------------------------------------------------------


def test_private_data_in_public_is_hidden_and_explained() -> None:
    facts = ItemFacts(kind="complaint", private_data=("card", "cvv", "card"))

    assert moderation_decision(facts) == ModerationDecision(
        "hide",
        "exposes private data in public (card, cvv)",
        explain_privately=True,
        ground="private_data",
    )


def test_private_data_in_a_direct_message_is_not_moderated() -> None:
    facts = ItemFacts(kind="complaint", public=False, private_data=("card",))

    assert moderation_decision(facts).action == "none"


def test_an_offensive_complaint_is_hidden_and_continued_in_private() -> None:
    facts = ItemFacts(kind="complaint", offensive_score=0.99)

    assert moderation_decision(facts) == ModerationDecision(
        "hide", "offensive to others (triage p=0.99)", explain_privately=True, ground="offensive"
    )


def test_an_offensive_troll_is_hidden_without_a_message() -> None:
    assert moderation_decision(ItemFacts(kind="troll", hate=True)) == ModerationDecision(
        "hide", "hateful", explain_privately=False, ground="offensive"
    )


def test_an_angry_but_fair_complaint_is_not_offensive_enough_to_hide() -> None:
    # The offensive head flags "this is a disgrace" at ~0.8: below the hide threshold.
    facts = ItemFacts(kind="complaint", legitimacy="legitimate", offensive_score=0.81)

    decision = moderation_decision(facts)

    assert decision.action == "refuse"
    assert is_legitimate_criticism(facts) is True


def test_a_not_legitimate_item_is_flagged_with_its_evidence() -> None:
    facts = ItemFacts(
        kind="complaint",
        legitimacy="suspicious",
        evidence=("copy-paste flood: 3 authors", "names order #999 that does not exist"),
    )

    assert moderation_decision(facts) == ModerationDecision(
        "flag",
        "not legitimate: copy-paste flood: 3 authors; names order #999 that does not exist",
        ground="not_legitimate",
    )


def test_legitimate_criticism_is_refused_with_the_reason() -> None:
    assert moderation_decision(COMPLAINT) == ModerationDecision(
        "refuse",
        "legitimate criticism is never hidden: this complaint is legitimate, not offensive to "
        "others and exposes no private data — answer it instead",
        ground="criticism",
    )


def test_a_negative_question_is_criticism_too() -> None:
    facts = ItemFacts(kind="question", sentiment="negative", legitimacy="verified")

    assert moderation_decision(facts).action == "refuse"


def test_a_compliment_has_nothing_to_moderate() -> None:
    assert moderation_decision(ItemFacts(kind="compliment")) == ModerationDecision(
        "none", "nothing to hide: no private data, not offensive"
    )


def test_a_deleted_item_has_nothing_to_moderate() -> None:
    assert moderation_decision(ItemFacts(kind="spam", deleted=True)).action == "none"
