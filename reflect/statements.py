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

``fetch_rows`` does the same for a query of many rows (a ``values_list()``, or a UNION of them):
a supervision booking reads three such under its organisation's lock (docs/performance.md).
Each value gets stand-ins of its own, so two values of one kind (two ids, since and until) are
told apart. ``fetch_named_rows`` reads many rows of a ``values()`` query by column name, as
``fetch_row`` reads one: the home page's panels read their own steps so. ``fetch_models`` reads
model instances as the ORM's own iteration makes them, with their ``select_related`` rows and
annotations: a supervision booking's access check and locks read so.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import DecimalField, IntegerField, Model, QuerySet
from django.db.models import Value as Constant
from django.db.models.query import get_related_populators

Value = int | datetime.datetime | datetime.date
Builder = Callable[..., QuerySet[Any, dict[str, Any]]]
RowsBuilder = Callable[..., QuerySet[Any, tuple[Any, ...]]]
M = TypeVar("M", bound=Model)

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
_kept_rows: dict[tuple[str, ...], _Statement | None] = {}
_models: dict[tuple[str, ...], type[Model]] = {}  # the model each kept query reads
_kept_models: dict[tuple[str, ...], _Statement | None] = {}
_kept_sql: dict[tuple[str, ...], _Statement | None] = {}
_populators: dict[tuple[str, ...], tuple[_Statement, Any, int, int, list[str], list[Any], list[Any]]] = {}


def fetch_row(key: tuple[str, ...], build: Builder, **values: Value) -> dict[str, Any] | None:
    """The one row (or None) that ``build(**values)``, a ``values()`` query set, reads.

    ``key`` names the query's shape: builders that can make different SQL need different keys."""
    statement = _kept[key] if key in _kept else _keep(key, build, values, kept=_kept, named=True)
    if statement is None:
        return build(**values).first()
    rows = _run(statement, values)
    if not rows:
        return None
    return dict(zip(statement.names, rows[0], strict=True))


def fetch_rows(key: tuple[str, ...], build: RowsBuilder, **values: Value) -> list[tuple[Any, ...]]:
    """Every row that ``build(**values)``, a ``values_list()`` query set, reads, as tuples in its
    order: ``fetch_row`` for many rows. ``key`` names the query's shape, as there."""
    statement = _kept_rows[key] if key in _kept_rows else _keep(key, build, values, kept=_kept_rows, named=False)
    if statement is None:
        return list(build(**values))
    return [tuple(row) for row in _run(statement, values)]


def fetch_named_rows(key: tuple[str, ...], build: Builder, **values: Value) -> list[dict[str, Any]]:
    """Every row that ``build(**values)``, a ``values()`` query set, reads, by column name and in
    its order: ``fetch_row`` for many rows. The builder bounds them (a slice), as every page must."""
    statement = _kept[key] if key in _kept else _keep(key, build, values, kept=_kept, named=True)
    if statement is None:
        return list(build(**values))
    return [dict(zip(statement.names, row, strict=True)) for row in _run(statement, values)]


def fetch_instances(key: tuple[str, ...], build: Callable[..., QuerySet[M]], **values: Value) -> list[M]:
    """The model instances that ``build(**values)``, a query set of one model (no
    ``select_related``), reads: its every column, kept once as ``fetch_named_rows`` keeps a query,
    and each row made an instance as the ORM makes it (``Model.from_db``)."""

    def as_values(**values: Value) -> QuerySet[Any, dict[str, Any]]:
        queryset = build(**values)
        return queryset.values(*[field.attname for field in queryset.model._meta.concrete_fields])

    rows = fetch_named_rows(key, as_values, **values)
    if not rows:
        return []
    model = cast(type[M], _models[key])
    names = list(rows[0])
    return [model.from_db(DEFAULT_DB_ALIAS, names, list(row.values())) for row in rows]


def query_sql(key: tuple[str, ...], build: Callable[..., QuerySet[Any, Any]], **values: Value) -> tuple[str, list[Any]]:
    """The SQL and parameters of ``build(**values)``, not run: for a statement that carries the
    query inside one of its own (a booking's write asks its waitlist condition so). Kept as
    ``fetch_rows`` keeps a query, else built by the ORM as ``sql_with_params`` builds it."""
    statement = _kept_sql[key] if key in _kept_sql else _keep(key, build, values, kept=_kept_sql, named=False)
    if statement is None:
        sql, params = build(**values).query.sql_with_params()
        return sql, list(params)
    return statement.sql, _params(statement, values)


def fetch_models(key: tuple[str, ...], build: Callable[..., QuerySet[M]], **values: Value) -> list[M]:
    """The model instances that ``build(**values)`` reads, made from each row exactly as the ORM's
    own iteration makes them (``ModelIterable``): the model's columns (only those asked for, with
    ``only()``), each ``select_related`` row set on it (Django's own ``RelatedPopulator``) and
    each annotation an attribute. Its SQL is kept once per process as ``fetch_rows`` keeps one,
    ``select_for_update`` included. ``key`` names the query's shape, as there."""
    statement = _kept_models[key] if key in _kept_models else _keep(key, build, values, kept=_kept_models, named=False)
    if statement is None:
        return list(build(**values))
    rows = _run(statement, values)
    if not rows:
        return []
    model, start, end, names, populators, annotations = _populating(key, statement)
    found = []
    for row in rows:
        instance = model.from_db(DEFAULT_DB_ALIAS, names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, position in annotations:
            setattr(instance, name, row[position])
        found.append(instance)
    return found


def _populating(key: tuple[str, ...], statement: _Statement) -> tuple[Any, int, int, list[str], list[Any], list[Any]]:
    """How ``fetch_models`` makes a kept query's rows into instances (``ModelIterable``'s steps),
    worked out once per query from its compiler."""
    if key not in _populators or _populators[key][0] is not statement:
        compiler = statement.compiler
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        _populators[key] = (
            statement,
            klass_info["model"],
            start,
            end,
            [column[0].target.attname for column in select[start:end]],
            get_related_populators(klass_info, select, DEFAULT_DB_ALIAS),  # type: ignore[call-arg]  # the stubs are a later Django's
            list(compiler.annotation_col_map.items()),
        )
    return _populators[key][1:]


def columns_of(model: type[Model], path: str = "", only: Collection[str] = ()) -> list[str]:
    """The ``values()`` names of every column of ``model``, reached by ``path`` ("group__" for a
    session's group): with ``instance_from``, what ``select_related`` would read, for a query
    kept once. ``only``: these columns alone (and the key), as ``only()`` reads them."""
    return [f"{path}{name}" for name in _attnames(model, only)]


def instance_from(model: type[M], row: Mapping[str, Any], path: str = "", only: Collection[str] = ()) -> M | None:
    """The instance whose columns ``columns_of(model, path, only)`` read into ``row`` (None for a
    relation that is empty: no key). Columns left out by ``only`` are deferred, as ``only()``
    leaves them: reading one costs a query."""
    if row[f"{path}{model._meta.pk.attname}"] is None:
        return None
    names = _attnames(model, only)
    return model.from_db(DEFAULT_DB_ALIAS, names, [row[f"{path}{name}"] for name in names])


def _attnames(model: type[Model], only: Collection[str]) -> list[str]:
    """The model's columns, in its order: all of them, or the key and ``only``."""
    key = model._meta.pk.attname
    return [
        field.attname
        for field in model._meta.concrete_fields
        if not only or field.attname in only or field.attname == key
    ]


def _run(statement: _Statement, values: Mapping[str, Value]) -> list[Any]:
    """The kept SQL with these values put in, its rows converted as the ORM converts them."""
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, _params(statement, values))
        rows = cursor.fetchall()
        if rows and statement.converters:
            converters = _converters(statement, cursor.description)
            if converters:
                rows = list(statement.compiler.apply_converters(rows, converters))
    return rows


# The ORM's converter for an expression whose output is a DecimalField or an integer field
# (``BaseExpression.convert_value``), and the PostgreSQL types psycopg already reads as that type
# (numeric as a Decimal; smallint, integer and bigint as an int): for those it gives back an equal
# value of the same type, so it can be left out.
_SAME_TYPE: dict[object, frozenset[int]] = {
    Constant(0, output_field=DecimalField()).convert_value.__code__: frozenset({1700}),
    Constant(0, output_field=IntegerField()).convert_value.__code__: frozenset({20, 21, 23}),
}
_needed: dict[int, tuple[_Statement, dict[int, Any]]] = {}


def _converters(statement: _Statement, description: Any) -> dict[int, Any]:
    """The statement's converters less those that would give each value back unchanged (the
    columns' types as the driver reads them: on PostgreSQL a sum of hours is already a Decimal,
    a count already an int), worked out once per kept statement: a look at the dashboard ran
    about 8,000 such calls."""
    known = _needed.get(id(statement))
    if known is not None and known[0] is statement:
        return known[1]
    needed = dict(statement.converters)
    if description is not None and connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        for position, (functions, _expression) in statement.converters.items():
            type_code = description[position].type_code
            if all(type_code in _SAME_TYPE.get(getattr(f, "__code__", None), ()) for f in functions):
                del needed[position]
    _needed[id(statement)] = (statement, needed)
    return needed


def _params(statement: _Statement, values: Mapping[str, Value]) -> list[Any]:
    """The kept statement's parameters with these values put in."""
    connection = connections[DEFAULT_DB_ALIAS]
    params = list(statement.params)
    for position, name in statement.slots:
        params[position] = _adapt(connection, values[name])
    return params


def _stand_in(kind: type, which: int, index: int) -> Any:
    """The ``which``-th stand-in for the ``index``-th value of this kind: unlike every other."""
    value = _STAND_INS[kind][which]
    if kind is int:
        return value - 100 * index
    return value + datetime.timedelta(days=index)


def _keep(
    key: tuple[str, ...],
    build: Callable[..., QuerySet[Any, Any]],
    values: Mapping[str, Value],
    *,
    kept: dict[tuple[str, ...], _Statement | None],
    named: bool,
) -> _Statement | None:
    """Build the query with each set of stand-ins and keep it if it passes the checks above;
    ``named``: its rows are read by column name, so every column needs one."""
    kinds = {name: _kind(value) for name, value in values.items()}
    indexes = {name: [other for other in kinds if kinds[other] is kind].index(name) for name, kind in kinds.items()}
    builds = []
    for which in (0, 1):
        stand_ins = {name: _stand_in(kind, which, indexes[name]) for name, kind in kinds.items()}
        queryset = build(**stand_ins)
        _models[key] = queryset.model
        query = queryset.query
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
    # The columns the rows hold, as the ORM reads them (results_iter): a UNION's are its first part's.
    selected = compiler.select[: compiler.col_count]
    names = tuple(alias for _, _, alias in selected)
    # Columns the ORM adds for ordering and then drops (has_extra_select) are not handled: not kept.
    if not same_shape or compiler.has_extra_select or (named and any(name is None for name in names)):
        kept[key] = None
        return None
    converters = compiler.get_converters([column for column, _, _ in selected])
    kept[key] = _Statement(sql, params, tuple(slots), names, converters, compiler)
    return kept[key]


def _kind(value: Value) -> type:
    # datetime before date (a datetime is a date); a bool is an int, but not an id.
    for kind in (datetime.datetime, datetime.date, int):
        if isinstance(value, kind) and not isinstance(value, bool):
            return kind
    raise TypeError(f"fetch_row and fetch_rows take ids, times and dates, not {type(value).__name__}")


def _adapt(connection: Any, value: Value) -> Any:
    """The value as the ORM hands it to the database driver in a lookup's parameters."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value
