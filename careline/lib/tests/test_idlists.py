"""``in_list`` selects exactly the rows ``__in`` selects, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from careline.inbox.models import Author, Customer
from careline.lib.idlists import in_list, pg_array

pytestmark = pytest.mark.django_db

# More than SQLite's historical limit of 999 parameters in one statement.
MANY = 1500


@pytest.fixture
def authors() -> list[Author]:
    customers = Customer.objects.bulk_create(
        [Customer(display_name=f"Customer {i}") for i in range(10)]
    )
    return Author.objects.bulk_create(
        [
            Author(
                platform="generic",
                external_id=f"{i:05d}" if i % 7 else f"ü-'{i}\"",
                handle=f"h{i}",
                customer=customers[i % 10] if i % 3 else None,
            )
            for i in range(MANY)
        ]
    )


def pks(queryset: QuerySet[Any]) -> list[int]:
    return sorted(queryset.values_list("pk", flat=True))


def test_it_selects_the_rows_in_selects_for_more_than_999_ids(authors: list[Author]) -> None:
    ids = [a.pk for a in authors[::2]] + [a.pk for a in authors[:20]] + [10**9, -1]
    expected = pks(Author.objects.filter(pk__in=ids))
    assert len(expected) == MANY // 2 + 10  # the duplicates and unknown ids select nothing more
    assert pks(Author.objects.filter(in_list("pk", ids))) == expected


def test_it_compares_text_as_text(authors: list[Author]) -> None:
    keys = [a.external_id for a in authors[:MANY:3]]
    # Not numbers: "00012" is not "12", and quotes and accents are plain characters.
    keys += ["12", "x" * 300, "ü-'0\""]
    expected = pks(Author.objects.filter(external_id__in=keys))
    assert len(expected) == MANY // 3
    assert pks(Author.objects.filter(in_list("external_id", keys))) == expected


def test_it_drops_none_like_in_and_works_on_a_nullable_foreign_key(
    authors: list[Author],
) -> None:
    customer_ids: list[Any] = [c.pk for c in Customer.objects.all()[:4]] + [None]
    expected = pks(Author.objects.filter(customer_id__in=customer_ids))
    assert len(expected) == 400  # 4 of the 10 customers, 2 of 3 authors have one
    assert pks(Author.objects.filter(in_list("customer_id", customer_ids))) == expected
    assert pks(Author.objects.filter(in_list("customer", customer_ids))) == expected


def test_it_follows_relations(authors: list[Author]) -> None:
    names = ["Customer 1", "Customer 2", "nobody"]
    expected = pks(Author.objects.filter(customer__display_name__in=names))
    assert len(expected) == 200
    assert pks(Author.objects.filter(in_list("customer__display_name", names))) == expected


def test_it_excludes_what_in_excludes_on_a_not_null_column(authors: list[Author]) -> None:
    ids = [a.pk for a in authors[: MANY - 5]]
    expected = pks(Author.objects.exclude(pk__in=ids))
    assert expected == sorted(a.pk for a in authors[MANY - 5 :])
    assert pks(Author.objects.exclude(in_list("pk", ids))) == expected


def test_it_prepares_values_as_in_does(authors: list[Author]) -> None:
    ids: list[Any] = [str(authors[0].pk), authors[1].pk, float(authors[2].pk)]
    expected = pks(Author.objects.filter(pk__in=ids))
    assert expected == sorted(a.pk for a in authors[:3])
    assert pks(Author.objects.filter(in_list("pk", ids))) == expected


def test_an_empty_list_selects_nothing_without_a_query(authors: list[Author]) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert list(Author.objects.filter(in_list("pk", []))) == []
        assert list(Author.objects.filter(in_list("external_id", [None]))) == []
    assert len(queries) == 0
    assert pks(Author.objects.exclude(in_list("pk", []))) == sorted(a.pk for a in authors)
    both = Author.objects.filter(in_list("pk", []) | in_list("handle", ["h3"]))
    assert pks(both) == [authors[3].pk]


def test_it_sends_the_list_as_one_parameter(authors: list[Author]) -> None:
    ids = [a.pk for a in authors]
    queryset = Author.objects.filter(in_list("pk", ids), platform="generic")
    sql, params = queryset.query.sql_with_params()
    assert len(params) == 2  # the list and the platform
    marker = "= ANY(" if connection.vendor == "postgresql" else "IN (SELECT value FROM json_each("
    assert marker in sql
    if connection.vendor == "postgresql":
        # Ids go as one comma-separated text (quoting a list costs Python time per id).
        assert "string_to_array(" in sql
        listed = [int(v) for v in params[0].split(",")]
    else:
        listed = json.loads(params[0])
    assert listed == ids
    assert queryset.count() == MANY


def test_text_values_go_as_one_parameter_too(authors: list[Author]) -> None:
    keys = [a.external_id for a in authors]
    queryset = Author.objects.filter(in_list("external_id", keys))
    _sql, params = queryset.query.sql_with_params()
    assert len(params) == 1
    if connection.vendor == "postgresql":
        # The array's text (psycopg would quote a list element by element, in Python).
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::text[]", [params[0]])
            listed = cursor.fetchone()[0]
    else:
        listed = json.loads(params[0])
    assert listed == keys
    assert queryset.count() == MANY


def test_it_refuses_other_column_types() -> None:
    with pytest.raises(TypeError, match="DateTimeField"):
        list(Author.objects.filter(in_list("created_at", ["2026-01-01"])))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL arrays")
def test_pg_array_text_reads_back_as_the_values() -> None:
    texts = ["plain", "", "a,b", "{x}", 'say "hi"', "back\\slash", "NULL", "ü ' é", " sp "]
    ints = [1, None, -(2**40)]
    times = [
        datetime(2026, 11, 2, 9, 0, 0, 123456, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::text[], %s::text[], %s::bigint[], %s::timestamptz[], %s::boolean[]",
            [
                pg_array(texts),
                pg_array(["only", "plain"]),
                pg_array(ints),
                pg_array(times),
                pg_array([True, False, None]),
            ],
        )
        row = cursor.fetchone()
    assert row == (texts, ["only", "plain"], ints, times, [True, False, None])


def test_pg_array_refuses_what_it_cannot_write() -> None:
    with pytest.raises(TypeError):
        pg_array([1.5])
    with pytest.raises(TypeError):
        pg_array([datetime(2026, 11, 2, 9, 0)])  # naive: which zone?
