"""Fast inserts for the ingest hot path: `executemany` with ids allocated up front.

Django's bulk_create spends most of its time preparing every value through the field API and,
on SQLite, splits inserts into ~60-row statements (999 variables). Ingestion writes thousands
of rows of a few known types per batch, so it prepares values once per type and hands the
database one prepared statement with many parameter sets. Ids are allocated before the insert
so related rows can point at them without reading them back.

Must run inside a transaction (ingest_items does): on SQLite the transaction holds the write
lock (careline opens them IMMEDIATE), so nobody else can take the allocated ids.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

from careline.lib.idlists import pg_array

# (database alias, table, primary key column) → the key's sequence on PostgreSQL.
_SEQUENCES: dict[tuple[str, str, str], str] = {}


class BulkNotSupported(RuntimeError):
    pass


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve ``count`` primary keys for ``model`` in this transaction."""
    if count <= 0:
        return []
    meta = model._meta
    assert meta.pk is not None
    table, pk = meta.db_table, str(meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            key = (connection.alias, table, pk)
            sequence = _SEQUENCES.get(key)
            if sequence is None:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
                sequence = _SEQUENCES[key] = cursor.fetchone()[0]
            # The sequence named once: pg_get_serial_sequence in the select list would be
            # looked up again for every id (5 ms per 2,000 ids instead of 0.6). The ids come
            # back as one text, not a row each (a fetched row costs the driver ~1 µs).
            cursor.execute(
                "SELECT string_agg(nextval(%s::regclass)::text, ',' ORDER BY n) "
                "FROM generate_series(1, %s) AS n",
                [sequence, count],
            )
            return [int(pk) for pk in cursor.fetchone()[0].split(",")]
        if connection.vendor == "sqlite":
            qn = connection.ops.quote_name
            # AUTOINCREMENT tables never reuse an id, even a deleted one: respect the sequence.
            cursor.execute(
                f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
                f"coalesce((SELECT max({qn(pk)}) FROM {qn(table)}), 0))",
                [table],
            )
            start = int(cursor.fetchone()[0]) + 1
            return list(range(start, start + count))
    raise BulkNotSupported(f"no fast id allocation for {connection.vendor}")


def _sqlite_datetime(value: datetime | None) -> Any:
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # What Django's SQLite backend stores: naive UTC, "YYYY-MM-DD HH:MM:SS[.ffffff]" (the
    # aware value's text without its "+00:00": no naive copy to make).
    return value.isoformat(" ")[:-6]


def _passthrough(value: Any) -> Any:
    return value


def datetime_adapter() -> Callable[[datetime | None], Any]:
    """A function turning aware datetimes into what this database's driver wants.

    Fetched once per batch: the hot path calls it several times per item.
    """
    if connection.vendor == "sqlite":
        return _sqlite_datetime
    if connection.vendor == "postgresql":
        return _passthrough  # psycopg sends aware datetimes as timestamptz
    return connection.ops.adapt_datetimefield_value


def adapt_datetime(value: datetime | None) -> Any:
    return datetime_adapter()(value)


def _json_text(value: Any) -> str:
    try:
        return json.dumps(value)  # the C encoder with its defaults: plain values, the hot path
    except TypeError:
        # A date, a decimal…: what Django's JSONField would store (its encoder only adds
        # these, so a plain value gives the same text either way).
        return json.dumps(value, cls=DjangoJSONEncoder)


def json_adapter() -> Callable[[Any], Any]:
    """A function turning a JSON field value into what this database's driver wants.

    The JSON text itself on SQLite and PostgreSQL: on PostgreSQL, the text Django's ``Jsonb``
    wrapper would send, which ``COPY`` and an assignment to a ``jsonb`` column read as JSON
    (dumping a ``Jsonb`` per value on every ``COPY`` row cost the ingest's main process
    ~0.05 ms per value). Fetched once per batch, like ``datetime_adapter``.
    """
    if connection.vendor in ("sqlite", "postgresql"):
        return _json_text
    return partial(connection.ops.adapt_json_value, encoder=DjangoJSONEncoder)


def adapt_json(value: Any) -> Any:
    """A JSON field value for the driver (see ``json_adapter``)."""
    return json_adapter()(value)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return field


def _array_type(model: type[models.Model], name: str) -> str:
    """The column's type as an array, without a length: casting to varchar(n) would cut a
    long value silently, where the insert itself refuses it."""
    db_type = str(_field(model, name).db_type(connection))
    return db_type.split("(")[0].strip() + "[]"


def _column(model: type[models.Model], name: str) -> str:
    return str(_field(model, name).column)


def _array_parameter(values: Sequence[Any]) -> Any:
    """One column's values as an array parameter: the array's text where ``pg_array`` takes
    the values (psycopg would quote a list in Python, element by element), else the list."""
    try:
        return pg_array(values)
    except TypeError:
        return list(values)


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """INSERT the rows (values already adapted, in ``fields`` order) with one executemany."""
    meta = model._meta
    qn = connection.ops.quote_name
    columns = ", ".join(qn(_column(model, name)) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    batch = rows if isinstance(rows, list) else list(rows)
    if not batch:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not ignore_conflicts:
            # COPY streams the rows in one round trip: several times faster than executemany.
            copy_sql = f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in batch:
                    copy.write_row(row)
        elif connection.vendor == "postgresql":
            # ON CONFLICT rules out COPY. One statement over one array per column: a VALUES
            # list of a thousand rows has thousands of placeholders, and psycopg parses such
            # a query text in Python every time (~60 ms per 1,000 rows of eight columns).
            arrays = ", ".join(f"%s::{_array_type(model, name)}" for name in fields)
            columns_of = list(zip(*batch, strict=True))
            cursor.execute(
                f"INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608
                f"SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING",
                [_array_parameter(values) for values in columns_of],
            )
        else:
            cursor.executemany(sql, batch)
