"""The reply mix: pure table building and the windows."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from careline.accounts.models import User
from careline.cases.models import Conversation
from careline.inbox.models import Channel
from careline.ingestion.services import ingest_items
from careline.replies.reply_mix import Cell, build_public_shares, build_rows, outcome, reply_mix
from careline.replies.services import queue_reply
from conftest import T0, item


@pytest.mark.parametrize(
    ("public", "private", "decided", "expected"),
    [
        (True, True, False, "both"),
        (True, False, True, "public"),
        (False, True, False, "private"),
        (False, False, True, "no_reply"),
        (False, False, False, "unanswered"),
    ],
)
def test_a_case_has_one_outcome(public: bool, private: bool, decided: bool, expected: str) -> None:
    assert outcome(public=public, private=private, decided=decided) == expected


def test_rows_per_kind_with_percentages_and_totals() -> None:
    rows, totals = build_rows(
        {("complaint", "both"): 2, ("complaint", "unanswered"): 1, ("compliment", "public"): 1}
    )

    assert [(r.kind, r.total) for r in rows] == [("complaint", 3), ("compliment", 1)]
    assert rows[0].cells == (Cell(0, 0), Cell(0, 0), Cell(2, 67), Cell(0, 0), Cell(1, 33))
    assert totals.cells == (Cell(1, 25), Cell(0, 0), Cell(2, 50), Cell(0, 0), Cell(1, 25))


def test_public_shares_and_an_empty_window() -> None:
    shares, total = build_public_shares({"complaint": 3, "compliment": 1})

    assert total == 4
    assert [(s.label, s.count, s.percent) for s in shares] == [
        ("Complaints", 3, 75),
        ("Compliments", 1, 25),
    ]
    assert build_rows({})[1].total == 0


@pytest.mark.django_db
def test_the_seven_day_window_leaves_out_older_cases(generic_channel: Channel, agent: User) -> None:
    with time_machine.travel(T0, tick=False):
        ingest_items(generic_channel, [item("old", author="a", text="Thanks a lot!")])
    with time_machine.travel(T0 + timedelta(days=10), tick=False):
        ingest_items(
            generic_channel, [item("new", author="b", text="Thanks again!", minutes=10 * 24 * 60)]
        )
        Conversation.objects.update(triage_kind="compliment")
        for case in Conversation.objects.all():
            queue_reply(case, text="Thank you!", public=True, actor=agent)

        week, month = reply_mix(days=7), reply_mix(days=30)

    assert (week.totals.total, month.totals.total) == (1, 2)
    assert month.rows[0].cells[0] == Cell(2, 100)
    assert (week.public_total, month.public_total) == (2, 2)
