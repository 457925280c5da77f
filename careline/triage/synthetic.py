"""Generated (synthetic) private-data cases: card numbers in many formats and near misses.

Nothing here comes from real data: numbers are random, made valid or invalid on purpose.
Used by the tests and by ``careline evaluate`` to measure card recall and false alarms.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# (issuer, prefixes, lengths)
ISSUERS: tuple[tuple[str, tuple[str, ...], tuple[int, ...]], ...] = (
    ("Visa", ("4",), (13, 16, 19)),
    ("Mastercard", ("51", "52", "53", "54", "55", "2221", "2500", "2720"), (16,)),
    ("American Express", ("34", "37"), (15,)),
    ("Discover", ("6011", "644", "649", "65", "622126", "622925"), (16, 19)),
    ("JCB", ("3528", "3550", "3589"), (16, 19)),
    ("Diners Club", ("300", "305", "36", "38", "39"), (14, 16)),
    ("UnionPay", ("62",), (16, 17, 18, 19)),
    ("Maestro", ("50", "56", "58", "6759", "6304"), (13, 16, 19)),
    ("Mir", ("2200", "2204"), (16,)),
)

CARD_TEMPLATES = (
    "{}",
    "my card number is {}",
    "card: {} exp 09/27 cvv 123",
    "here you go {} thanks",
    "Card no. {}, please refund",
    "({})",
    "{}.",
    "charged twice on {} !!",
    "visa {} 12/26",
    "use this one: {}\nexpiry 01/28",
    "pls check\u00a0{}\u00a0asap",
    "my debit card {} was declined",
)

NEGATIVE_TEMPLATES = (
    "{}",
    "tracking number {}",
    "my parcel {} has not moved",
    "invoice {} is wrong",
    "order {} never arrived",
    "ref {}",
    "ISBN {}",
    "IBAN {}",
    "call me on {}",
    "{} is the reference",
)

KEYWORD_TEMPLATES = (
    "tracking number {}",
    "my parcel {} has not moved",
    "invoice {} is wrong",
    "order {} never arrived",
    "ref {}",
    "Reference: {}",
    "IMEI {} phone is locked",
)


def luhn_check_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def random_card(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + luhn_check_digit(body)


def format_number(rng: random.Random, digits: str) -> str:
    """Format a card number as people type it: plain, 4-4-4-4, Amex 4-6-5, dashes, ..."""
    n = len(digits)
    style = rng.randrange(6)
    if style == 0:
        return digits
    if (n == 15 and style in (1, 2)) or (n == 14 and style in (1, 2)):
        parts = [digits[:4], digits[4:10], digits[10:]]
    elif n == 19 and style == 5:
        parts = [digits[:6], digits[6:]]
    else:
        parts = [digits[i : i + 4] for i in range(0, n, 4)]
    sep = {1: " ", 2: "-", 3: " - ", 4: "  ", 5: " "}[style]
    if style == 3 and rng.random() < 0.5:
        sep = "\u2013"
    return sep.join(parts)


@dataclass(frozen=True)
class Case:
    text: str
    is_card: bool
    kind: str


def card_cases(n: int = 2000, seed: int = 7) -> list[Case]:
    """``n`` texts that each contain one valid card number (all issuers, many formats)."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    cases = []
    for i in range(n):
        issuer, prefixes, lengths = ISSUERS[i % len(ISSUERS)]
        number = random_card(rng, rng.choice(prefixes), rng.choice(lengths))
        text = rng.choice(CARD_TEMPLATES).format(format_number(rng, number))
        cases.append(Case(text, True, issuer))
    return cases


def _iban(rng: random.Random) -> str:
    country = rng.choice(["GB", "DE", "FR", "NL", "ES", "IT"])
    bban = {
        "GB": lambda: (
            "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
            + "".join(rng.choice("0123456789") for _ in range(14))
        ),
    }.get(country, lambda: "".join(rng.choice("0123456789") for _ in range(18)))()
    rearranged = bban + country + "00"
    numeric = "".join(str(int(c, 36)) for c in rearranged)
    check = 98 - int(numeric) % 97
    raw = f"{country}{check:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _isbn13(rng: random.Random) -> str:
    body = rng.choice(["978", "979"]) + "".join(rng.choice("0123456789") for _ in range(9))
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body))
    digits = body + str((10 - total % 10) % 10)
    if rng.random() < 0.5:
        return digits
    return f"{digits[:3]}-{digits[3]}-{digits[4:8]}-{digits[8:12]}-{digits[12]}"


def negative_cases(n: int = 2000, seed: int = 11) -> list[Case]:
    """``n`` texts with numbers that are not cards but look like them."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets

    def digits(k: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(k))

    makers = [
        # a real-looking card with one digit changed (fails Luhn)
        (
            "luhn_fail",
            lambda: _break_luhn(rng, random_card(rng, rng.choice(["4", "51", "37"]), 16)),
        ),
        ("usps", lambda: rng.choice(["9400", "9205", "9361", "9270"]) + digits(18)),
        ("usps_grouped", lambda: " ".join(_chunks(rng.choice(["9400", "9205"]) + digits(18), 4))),
        (
            "ups",
            lambda: (
                "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16))
            ),
        ),
        ("fedex12", lambda: digits(12)),
        ("fedex15", lambda: "0" + digits(14)),
        ("fedex20", lambda: "9" + digits(19)),
        ("dhl", lambda: digits(10)),
        ("isbn", lambda: _isbn13(rng)),
        ("iban", lambda: _iban(rng)),
        ("sort_account", lambda: f"{digits(2)}-{digits(2)}-{digits(2)} {digits(8)}"),
        (
            "date",
            lambda: rng.choice(
                [
                    f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025",
                ]
            ),
        ),
        (
            "datetime",
            lambda: (
                f"{rng.randint(2019, 2026)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
                f" {rng.randint(0, 23):02d}{rng.randint(0, 59):02d}{rng.randint(0, 59):02d}"
            ),
        ),
        (
            "price",
            lambda: (
                rng.choice(["£", "$", "€"]) + f"{rng.randint(1, 99999):,}.{rng.randint(0, 99):02d}"
            ),
        ),
        ("phone_gb", lambda: f"+44 7{digits(3)} {digits(6)}"),
        ("phone_us", lambda: f"+1 ({rng.randint(201, 989)}) {digits(3)}-{digits(4)}"),
        ("order", lambda: f"#LH-{digits(6)}"),
        ("invoice", lambda: f"INV-{rng.randint(2019, 2026)}-{digits(7)}"),
        ("long_ref", lambda: digits(rng.choice([20, 21, 22, 24, 26]))),
        ("amount_list", lambda: f"{digits(4)} {digits(4)} {digits(3)}"),
    ]
    # Luhn-valid numbers in card ranges, but named as something else by the text around them
    makers.append(("card_like_ref", lambda: random_card(rng, rng.choice(["4", "51", "6011"]), 16)))
    cases = []
    for i in range(n):
        kind, make = makers[i % len(makers)]
        template = rng.choice(NEGATIVE_TEMPLATES)
        if kind == "card_like_ref":
            template = rng.choice(KEYWORD_TEMPLATES)
        cases.append(Case(template.format(make()), False, kind))
    return cases


def _chunks(s: str, k: int) -> list[str]:
    return [s[i : i + k] for i in range(0, len(s), k)]


def _break_luhn(rng: random.Random, number: str) -> str:
    i = rng.randrange(1, len(number))
    d = (int(number[i]) + rng.randint(1, 9)) % 10
    return number[:i] + str(d) + number[i + 1 :]


def card_detection_figures(detector: object, n: int = 2000) -> dict[str, float]:
    """Return card recall on :func:`card_cases` and false-alarm rate on :func:`negative_cases`.

    ``detector`` is a loaded PrivateDataAnalyser; the false-alarm rate counts negatives where
    any ``card`` span is reported.
    """
    positives = card_cases(n)
    negatives = negative_cases(n)
    predict = detector.predict  # type: ignore[attr-defined]

    def has_card(cases: list[Case]) -> list[bool]:
        return [
            any(s["type"] == "card" for s in p.extras["spans"])
            for p in predict([c.text for c in cases])
        ]

    found = has_card(positives)
    alarms = has_card(negatives)
    return {
        "card_cases": len(positives),
        "card_recall": sum(found) / len(found),
        "negative_cases": len(negatives),
        "card_false_alarm_rate": sum(alarms) / len(alarms),
    }
