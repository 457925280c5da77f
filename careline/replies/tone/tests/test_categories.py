"""One positive and one negative case per category, with exact spans."""

from __future__ import annotations

from decimal import Decimal

from careline.replies.tone.tests.helpers import check, found, span

# --- defensive ------------------------------------------------------------------------------


def test_it_flags_arguing_with_the_customer_as_defensive() -> None:
    text = "Sorry Sam, but that's not how it happens. As we already said, the box was sealed."
    report = check(text, kind="complaint")
    assert found(report, text, "defensive") == [
        span(text, "that's not how it happens"),
        span(text, "As we already said"),
    ]
    assert report.ok is False


def test_it_does_not_call_a_plain_explanation_defensive() -> None:
    text = "Sorry Sam — the box should have been sealed. Could you DM us a photo of it?"
    assert found(check(text, kind="complaint"), text, "defensive") == []


# --- dismissive -----------------------------------------------------------------------------


def test_it_flags_brushing_the_problem_off_as_dismissive() -> None:
    text = "Calm down, Sam. It's only a small scratch."
    report = check(text, kind="complaint")
    assert found(report, text, "dismissive") == [
        span(text, "Calm down"),
        span(text, "It's only a small scratch"),
    ]


def test_a_non_apology_is_dismissive_and_not_reported_twice() -> None:
    text = "We're sorry you feel that way, Sam."
    report = check(text, kind="complaint")
    assert found(report, text, "dismissive") == [span(text, "sorry you feel that way")]
    assert found(report, text, "no_acknowledgment") == []


def test_turning_spam_away_is_not_dismissive() -> None:
    text = "No thank you — please stop messaging this account."
    assert check(text, kind="spam").findings == []


# --- blaming --------------------------------------------------------------------------------


def test_it_flags_putting_the_problem_on_the_customer() -> None:
    text = "Sorry Sam, you should have checked the size guide before ordering."
    report = check(text, kind="complaint")
    assert found(report, text, "blaming") == [span(text, "you should have checked")]


def test_it_does_not_flag_telling_the_customer_it_is_not_their_fault() -> None:
    text = "Sam, this is not your fault at all, and you should have received an email from us."
    report = check(text, kind="complaint")
    assert found(report, text, "blaming") == []


# --- admits fault ---------------------------------------------------------------------------


def test_it_blocks_admitting_fault_in_public_without_a_verified_cause() -> None:
    text = "Sam, so sorry — our warehouse sent you the wrong jacket, that's entirely our fault."
    report = check(text, kind="complaint", public=True, platform="x")
    assert found(report, text, "admits_fault") == [
        span(text, "our warehouse sent you the wrong"),
        span(text, "that's entirely our fault"),
    ]
    assert {f.severity for f in report.findings if f.category == "admits_fault"} == {"block"}
    assert report.needs_approval is True


def test_admitting_a_verified_cause_is_fine() -> None:
    text = "Sam, so sorry — our warehouse sent you the wrong jacket, that's entirely our fault."
    report = check(text, kind="complaint", facts={"cause_verified": True})
    assert found(report, text, "admits_fault") == []
    assert report.ok is True


def test_a_conditional_is_not_an_admission() -> None:
    text = "Sorry Sam! If the kettle is faulty we'll of course look at a repair."
    assert found(check(text, kind="complaint"), text, "admits_fault") == []


# --- unbacked promises ----------------------------------------------------------------------


def test_it_flags_amounts_dates_and_guarantees_the_case_does_not_back() -> None:
    text = "Sorry Sam! We'll refund the £40 and it will definitely arrive by Friday."
    report = check(text, kind="complaint")
    assert found(report, text, "unbacked_promise") == [
        span(text, "We'll refund"),
        span(text, "£40"),
        span(text, "will definitely arrive"),
        span(text, "by Friday"),
    ]


def test_promises_backed_by_the_case_facts_are_fine() -> None:
    text = "Sorry Sam! We've refunded the £40, and the new pair arrives by Friday."
    facts = {"refund": True, "refund_amount": 40, "expected_time": "by Friday"}
    report = check(text, kind="complaint", facts=facts)
    assert found(report, text, "unbacked_promise") == []
    assert report.ok is True


def test_naming_a_guarantee_policy_is_not_a_promise() -> None:
    text = "Hi Sam, the Tarn jacket is covered by our 2-year guarantee."
    assert found(check(text), text, "unbacked_promise") == []


# --- generic --------------------------------------------------------------------------------


def test_it_flags_boilerplate_with_nothing_personal() -> None:
    text = "We apologise for any inconvenience caused. Please contact our customer service team."
    report = check(text, kind="complaint", customer_text="My boots split at the sole")
    assert found(report, text, "generic") == [(0, len(text), text)]


def test_a_reply_about_the_customers_issue_is_not_generic() -> None:
    text = "Sorry your boots split at the sole, Sam. Could you DM us a photo?"
    report = check(text, kind="complaint", customer_text="My boots split at the sole")
    assert found(report, text, "generic") == []


# --- near duplicate -------------------------------------------------------------------------

RECENT = (
    "Hi Lucy, so sorry your parcel hasn't arrived yet. Could you DM us your order number so we "
    "can look into it for you?",
)


def test_it_flags_a_near_copy_of_a_recent_public_reply() -> None:
    text = (
        "Hi Sam, so sorry your parcel hasn't arrived yet! Could you DM us your order number so "
        "we can look into it?"
    )
    report = check(text, kind="complaint", public=True, recent_public_replies=RECENT)
    assert found(report, text, "near_duplicate") == [(0, len(text), text)]


def test_a_different_reply_is_not_a_near_duplicate_nor_is_a_private_one() -> None:
    text = "Sam, ten days late is far too long — sorry. DM us and we'll chase the courier."
    public = check(text, kind="complaint", public=True, recent_public_replies=RECENT)
    assert found(public, text, "near_duplicate") == []
    private = check(RECENT[0], kind="complaint", public=False, recent_public_replies=RECENT)
    assert found(private, RECENT[0], "near_duplicate") == []


# --- length ---------------------------------------------------------------------------------


def test_it_warns_about_a_long_public_reply_from_the_fifth_sentence() -> None:
    sentences = [
        "Sorry Sam, that's not the experience we want.",
        "The courier had a problem at the depot.",
        "They are working through the parcels now.",
        "We are keeping an eye on yours.",
        "We will message you when it moves.",
    ]
    text = " ".join(sentences)
    report = check(text, kind="complaint", public=True)
    start = text.index(sentences[4])
    assert found(report, text, "too_long") == [(start, len(text), sentences[4])]
    assert found(check(text, kind="complaint", public=False), text, "too_long") == []


def test_it_blocks_a_post_over_the_platform_limit_from_where_it_stops_fitting() -> None:
    text = "Sorry Sam! " + "x" * 300
    report = check(text, platform="x", public=True)
    assert found(report, text, "over_limit") == [(280, len(text), text[280:])]
    assert report.needs_approval is False  # no approval makes a post fit
    assert (
        found(check("Sorry Sam! " + "x" * 269, platform="x", public=True), text, "over_limit") == []
    )


def test_bluesky_counts_graphemes_and_x_weighs_emoji() -> None:
    flags = "🇬🇧" * 300  # 300 graphemes, 600 code points
    assert found(check(flags, platform="bluesky", public=True), flags, "over_limit") == []
    emoji = "👍" * 141  # X weighs each emoji 2: 282 > 280
    assert found(check(emoji, platform="x", public=True), emoji, "over_limit") == [(140, 141, "👍")]


# --- private data ---------------------------------------------------------------------------


def test_it_blocks_a_card_number_even_in_private() -> None:
    text = "Thanks Sam, I've checked 4539 1488 0343 6467 and the bank declined it."
    report = check(text, public=False)
    assert found(report, text, "private_data") == [span(text, "4539 1488 0343 6467")]
    assert report.needs_approval is True


def test_it_blocks_the_customers_email_in_public_but_not_the_brands() -> None:
    text = "Sam, we've emailed sam.jones@example.com — or write to help@shop.example any time."
    report = check(text, public=True)
    assert found(report, text, "private_data") == [span(text, "sam.jones@example.com")]


def test_it_blocks_a_password_written_out() -> None:
    text = "Hi Sam, I've reset your password to Summer2024! — change it after logging in."
    # trailing punctuation is read as the sentence's, not the password's
    assert found(check(text), text, "private_data") == [span(text, "Summer2024")]


def test_an_order_number_is_fine_in_private() -> None:
    text = "Thanks Sam, order #48213 left our warehouse today."
    assert found(check(text, facts={"status": "dispatched"}), text, "private_data") == []


# --- jargon ---------------------------------------------------------------------------------


def test_it_flags_internal_jargon() -> None:
    text = "Sorry Sam, the SKU is OOS until the next inbound shipment reaches our 3PL."
    report = check(text)
    assert [s for _, _, s in found(report, text, "jargon")] == [
        "SKU",
        "OOS",
        "inbound shipment",
        "3PL",
    ]


def test_everyday_words_are_not_jargon() -> None:
    text = "Sorry Sam, that size is sold out until the next delivery reaches our warehouse."
    assert found(check(text), text, "jargon") == []


# --- sarcasm --------------------------------------------------------------------------------


def test_it_blocks_sarcasm_in_public() -> None:
    text = "Oh great, another expert. Good luck with that 🙄"
    report = check(text, kind="troll", public=True)
    assert found(report, text, "sarcasm") == [
        span(text, "Oh great"),
        span(text, "Good luck with that"),
        span(text, "🙄"),
    ]
    assert {f.severity for f in report.findings if f.category == "sarcasm"} == {"block"}


def test_warm_words_are_not_sarcasm() -> None:
    text = "Thanks so much, Sam — that's great to hear! 😊"
    assert found(check(text, kind="compliment"), text, "sarcasm") == []


# --- acknowledgment -------------------------------------------------------------------------


def test_it_flags_a_complaint_answered_without_acknowledgment_on_its_first_sentence() -> None:
    text = "Sam, send us your order number. We will check it."
    report = check(text, kind="complaint")
    assert found(report, text, "no_acknowledgment") == [
        span(text, "Sam, send us your order number.")
    ]


def test_an_apology_or_a_question_reply_needs_no_acknowledgment() -> None:
    text = "Sam, sorry about that! Send us your order number."
    assert found(check(text, kind="complaint"), text, "no_acknowledgment") == []
    plain = "Sam, send us your order number."
    assert found(check(plain, kind="question"), plain, "no_acknowledgment") == []


# --- promotion ------------------------------------------------------------------------------


def test_it_flags_marketing_in_a_complaint_thread() -> None:
    text = "Sorry Sam, DM us a photo! Meanwhile, check out our new Summit range."
    report = check(text, kind="complaint")
    assert found(report, text, "promotion") == [span(text, "check out our new")]


def test_product_talk_answering_a_question_is_not_promotion() -> None:
    text = "Hi Sam! Check out our new Summit range — it comes in wide fit."
    assert found(check(text, kind="question"), text, "promotion") == []


# --- concessions ----------------------------------------------------------------------------


def test_an_offer_above_the_concession_limit_needs_approval() -> None:
    text = "Sorry Sam. I've added £80 of credit to your account."
    facts = {"credit": 80, "currency": "GBP"}
    report = check(text, kind="complaint", facts=facts, concession_limit=Decimal("50"))
    assert found(report, text, "over_concession") == [span(text, "£80")]
    assert report.needs_approval is True
    assert report.approval_reasons == [
        "over concession: Offers £80.00, above your concession limit of £50.00; a supervisor "
        "must approve it."
    ]


def test_a_full_refund_counts_as_the_order_total() -> None:
    text = "Sorry Sam, we'll give you a full refund."
    facts = {"refund": True, "order_total": 120, "currency": "EUR"}
    report = check(text, kind="complaint", facts=facts, concession_limit=100)
    assert found(report, text, "over_concession") == [span(text, "full refund")]


def test_an_offer_within_the_limit_or_already_approved_is_fine() -> None:
    text = "Sorry Sam. I've added £20 of credit to your account."
    facts = {"credit": 20, "currency": "GBP"}
    report = check(text, kind="complaint", facts=facts, concession_limit=50)
    assert report.findings == []
    assert report.needs_approval is False
    big = "Sorry Sam. I've added £80 of credit to your account."
    approved = {"credit": 80, "currency": "GBP", "concession_approved": True}
    assert check(big, kind="complaint", facts=approved, concession_limit=50).findings == []
