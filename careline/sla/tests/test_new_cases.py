"""New cases are inserted with their clocks and follow-up reminder already set
(``cases.hooks.new_case_columns``): the values must be the ones the ``inbound_stored`` hooks
compute, and the SLA refresh right after must find nothing to rewrite."""

from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careline.accounts.models import User
from careline.cases import hooks
from careline.cases.models import Conversation
from careline.connectors.base import InboundItem
from careline.followup import services as followup
from careline.inbox.models import Channel
from careline.ingestion.services import ingest_items
from careline.sla import services as sla
from careline.sla.selectors import CaseTimes
from careline.sla.services import new_case_clocks, refresh_sla

from .conftest import london_office, office_policy, utc

pytestmark = pytest.mark.django_db

COLUMNS = hooks.NEW_CASE_COLUMNS


def _item(external_id: str, author: str, at: datetime, **extra: object) -> InboundItem:
    fields: dict[str, object] = {
        "external_id": external_id,
        "author_id": author,
        "author_handle": "@" + author,
        "author_name": author.title(),
        "text": "Where is my order? It is late.",
        "created_at": at,
        "public": True,
        "reply_to": "",
        **extra,
    }
    return InboundItem(**fields)  # type: ignore[arg-type]


def _batch(at: datetime) -> list[InboundItem]:
    """Three new cases: one of two messages, one found by listening only, a private one."""
    return [
        _item("p1", "ann", at - timedelta(minutes=20)),
        _item("p2", "ann", at - timedelta(minutes=5), reply_to="p1"),
        _item("p3", "bob", at - timedelta(minutes=3), indirect=True),
        _item("d1", "cem", at - timedelta(hours=30), public=False),
    ]


def _stored(ids: list[int]) -> dict[int, tuple[object, ...]]:
    return {
        row[0]: row[1:]
        for row in Conversation.objects.filter(pk__in=ids).values_list("pk", *COLUMNS)
    }


@pytest.mark.parametrize("office", [False, True], ids=["round-the-clock", "office-hours"])
def test_a_new_case_is_inserted_with_what_the_hooks_would_set(
    generic_channel: Channel, supervisor: User, office: bool
) -> None:
    if office:
        office_policy(supervisor, london_office())
    at = utc(2026, 11, 6, 16, 50)  # Friday, late: office hours move the due times to Monday
    with time_machine.travel(at, tick=False):
        result = ingest_items(generic_channel, _batch(at))
    ids = result.conversation_ids
    assert len(ids) == 3
    inserted = _stored(ids)

    # The same cases as the hooks leave them when they start from nothing.
    Conversation.objects.filter(pk__in=ids).update(
        sla_policy="",
        customer_waiting_since=None,
        sla_next_due_at=None,
        sla_next_warn_at=None,
        followup_due_at=None,
    )
    refresh_sla(ids, now=at)
    followup.on_inbound_stored(ids, now=at)
    assert _stored(ids) == inserted

    by_author = {
        c.author.external_id: c
        for c in Conversation.objects.filter(pk__in=ids).select_related("author")
    }
    assert by_author["ann"].sla_policy == ("Office normal" if office else "Default normal")
    assert by_author["ann"].customer_waiting_since == at - timedelta(minutes=20)
    assert by_author["ann"].sla_next_due_at is not None
    assert by_author["ann"].followup_due_at == at + followup.conf.reminder_interval()
    assert by_author["bob"].followup_due_at is None  # nobody asked us
    assert by_author["cem"].sla_next_due_at is not None


def test_the_sla_refresh_after_ingest_rewrites_no_new_case(generic_channel: Channel) -> None:
    at = utc(2026, 11, 2, 9, 0)
    with (
        time_machine.travel(at, tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        result = ingest_items(generic_channel, _batch(at))
    assert len(result.conversation_ids) == 3
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert not [sql for sql in writes if "sla_next_due_at" in sql], writes
    # (The follow-up hook's one UPDATE still runs; it matches only cases with no reminder.)


def test_a_case_that_is_not_new_is_refused() -> None:
    at = utc(2026, 11, 2, 9, 0)
    answered = CaseTimes(
        id=1,
        channel="c",
        priority="normal",
        status="new",
        created_at=at,
        first_response_at=at,
        last_agent_reply_at=None,
        customer_waiting_since=None,
        last_inbound_at=at,
        open_at=None,
        resolved_at=None,
        closed_at=None,
        no_reply_at=None,
        sla_policy="",
        sla_next_due_at=None,
        sla_next_warn_at=None,
    )
    with pytest.raises(ValueError, match="not new"):
        new_case_clocks([answered], now=at)


SPAM_TEXT = "Buy cheap followers now!!! Click here http://x.test http://y.test #promo #deal #free"


@pytest.mark.parametrize("office", [False, True], ids=["round-the-clock", "office-hours"])
def test_settled_new_cases_are_not_read_again_by_the_sla_refresh(
    generic_channel: Channel, supervisor: User, office: bool
) -> None:
    if office:
        office_policy(supervisor, london_office())
    at = utc(2026, 11, 2, 9, 0)
    with (
        time_machine.travel(at, tick=False),
        mock.patch.object(sla, "refresh_sla", wraps=sla.refresh_sla) as refresh,
    ):
        first = ingest_items(generic_channel, _batch(at))
        # A later batch: a reply in an earlier case (its clocks move) and one new case.
        later = ingest_items(
            generic_channel,
            [_item("p4", "ann", at, reply_to="p2"), _item("p5", "dan", at)],
        )
    new_case = next(pk for pk in later.conversation_ids if pk not in first.conversation_ids)
    refreshed = [list(call.args[0]) for call in refresh.call_args_list]
    if office:
        # Office hours: every case is refreshed, as before.
        assert refreshed == [first.conversation_ids, later.conversation_ids]
    else:
        # Round the clock: only the earlier case that got a message.
        assert refreshed == [[], [pk for pk in later.conversation_ids if pk != new_case]]


def test_a_new_spam_case_decided_not_to_answer_gets_its_clocks_refreshed(
    generic_channel: Channel,
) -> None:
    at = utc(2026, 11, 2, 9, 0)
    with time_machine.travel(at, tick=False):
        result = ingest_items(
            generic_channel,
            [_item("s1", "spammer", at, text=SPAM_TEXT), _item("p1", "ann", at)],
        )
    spam, other = (
        Conversation.objects.get(pk=pk, author__external_id=author)
        for pk, author in zip(sorted(result.conversation_ids), ("spammer", "ann"), strict=True)
    )
    assert spam.no_reply_at == at  # the moderation hook decided in the same batch
    assert spam.customer_waiting_since is None
    # The decision stops the reply clocks: the resolution clock is what is due next.
    assert spam.sla_next_due_at is not None
    assert other.sla_next_due_at is not None
    assert spam.sla_next_due_at > other.sla_next_due_at
    stored = _stored([spam.pk])
    refresh_sla([spam.pk], now=at)
    assert _stored([spam.pk]) == stored
