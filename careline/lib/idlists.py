"""A long list of ids or keys in a query as ONE parameter, for the ingest hot path.

``Model.objects.filter(in_list("external_id", keys))`` selects the rows that
``filter(external_id__in=keys)`` selects, but the database gets one parameter instead of one
per value: on PostgreSQL ``col = ANY(%s::text[])`` with the list as an array, or for ids
``col = ANY(string_to_array(%s, ',')::bigint[])`` with one comma-separated text, on SQLite
``col IN (SELECT value FROM json_each(%s))`` with the list as a JSON array. Django's ``__in``
prepares every value twice through the field, writes a placeholder per value and, on SQLite,
rewrites a query text of tens of kilobytes: ~2-4 ms per 2,000 values, a dozen times per
ingest batch (docs/performance.md, "Import").

Only for integer and text columns (ids, external ids, hashes). Values are prepared as ``__in``
prepares them (``None`` dropped: NULL equals nothing); an empty list selects nothing without
a query, as ``__in=[]`` does. In ``.exclude()``, keep to NOT NULL columns: ``exclude(col__in=…)``
keeps rows whose column is NULL, while NOT (NULL IN …) does not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import F
from django.db.models.lookups import Lookup


class InList(Lookup):
    """``lhs IN values`` with the values sent as one array (JSON array on SQLite)."""

    lookup_name = "in_list"
    prepare_rhs = False  # the values are prepared at compile time, knowing the field

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        values, array_type = _prepared(self.lhs.output_field, self.rhs, connection)
        if not values:
            raise EmptyResultSet  # as __in=[]: WHERE false, and no query at all where possible
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            if array_type == "bigint":
                # Ids as one comma-separated text: psycopg quotes a Python list element by
                # element in Python (~4 µs an id, ~1 s of a 20,000-row import's main
                # process); string_to_array of a constant folds to the same constant array
                # when the query is planned, so the plans are those of ANY(array).
                text = ",".join(map(str, values))
                return f"{lhs_sql} = ANY(string_to_array(%s, ',')::bigint[])", (
                    *lhs_params,
                    text,
                )
            return f"{lhs_sql} = ANY(%s::{array_type}[])", (*lhs_params, pg_array(values))
        if connection.vendor == "sqlite":
            # lhs_sql is Django's compiled column reference; the values are the parameter.
            return f"{lhs_sql} IN (SELECT value FROM json_each(%s))", (  # noqa: S608
                *lhs_params,
                json.dumps(values),
            )
        raise NotImplementedError(f"in_list is not implemented for {connection.vendor}")


def _prepared(field: Any, values: Iterable[Any], connection: Any) -> tuple[list[Any], str]:
    """The values as ``__in`` would send them, without the None (NULL matches nothing), and
    the PostgreSQL array type to send them as.

    bigint and text, whatever the column's own type: an int column compares with bigint and
    a varchar with text through the same index, and a cast to varchar(n) would truncate a
    longer value into one that matches.
    """
    target = getattr(field, "target_field", field)  # a foreign key compares as its target
    wanted: type
    if isinstance(target, models.IntegerField):
        wanted, array_type = int, "bigint"
    elif isinstance(target, (models.CharField, models.TextField)):
        wanted, array_type = str, "text"
    else:
        raise TypeError(f"in_list supports integer and text columns, not {type(field).__name__}")
    values = [v for v in values if v is not None]
    # The common case, values already of the column's type, skips two calls per value.
    if not all(type(v) is wanted for v in values):
        values = [field.get_db_prep_value(v, connection, prepared=False) for v in values]
    return values, array_type


def _pg_element(value: Any) -> str:
    if value is None:
        return "NULL"
    kind = type(value)
    if kind is str:
        if "\\" in value or '"' in value:
            value = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{value}"'
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is datetime:
        if value.tzinfo is None:
            raise TypeError("pg_array takes aware datetimes only")
        return f'"{value.astimezone(UTC).isoformat()}"'
    raise TypeError(f"pg_array does not take {kind.__name__}")


def pg_array(values: Iterable[Any]) -> str:
    """``values`` (text, integers, booleans, aware datetimes, None) as the text of a
    PostgreSQL array, e.g. ``{"a","b \\"c\\"",NULL}``, for a parameter cast to an array type
    (``%s::text[]``). The database reads the same array as from a Python list, but psycopg
    quotes a list element by element in Python (~1 µs an element: ~1.8 s of a 40,000-row
    import's main process under the profiler). Raises TypeError for any other value.
    """
    values = values if isinstance(values, list) else list(values)
    try:
        joined = "\x00".join(values)  # text only
    except TypeError:
        pass
    else:
        # The common case: nothing to escape (a NUL in a value is left to the database to
        # refuse, as it would refuse it in a list).
        plain = '"' not in joined and "\\" not in joined
        if plain and joined.count("\x00") == len(values) - 1:
            return '{"' + joined.replace("\x00", '","') + '"}' if values else "{}"
    return "{" + ",".join(map(_pg_element, values)) + "}"


def in_list(field: str, values: Iterable[Any]) -> InList:
    """A filter condition: ``field`` (a lookup path, e.g. ``"message__conversation_id"``)
    is one of ``values``. Use as ``filter(in_list(…))`` or ``exclude(in_list(…))``."""
    return InList(F(field), list(values))
