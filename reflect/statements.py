"""Rows read by a query whose SQL is the same on every request, built by the ORM once per process.

Building a query can cost Django far more than the database takes to run it: the row of a
person's role facts that every page's navigation asks for, with its subqueries, took about
4.5 ms to build and 0.2 ms to run (docs/performance.md). When a query differs from one request
to the next only in a few values (the person's id, the time now, today's date), ``fetch_row``
builds it twice, with two different stand-ins for those values. The SQL must come out the same
both times and the parameters may differ only where a stand-in went in; then the SQL and where
each value goes are kept, and each later request puts its own values in and runs it. Anything
else (SQL that changes with the values, a parameter worked out from them) is not kept, and the
ORM builds the query every time, exactly as before: the shortcut is never a second source of
truth, only the ORM's own statement reused.

The builder must take every value that changes from its arguments (never ``timezone.now()``
inside it): a value read inside it would be the same in both builds and kept for good.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

Value = int | datetime.datetime | datetime.date
Builder = Callable[..., QuerySet[Any, dict[str, Any]]]

# Two stand-ins for each kind of value, unlike any real one and unlike each other.
_STAND_INS: dict[type, tuple[Any, Any]] = {
    int: (-7301, -7302),
    datetime.datetime: (
        datetime.datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=datetime.UTC),
        datetime.datetime(1902, 3, 4, 5, 6, 7, 891, tzinfo=datetime.UTC),
    ),
    datetime.date: (datetime.date(1901, 2, 3), datetime.date(1902, 3, 4)),
}


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (parameter's position, name of the value that goes there)
    names: tuple[str, ...]  # the row's columns, in order
    converters: Any
    compiler: Any


_kept: dict[tuple[str, ...], _Statement | None] = {}


def fetch_row(key: tuple[str, ...], build: Builder, **values: Value) -> dict[str, Any] | None:
    """The one row (or None) that ``build(**values)``, a ``values()`` query set, reads.

    ``key`` names the query's shape: builders that can make different SQL need different keys."""
    rows = _fetch(key, build, values, first=True)
    return rows[0] if rows else None


def fetch_rows(key: tuple[str, ...], build: Builder, **values: Value) -> list[dict[str, Any]]:
    """Every row that ``build(**values)`` reads, as fetch_row reads one; the builder bounds them
    (a slice), as every page's query must."""
    return _fetch(key, build, values, first=False)


def _fetch(key: tuple[str, ...], build: Builder, values: Mapping[str, Value], *, first: bool) -> list[dict[str, Any]]:
    statement = _kept[key] if key in _kept else _keep(key, build, values)
    if statement is None:
        query = build(**values)
        return [row for row in [query.first()] if row is not None] if first else list(query)
    connection = connections[DEFAULT_DB_ALIAS]
    params = list(statement.params)
    for position, name in statement.slots:
        params[position] = _adapt(connection, values[name])
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        rows = cursor.fetchall()
    if first:
        rows = rows[:1]
    if statement.converters:
        rows = list(statement.compiler.apply_converters(rows, statement.converters))
    return [dict(zip(statement.names, row, strict=True)) for row in rows]


def _keep(key: tuple[str, ...], build: Builder, values: Mapping[str, Value]) -> _Statement | None:
    """Build the query with each set of stand-ins and keep it if it passes the checks above."""
    kinds = {name: _kind(value) for name, value in values.items()}
    builds = []
    for which in (0, 1):
        stand_ins = {name: _STAND_INS[kind][which] for name, kind in kinds.items()}
        query = build(**stand_ins).query
        compiler = query.get_compiler(using=DEFAULT_DB_ALIAS)
        sql, params = compiler.as_sql()
        builds.append((stand_ins, compiler, sql, tuple(params)))
    (first, compiler, sql, params), (second, _, other_sql, other_params) = builds
    connection = connections[DEFAULT_DB_ALIAS]
    slots: list[tuple[int, str]] = []
    same_shape = sql == other_sql and len(params) == len(other_params)
    for position, (one, two) in enumerate(zip(params, other_params, strict=False)):
        if not same_shape or one == two:
            continue
        found = [
            name for name in kinds if (_adapt(connection, first[name]), _adapt(connection, second[name])) == (one, two)
        ]
        if len(found) != 1:
            same_shape = False  # a parameter worked out from a value: build it each time
            continue
        slots.append((position, found[0]))
    names = tuple(alias for _, _, alias in compiler.select)
    if not same_shape or any(name is None for name in names):
        _kept[key] = None
        return None
    converters = compiler.get_converters([column for column, _, _ in compiler.select])
    _kept[key] = _Statement(sql, params, tuple(slots), names, converters, compiler)
    return _kept[key]


def _kind(value: Value) -> type:
    # datetime before date (a datetime is a date); a bool is an int, but not an id.
    for kind in (datetime.datetime, datetime.date, int):
        if isinstance(value, kind) and not isinstance(value, bool):
            return kind
    raise TypeError(f"fetch_row takes ids, times and dates, not {type(value).__name__}")


def _adapt(connection: Any, value: Value) -> Any:
    """The value as the ORM hands it to the database driver in a lookup's parameters."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value
