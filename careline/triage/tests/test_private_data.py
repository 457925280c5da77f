from __future__ import annotations

import pytest

from careline.triage.analysers.private_data import PrivateDataAnalyser, card_issuer, luhn_valid
from careline.triage.synthetic import card_cases, card_detection_figures, negative_cases


@pytest.fixture(scope="module")
def detector() -> PrivateDataAnalyser:
    made = PrivateDataAnalyser()
    made.load()
    return made


def spans(detector: PrivateDataAnalyser, text: str) -> list[tuple[str, str]]:
    result = detector.predict([text])[0]
    return [(s["type"], text[s["start"] : s["end"]]) for s in result.extras["spans"]]


def test_luhn_and_issuer_ranges() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert card_issuer("5500000000000004") == "Mastercard"
    assert card_issuer("2221000000000009") == "Mastercard"
    assert card_issuer("378282246310005") == "American Express"
    assert card_issuer("6011111111111117") == "Discover"
    assert card_issuer("3530111333300000") == "JCB"
    assert card_issuer("30569309025904") == "Diners Club"
    assert card_issuer("6200000000000005") == "UnionPay"
    assert card_issuer("9400111111111111") is None


def test_it_finds_every_generated_card_and_almost_no_near_miss(
    detector: PrivateDataAnalyser,
) -> None:
    figures = card_detection_figures(detector, 1000)
    assert figures["card_recall"] == 1.0
    assert figures["card_false_alarm_rate"] <= 0.01


def test_generated_sets_cover_every_format() -> None:
    texts = [c.text for c in card_cases(300)]
    assert any("-" in t for t in texts)
    assert any("  " in t for t in texts)
    kinds = {c.kind for c in negative_cases(200)}
    assert {"usps", "ups", "isbn", "iban", "date", "price", "invoice", "luhn_fail"} <= kinds


def test_it_marks_card_expiry_and_cvv_and_redacts_them(detector: PrivateDataAnalyser) -> None:
    text = "card 4111-1111-1111-1111 exp 09/27 cvv 123 pls refund"
    result = detector.predict([text])[0]
    assert spans(detector, text) == [
        ("card", "4111-1111-1111-1111"),
        ("expiry", "09/27"),
        ("cvv", "123"),
    ]
    assert result.extras["redacted"] == "card [CARD] exp [EXPIRY] cvv [CVV] pls refund"
    assert result.label == "private_data"
    assert "4111" not in result.reason


def test_an_unlabelled_cvv_right_after_the_card_is_found(detector: PrivateDataAnalyser) -> None:
    assert spans(detector, "4111 1111 1111 1111 12/25 123") == [
        ("card", "4111 1111 1111 1111"),
        ("expiry", "12/25"),
        ("cvv", "123"),
    ]


def test_a_cvv_without_a_card_is_not_flagged(detector: PrivateDataAnalyser) -> None:
    assert spans(detector, "the cvv 123 box is broken, exp 09/27") == []


@pytest.mark.parametrize(
    "text",
    [
        "tracking 9400 1000 0000 0000 0000 00",
        "1Z999AA10123456784 is my UPS number",
        "FedEx 123456789012 still not moving",
        "ISBN 978-3-16-148410-0",
        "IBAN GB82 WEST 1234 5698 7654 32",
        "invoice 4539 1488 0343 6467 is wrong",
        "it cost $1,299.99 on 2024-01-15",
        "paid £4,111.11 on 15/01/2024 at 10:45",
        "sort code 20-00-00 account 55779911",
        "4111 1111 1111 1112",
    ],
)
def test_no_card_in_near_misses(detector: PrivateDataAnalyser, text: str) -> None:
    assert [t for t, _ in spans(detector, text) if t in {"card", "cvv", "expiry"}] == []


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("my password is hunter22!", ("password", "hunter22")),
        ("pw: S3cret!x", ("password", "S3cret!x")),
        ("Password = 'tr0ub4dor'", ("password", "tr0ub4dor")),
        ("my pin is 1234", ("pin", "1234")),
        ("PIN 987654", ("pin", "987654")),
    ],
)
def test_shared_passwords_and_pins_are_found(
    detector: PrivateDataAnalyser, text: str, secret: tuple[str, str]
) -> None:
    assert spans(detector, text) == [secret]


@pytest.mark.parametrize(
    "text",
    ["password reset is not working", "I forgot my password again", "pass the salt", "pin it"],
)
def test_talking_about_passwords_is_not_sharing_one(
    detector: PrivateDataAnalyser, text: str
) -> None:
    assert spans(detector, text) == []


def test_email_phone_and_order_number(detector: PrivateDataAnalyser) -> None:
    text = "order #LH-104233 late; mail jane.doe+x@example.co.uk or call +44 20 7946 0958"
    assert spans(detector, text) == [
        ("order_number", "LH-104233"),
        ("email", "jane.doe+x@example.co.uk"),
        ("phone", "+44 20 7946 0958"),
    ]


def test_us_phone_and_plain_order_number(detector: PrivateDataAnalyser) -> None:
    text = "my order 104233 is late, call (415) 555-2671"
    assert spans(detector, text) == [("order_number", "104233"), ("phone", "(415) 555-2671")]


def test_the_order_pattern_is_configurable() -> None:
    custom = PrivateDataAnalyser(order_pattern=r"\bSO-\d{6}\b")
    assert [
        (s["type"], s["start"]) for s in custom.predict(["ref SO-123456"])[0].extras["spans"]
    ] == [("order_number", 4)]
    none = PrivateDataAnalyser(order_pattern=None)
    assert none.predict(["order 104233"])[0].extras["spans"] == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("send it to 221B Baker Street, London NW1 6XE", "221B Baker Street, London NW1 6XE"),
        (
            "1600 Pennsylvania Ave NW, Washington, DC 20500",
            "1600 Pennsylvania Ave NW, Washington, DC 20500",
        ),
        ("postcode SW1A 1AA", "SW1A 1AA"),
    ],
)
def test_postal_addresses_best_effort(
    detector: PrivateDataAnalyser, text: str, address: str
) -> None:
    assert spans(detector, text) == [("address", address)]


def test_no_private_data_in_plain_complaint(detector: PrivateDataAnalyser) -> None:
    result = detector.predict(["still waiting for my refund after 3 weeks, 2 emails sent"])[0]
    assert result.label == "none"
    assert result.extras == {"spans": [], "redacted": result.extras["redacted"]}


def test_secret_keywords_followed_by_punctuation_only(detector: PrivateDataAnalyser) -> None:
    assert spans(detector, "my password: ...!!! and pin: ????") == []


def test_random_keyword_soup_never_crashes(detector: PrivateDataAnalyser) -> None:
    import random

    rng = random.Random(5)
    pieces = [
        "password",
        "pw",
        "pin",
        ":",
        "=",
        " is ",
        "...",
        "4111",
        "1111",
        "-",
        " ",
        "@",
        "order",
        "#",
        "exp",
        "12/25",
        "cvv",
        "\u00a0",
        "'",
        '"',
        "x.y@z.co",
        "+44",
        "0",
    ]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(2000)]
    results = detector.predict(texts)
    for text, result in zip(texts, results, strict=True):
        for span in result.extras["spans"]:
            assert 0 <= span["start"] < span["end"] <= len(text)
