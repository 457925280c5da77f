from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from careline.web.templatetags.careline_web import ago, credential_keys, event_details

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=5, seconds=59), "5 min ago"),
        (timedelta(hours=3, minutes=59), "3 h ago"),
        (timedelta(days=6, hours=23), "6 d ago"),
        (timedelta(days=7), "Oct 26"),
        (timedelta(days=400), "Sep 28, 2025"),
    ],
)
def test_ago_is_compact_and_turns_into_a_date_after_a_week(
    before: timedelta, expected: str
) -> None:
    with time_machine.travel(NOW, tick=False):
        assert ago(NOW - before) == expected


def test_event_details_lists_keys_with_readable_values() -> None:
    assert event_details({"from": None, "to": "open", "ids": [1, 2], "n": 3}) == [
        ("from", "—"),
        ("to", "open"),
        ("ids", "[1, 2]"),
        ("n", "3"),
    ]
    assert event_details({}) == []
    assert event_details(["odd"]) == [("data", '["odd"]')]


def test_credential_keys_names_the_keys_and_never_the_values() -> None:
    assert credential_keys({"secret": "s3cret", "callback_url": "https://x"}) == (
        "callback_url, secret"
    )
    assert credential_keys({}) == "—"
