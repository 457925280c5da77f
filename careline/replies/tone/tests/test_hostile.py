"""Attacker-controlled or odd text must neither crash the guard nor slow it down."""

from __future__ import annotations

import random
import time

import pytest

from careline.replies.tone import ReplyContext, check_reply

CONTEXT = ReplyContext(
    kind="complaint",
    platform="x",
    public=True,
    customer_name="Sam",
    customer_text="<b>my order</b> never came " * 50,
    facts={"order": "A-1", "nested": {"deep": [1, 2, {"x": "y"}]}},
    recent_public_replies=tuple(f"Hi there {i}, sorry about order {i}" for i in range(50)),
    concession_limit=10,
)

HOSTILE = [
    "",
    "   \n\t ",
    "a" * 10_000,
    "you " * 2_500,
    "as we " * 2_000,
    "<script>alert('x')</script><img src=x onerror=alert(1)> sorry Sam",
    "S\u0336o\u0336r\u0336r\u0336y\u0336 Sam \u202e\u2066 zalgo t̸̢̛̗e̵̡̛x̴̧t̷",
    "\u200b" * 5_000 + "sorry",
    "🇬🇧👨‍👩‍👧‍👦🏳️‍🌈" * 500,
    "1" * 10_000,
    "£" + "9" * 5_000 + " refund",
    "(" * 5_000 + ")" * 5_000,
    "\x00\x01\x02 sorry \ud7ff \ufffd",
    "İstanbul ǅ ß ﬃ " * 500,
    "Sorry Sam!! " * 1_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
def test_hostile_text_gets_a_report_with_valid_spans_quickly(text: str) -> None:
    started = time.perf_counter()
    report = check_reply(text, CONTEXT)
    elapsed = time.perf_counter() - started
    # Catches catastrophic regex backtracking (seconds to minutes on these inputs); typical
    # is ~0.1 s, and a busy CI machine must not fail it.
    assert elapsed < 2.0
    for finding in report.findings:
        assert 0 <= finding.start <= finding.end <= len(text)
        assert finding.severity in ("info", "warning", "block")
        assert finding.message
        assert finding.suggestion


def test_random_printable_noise_never_crashes() -> None:
    rng = random.Random(5)
    alphabet = "abc XYZ.,!?'\u2019\"£$€%0123456789@#-\n<>/é😀\u200d"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
        report = check_reply(text, CONTEXT)
        assert all(0 <= f.start <= f.end <= len(text) for f in report.findings)


def test_a_typical_reply_is_not_pathologically_slow() -> None:
    text = (
        "Hi Sam, so sorry your parcel hasn't turned up in time for the birthday — that's really "
        "disappointing. Could you DM us your order number so we can chase the courier?"
    )
    context = ReplyContext(
        kind="complaint",
        platform="x",
        public=True,
        customer_name="Sam",
        customer_text="My parcel never arrived and it was for a birthday",
        recent_public_replies=tuple(f"Hi Alex, thanks for order {i}!" for i in range(30)),
    )
    check_reply(text, context)  # warm the caches, as the composer's first keystroke does
    runs = 200
    started = time.perf_counter()
    for _ in range(runs):
        check_reply(text, context)
    per_reply = (time.perf_counter() - started) / runs
    # A guard against pathological slowness (10x the typical ~1 ms); the budget itself is
    # measured by bench/tone.py, not by a timed test that a busy machine could fail.
    assert per_reply < 0.02
