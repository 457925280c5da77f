"""Legitimacy: each piece of evidence, how they combine, and the stored verdict."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careline.assessments.evidence import Evidence, combine, text_hash
from careline.assessments.legitimacy import legitimacy_evidence
from careline.assessments.models import Order
from careline.assessments.tests.conftest import assessment_of, case_of, ingest_and_assess
from careline.inbox.models import Author, Channel, Customer, Message
from careline.ingestion.services import ingest_items
from conftest import item

pytestmark = pytest.mark.django_db

COMPLAINT_10045 = "My order #10045 arrived broken, I want a refund"
FLOOD = "This shop sold me a fake sofa and never refunded me, avoid them at all costs"
NO_SPAM = "legitimacy evidence [spam_rules, 0.00]: pipeline: spam rules: 0 promo phrase(s), "


def order(number: str = "#10045", email: str = "jo@example.com", name: str = "Jo Bloggs") -> Order:
    digits = "".join(c for c in number if c.isdigit())
    return Order.objects.create(
        number=number,
        number_key=digits,
        number_digits=digits,
        email=email,
        customer_name=name,
        name_key=name.casefold(),
        created_at=datetime(2026, 10, 30, 12, 0, tzinfo=UTC),
        total=Decimal("59.90"),
        currency="EUR",
        financial_status="paid",
        fulfillment_status="fulfilled",
    )


def known_author(external_id: str = "u1", email: str = "jo@example.com") -> Author:
    customer = Customer.objects.create(display_name="Jo", email=email)
    return Author.objects.create(
        platform="generic", external_id=external_id, handle="@" + external_id, customer=customer
    )


def evidence(external_id: str) -> list[tuple[str, float, bool]]:
    return [(e["rule"], e["weight"], e["verifies"]) for e in assessment_of(external_id).evidence]


def verdict(external_id: str) -> tuple[str, float | None]:
    found = assessment_of(external_id)
    return found.legitimacy, found.legitimacy_score


def test_an_order_of_the_author_makes_the_message_verified(generic_channel: Channel) -> None:
    order()
    known_author()

    ingest_and_assess(generic_channel, [item("p", text=COMPLAINT_10045)])

    assert verdict("p") == ("verified", 1.0)
    assert evidence("p") == [
        ("spam_rules", 0.0, False),
        ("order_found", 0.0, True),
        ("known_customer", 0.0, True),
    ]
    assert assessment_of("p").reasons[-4:] == [
        "legitimacy=verified (score 1.00): no strong sign of a fake; backed by order or "
        "customer records",
        NO_SPAM + "0 link(s), 1 hashtag(s)",
        "legitimacy evidence [order_found, supports]: order #10045 exists (placed 2026-10-30, "
        "paid, fulfilled, 59.90 EUR); its e-mail address is the author's",
        "legitimacy evidence [known_customer, supports]: the author's e-mail address is on 1 "
        "imported order(s)",
    ]
    assert case_of("p").triage_legitimacy == "verified"


def test_an_existing_order_backs_a_claim_of_an_unknown_author(generic_channel: Channel) -> None:
    order()

    ingest_and_assess(generic_channel, [item("p", text=COMPLAINT_10045)])

    assert verdict("p") == ("verified", 1.0)
    assert evidence("p") == [("spam_rules", 0.0, False), ("order_found", 0.0, True)]


def test_an_order_of_another_e_mail_address_is_noted_and_does_not_verify(
    generic_channel: Channel,
) -> None:
    order(email="someone@else.example")
    known_author(email="jo@example.com")

    ingest_and_assess(generic_channel, [item("p", text=COMPLAINT_10045)])

    assert verdict("p") == ("legitimate", 0.7)
    assert evidence("p") == [
        ("spam_rules", 0.0, False),
        ("order_found", 0.0, False),
        ("order_of_another_customer", 0.3, False),
    ]


def test_a_complaint_about_an_order_that_does_not_exist_is_suspicious(
    generic_channel: Channel,
) -> None:
    order(number="#20001")

    ingest_and_assess(generic_channel, [item("p", text=COMPLAINT_10045)])

    assert verdict("p") == ("suspicious", 0.6)
    assert assessment_of("p").reasons[-1] == (
        "legitimacy evidence [order_not_found_in_complaint, 0.60]: a complaint about order "
        "'10045', but no imported order has that number"
    )
    assert case_of("p").triage_legitimacy == "suspicious"


def test_an_unknown_order_in_praise_is_only_a_weak_sign(generic_channel: Channel) -> None:
    order(number="#20001")

    ingest_and_assess(generic_channel, [item("p", text="Order 55555 is lovely, thanks team")])

    assert assessment_of("p").kind == "compliment"
    assert verdict("p") == ("legitimate", 0.7)
    assert evidence("p")[-1] == ("order_not_found", 0.3, False)


def test_orders_are_not_checked_before_any_is_imported(generic_channel: Channel) -> None:
    ingest_and_assess(generic_channel, [item("p", text=COMPLAINT_10045)])

    assert verdict("p") == ("legitimate", 1.0)
    assert assessment_of("p").reasons[-1] == (
        "legitimacy evidence [order_unchecked, 0.00]: order '10045' not checked: no orders imported"
    )


def test_a_shipping_prefix_does_not_stop_the_match(generic_channel: Channel) -> None:
    Order.objects.create(number="#LH-10045", number_key="LH10045", number_digits="10045")

    ingest_and_assess(generic_channel, [item("p", text=COMPLAINT_10045)])

    assert verdict("p") == ("verified", 1.0)


def test_a_matching_billing_name_is_noted_but_proves_nothing(generic_channel: Channel) -> None:
    order(name="Jo Bloggs")

    post = dataclasses.replace(item("p", text="Where is my order?"), author_name="Jo  BLOGGS")

    ingest_and_assess(generic_channel, [post])

    assert verdict("p") == ("legitimate", 1.0)
    assert assessment_of("p").reasons[-1] == (
        "legitimacy evidence [name_match, 0.00]: the author's name is the billing name of 1 "
        "imported order(s) (a name alone proves little)"
    )


def test_naming_a_competitor_is_a_weak_sign(
    generic_channel: Channel, competitors: list[str]
) -> None:
    ingest_and_assess(generic_channel, [item("p", text="MegaMart delivered faster than you")])

    assert verdict("p") == ("legitimate", 0.6)
    assert assessment_of("p").reasons[-1] == (
        "legitimacy evidence [competitor_mention, 0.40]: names competitor 'MegaMart'"
    )


def test_sending_readers_to_a_competitor_is_suspicious(
    generic_channel: Channel, competitors: list[str]
) -> None:
    ingest_and_assess(
        generic_channel, [item("p", text="Just buy from MegaMart instead, way cheaper")]
    )

    assert verdict("p") == ("suspicious", 0.6)
    assert assessment_of("p").reasons[-1] == (
        "legitimacy evidence [competitor_promotion, 0.60]: sends readers to competitor "
        "'MegaMart' ('buy from MegaMart')"
    )


def test_competitors_are_off_until_configured(generic_channel: Channel) -> None:
    ingest_and_assess(
        generic_channel, [item("p", text="Just buy from MegaMart instead, way cheaper")]
    )

    assert verdict("p") == ("legitimate", 1.0)


def test_the_same_text_from_three_authors_within_a_day_is_a_flood_and_flags_all_three(
    generic_channel: Channel,
) -> None:
    ingest_and_assess(generic_channel, [item("f1", author="a1", text=FLOOD)])
    ingest_and_assess(
        generic_channel, [item("f2", author="a2", text="@larkspur " + FLOOD, minutes=300)]
    )
    assert [verdict(x)[0] for x in ("f1", "f2")] == ["legitimate", "legitimate"]

    # Near-identical: links, handles and digits do not make it a different text.
    ingest_and_assess(
        generic_channel,
        [
            item(
                "f3",
                author="a3",
                text=FLOOD.replace("sofa", "sofa 12") + " http://x.co",
                minutes=900,
            )
        ],
    )

    # f3's link is a weak spam sign of its own (0.15): 1 - 0.85 * 0.3 = 0.745.
    assert [verdict(x) for x in ("f1", "f2", "f3")] == [
        ("suspicious", 0.7),
        ("suspicious", 0.7),
        ("suspicious", 0.745),
    ]
    assert assessment_of("f3").reasons[-1] == (
        "legitimacy evidence [flood, 0.70]: the same text (after removing links, names and "
        "digits) came from 2 other author(s) within 24 h (3 posts)"
    )
    # The earlier posts' reasons were rewritten, not appended to twice.
    f1_reasons = assessment_of("f1").reasons
    assert sum(r.startswith("legitimacy=") for r in f1_reasons) == 1
    assert f1_reasons[-1].startswith("legitimacy evidence [flood, 0.70]:")
    assert [case_of(x).triage_legitimacy for x in ("f1", "f2", "f3")] == ["suspicious"] * 3


def test_posts_already_marked_as_a_flood_are_not_rewritten_by_the_next_copy(
    generic_channel: Channel,
) -> None:
    for n in range(3):
        ingest_and_assess(
            generic_channel, [item(f"f{n}", author=f"a{n}", text=FLOOD, minutes=60 * n)]
        )
    marked = {x: assessment_of(x).reasons for x in ("f0", "f1", "f2")}
    assert all(reasons[-1].startswith("legitimacy evidence [flood") for reasons in marked.values())

    with CaptureQueriesContext(connection) as queries:
        ingest_and_assess(generic_channel, [item("f3", author="a3", text=FLOOD, minutes=200)])

    assert verdict("f3")[0] == "suspicious"
    assert {x: assessment_of(x).reasons for x in ("f0", "f1", "f2")} == marked
    assert not any(
        q["sql"].startswith("UPDATE") and "assessments_assessment" in q["sql"] for q in queries
    )


def test_the_same_text_spread_over_more_than_a_day_is_no_flood(generic_channel: Channel) -> None:
    ingest_and_assess(
        generic_channel,
        [
            item("f1", author="a1", text=FLOOD),
            item("f2", author="a2", text=FLOOD, minutes=20 * 60),
            item("f3", author="a3", text=FLOOD, minutes=50 * 60),
        ],
    )

    assert [verdict(x)[0] for x in ("f1", "f2", "f3")] == ["legitimate"] * 3


def test_one_author_repeating_themself_is_no_flood(generic_channel: Channel) -> None:
    ingest_and_assess(
        generic_channel, [item(f"f{n}", author="a1", text=FLOOD, minutes=n) for n in range(4)]
    )

    assert {verdict(f"f{n}")[0] for n in range(4)} == {"legitimate"}


def test_short_common_texts_are_never_a_flood(generic_channel: Channel) -> None:
    ingest_and_assess(
        generic_channel,
        [item(f"q{n}", author=f"a{n}", text="Where is my order?", minutes=n) for n in range(4)],
    )

    assert text_hash("Where is my order?") == ""
    assert {verdict(f"q{n}")[0] for n in range(4)} == {"legitimate"}


def test_gibberish_is_suspicious(generic_channel: Channel) -> None:
    ingest_and_assess(generic_channel, [item("p", text="qwzx vbnm plok jhgf trewq")])

    assert verdict("p") == ("suspicious", 0.6)
    assert assessment_of("p").reasons[-1] == (
        "legitimacy evidence [gibberish, 0.60]: only 0 of 5 words are known words: looks like "
        "nonsense"
    )


def test_link_spam_adds_to_the_pipelines_spam_rules(generic_channel: Channel) -> None:
    ingest_and_assess(
        generic_channel,
        [item("p", text="see http://a.example http://b.example http://c.example")],
    )

    assert verdict("p") == ("suspicious", 0.78)
    assert evidence("p") == [("spam_rules", 0.45, False), ("link_spam", 0.6, False)]


def test_the_pipelines_spam_verdict_is_part_of_the_evidence(generic_channel: Channel) -> None:
    ingest_and_assess(
        generic_channel,
        [item("p", text="Buy cheap followers now at http://spam.example click here giveaway")],
    )

    assert assessment_of("p").kind == "spam"
    assert verdict("p") == ("suspicious", 1.0)
    assert evidence("p") == [("spam_rules", 1.0, False)]


def test_legitimacy_evidence_of_one_message_matches_the_stored_verdict(
    generic_channel: Channel,
) -> None:
    order(number="#20001")
    ingest_and_assess(generic_channel, [item("p", text=COMPLAINT_10045)])
    stored = assessment_of("p")

    label, score, reasons = legitimacy_evidence(Message.objects.get(external_id="p"))

    assert (label, score) == (stored.legitimacy, stored.legitimacy_score) == ("suspicious", 0.6)
    assert reasons == [r for r in stored.reasons if r.startswith("legitimacy")]


def test_legitimacy_evidence_triages_a_message_that_has_no_assessment(
    settings: object, generic_channel: Channel
) -> None:
    settings.CARELINE_TRIAGE_ON_INGEST = False  # type: ignore[attr-defined]
    order(number="#20001")
    ingest_items(generic_channel, [item("p", text=COMPLAINT_10045)])

    label, score, reasons = legitimacy_evidence(Message.objects.get(external_id="p"))

    assert (label, score) == ("suspicious", 0.6)
    assert (
        reasons[0]
        == "legitimacy=suspicious (score 0.60): signs of a fake: order_not_found_in_complaint"
    )


@pytest.mark.parametrize(
    ("weights", "verifies", "expected"),
    [
        ([], False, ("legitimate", 1.0)),
        ([0.3], False, ("legitimate", 0.7)),
        ([0.4, 0.3], False, ("suspicious", 0.58)),
        ([0.2], True, ("verified", 0.8)),
        ([0.6], True, ("suspicious", 0.6)),
        ([1.5], False, ("suspicious", 1.0)),
    ],
)
def test_evidence_combines_like_independent_signals(
    weights: list[float], verifies: bool, expected: tuple[str, float]
) -> None:
    pieces = [Evidence(f"r{i}", w, "why") for i, w in enumerate(weights)]
    if verifies:
        pieces.append(Evidence("order_found", 0.0, "order exists", verifies=True))

    assert combine(pieces) == expected


def test_the_flood_lookup_is_served_by_the_text_hash_index_not_a_table_scan(
    generic_channel: Channel,
) -> None:
    # A scan of all assessments per batch would make a bulk import slow down as it grows.
    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plan")
    ingest_and_assess(generic_channel, [item("f1", author="a1", text=FLOOD)])
    with CaptureQueriesContext(connection) as queries:
        ingest_and_assess(generic_channel, [item("f2", author="a2", text=FLOOD, minutes=60)])
    [lookup] = [q["sql"] for q in queries if '"text_hash" IN (SELECT' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + lookup)
        plan = [row[-1] for row in cursor.fetchall()]
    assert any("USING INDEX assessment_text_hash" in step for step in plan), plan
    assert assessment_of("f2").text_hash == assessment_of("f1").text_hash != ""
