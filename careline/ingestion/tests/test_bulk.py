"""The ingest's fast inserts (careline.ingestion.bulk): JSON values as text, and the insert
that skips conflicting rows (one statement over arrays on PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError, connection, transaction
from django.utils import timezone

from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.inbox.models import Author, Channel, Customer
from careline.ingestion import bulk

pytestmark = pytest.mark.django_db


def test_a_json_value_is_the_text_djangos_encoder_writes() -> None:
    as_json = bulk.json_adapter()
    plain = {"message": "p1", "n": [1, 2.5, None, True], "é": "ü"}
    assert as_json(plain) == json.dumps(plain, cls=DjangoJSONEncoder)
    # What only Django's encoder knows still gets through, as Django would write it.
    odd = {"at": datetime(2026, 11, 2, 9, 0, tzinfo=UTC), "amount": Decimal("1.50")}
    assert as_json(odd) == json.dumps(odd, cls=DjangoJSONEncoder)
    assert bulk.adapt_json(odd) == as_json(odd)


def test_json_text_is_stored_as_json(generic_channel: Channel) -> None:
    now = timezone.now()
    case = Conversation.objects.create(channel=generic_channel, created_at=now)
    data = {"message": "p1", "tags": ["a", "b"], "score": 0.5}
    with transaction.atomic():
        bulk.insert_rows(
            CaseEvent,
            ("conversation", "kind", "reason", "data", "created_at"),
            [(case.pk, EventKind.CREATED, "", bulk.adapt_json(data), bulk.adapt_datetime(now))],
        )
    event = CaseEvent.objects.get(conversation=case)
    assert event.data == data
    # A JSON query sees an object, not a string holding one.
    assert CaseEvent.objects.filter(data__tags__1="b").count() == 1


def _author_row(pk: int, customer: int, external_id: str, handle: str) -> tuple[object, ...]:
    now = bulk.adapt_datetime(timezone.now())
    return (pk, "generic", external_id, handle, "Name", customer, now, None)


AUTHOR_FIELDS = (
    "id",
    "platform",
    "external_id",
    "handle",
    "name",
    "customer",
    "created_at",
    "followers",
)


def test_rows_already_there_are_skipped_and_the_others_inserted() -> None:
    with transaction.atomic():
        customer = Customer.objects.create(display_name="C")
        Author.objects.create(
            platform="generic", external_id="u1", handle="@old", customer=customer
        )
        ids = bulk.allocate_ids(Author, 3)
        bulk.insert_rows(
            Author,
            AUTHOR_FIELDS,
            [
                _author_row(ids[0], customer.pk, "u1", "@new"),  # taken: skipped
                _author_row(ids[1], customer.pk, "u2", "@two"),
                _author_row(ids[2], customer.pk, "u3", "@three"),
            ],
            ignore_conflicts=True,
        )
    assert dict(Author.objects.values_list("external_id", "handle")) == {
        "u1": "@old",
        "u2": "@two",
        "u3": "@three",
    }
    assert Author.objects.get(external_id="u2").pk == ids[1]
    assert Author.objects.get(external_id="u3").customer_id == customer.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps no text lengths")
def test_a_value_too_long_for_its_column_is_refused_not_cut() -> None:
    customer = Customer.objects.create(display_name="C")
    handle_length = Author._meta.get_field("handle").max_length
    assert handle_length is not None
    with pytest.raises(DataError), transaction.atomic():
        bulk.insert_rows(
            Author,
            AUTHOR_FIELDS,
            [
                _author_row(
                    bulk.allocate_ids(Author, 1)[0], customer.pk, "u9", "x" * (handle_length + 1)
                )
            ],
            ignore_conflicts=True,
        )
    assert not Author.objects.filter(external_id="u9").exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL takes aware datetimes")
def test_a_datetime_is_the_text_djangos_sqlite_backend_writes() -> None:
    values = [
        datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 2, 9, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30, 15, 250000, tzinfo=ZoneInfo("Europe/London")),
        datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=ZoneInfo("America/New_York")),
    ]
    for value in values:
        assert bulk.adapt_datetime(value) == connection.ops.adapt_datetimefield_value(value)
    assert bulk.adapt_datetime(None) is None


def test_allocated_ids_come_after_every_stored_row_and_the_table_goes_on_after_them() -> None:
    now = bulk.adapt_datetime(timezone.now())
    fields = ("id", "display_name", "email", "notes", "created_at")
    with transaction.atomic():
        existing = Customer.objects.create(display_name="x")
        ids = bulk.allocate_ids(Customer, 3)
        bulk.insert_rows(Customer, fields, [(pk, "c", "", "", now) for pk in ids])
        more = bulk.allocate_ids(Customer, 2)
        bulk.insert_rows(Customer, fields, [(pk, "d", "", "", now) for pk in more])
    assert len(set(ids + more)) == 5
    assert existing.pk < min(ids)
    assert ids == sorted(ids)
    assert max(ids) < min(more)
    assert Customer.objects.create(display_name="y").pk > max(more)
