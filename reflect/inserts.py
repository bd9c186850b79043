"""The INSERT Django would run for new rows, as SQL to place inside a larger statement.

PostgreSQL runs several writes as one statement when each is a data-modifying common table
expression (``WITH a AS (INSERT …) INSERT …``): one round trip instead of one per table, for
use cases that hold locks while they write (docs/performance.md). Building each INSERT with
Django's own compiler keeps the columns, defaults, ``auto_now`` values and type adaptation
exactly those of ``save()`` and ``bulk_create()``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import AutoField, BigIntegerField, Model
from django.db.models.expressions import RawSQL
from django.db.models.sql import InsertQuery


def writes_in_one_statement() -> bool:
    """Whether the database takes data-modifying CTEs (PostgreSQL; SQLite does not)."""
    return connection.vendor == "postgresql"


def insert_sql(objs: Sequence[Model], *, returning_pk: bool = False, keys_given: bool = False) -> tuple[str, list[Any]]:
    """One INSERT for ``objs`` (new rows of one model, keys left to the database), optionally
    with ``RETURNING`` the new key (one row only, as ``save()`` does). ``keys_given``: each row's
    key is set already (taken from its sequence beforehand, ``reserved_key`` or ``new_key``) and is written.

    The SQL of an insert of plain values depends only on the model and the number of rows, so
    it is compiled once per process and kept; each later insert of that shape has its values
    prepared by the same compiler's own steps (``pre_save`` for ``auto_now`` and defaults, then
    the field's ``get_db_prep_save``). A value that is an expression, or a field with a
    placeholder of its own, is compiled afresh every time, as ``save()`` would."""
    model = type(objs[0])
    assert not returning_pk or len(objs) == 1 or connection.features.can_return_rows_from_bulk_insert, (
        "RETURNING for one row only, where the database cannot return a bulk insert's rows"
    )
    assert not keys_given or all(obj.pk is not None for obj in objs), "every key given"
    shape = (model, len(objs), returning_pk, keys_given, connection.alias)
    kept = _kept_inserts.get(shape)
    if kept is not None:
        sql, compiler, fields, by_column = kept
        values = [compiler.pre_save_val(field, obj) for obj in objs for field in fields]
        if not any(hasattr(value, "resolve_expression") for value in values):
            prepared = [
                compiler.prepare_value(field, value) for field, value in zip(fields * len(objs), values, strict=True)
            ]
            if by_column:
                # PostgreSQL's bulk insert of plain values: one array a column (… FROM UNNEST(…)).
                return sql, [prepared[column :: len(fields)] for column in range(len(fields))]
            return sql, prepared
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.generated and (keys_given or not isinstance(field, AutoField))
    ]
    query = InsertQuery(model)
    query.insert_values(fields, list(objs))
    compiler = query.get_compiler(connection=connection)
    if returning_pk:
        compiler.returning_fields = [model._meta.pk]
    [(sql, params)] = compiler.as_sql()
    plain = not any(getattr(field, "get_placeholder", None) for field in fields) and not any(
        hasattr(getattr(obj, field.attname), "resolve_expression") for obj in objs for field in fields
    )
    if plain and len(params) == len(fields) * len(objs):
        _kept_inserts[shape] = (sql, compiler, fields, False)
    elif (
        plain
        and len(objs) > 1
        and len(params) == len(fields)
        and all(isinstance(column, list) and len(column) == len(objs) for column in params)
    ):
        # Several rows on PostgreSQL: Django's compiler sends each column's values as one array.
        _kept_inserts[shape] = (sql, compiler, fields, True)
    return sql, list(params)


# Inserts of plain values, by (model, rows, RETURNING, keys given, database): their SQL, compiler
# and columns, and whether each column's values go as one array (insert_sql).
_kept_inserts: dict[tuple[Any, ...], tuple[str, Any, list[Any], bool]] = {}


def mark_saved(obj: Model, pk: int) -> None:
    """What ``save()`` leaves on an instance it inserted: its key and its saved state."""
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def reserved_key(model: type[Model]) -> RawSQL:
    """A new key of ``model`` taken from its sequence (PostgreSQL), as an expression for a read
    that fetches it before the rows that name it are written in one statement
    (``insert_sql(keys_given=True)``). A key taken and not used leaves a gap, as a rolled-back
    insert does."""
    table, column = model._meta.db_table, model._meta.pk.column
    # Only the model's own table and column names go into the SQL, never a value.
    return RawSQL(f"nextval(pg_get_serial_sequence('{table}', '{column}'))", [], output_field=BigIntegerField())  # noqa: S611


def new_key(model: type[Model]) -> int:
    """A new key of ``model`` taken from its sequence (PostgreSQL) in a statement of its own, for
    a use case that builds the rows naming it before it takes its locks (``insert_sql(keys_given=True)``).
    A key taken and not used leaves a gap, as a rolled-back insert does."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s))", [table, column])
        [(key,)] = cursor.fetchall()
    return key


def one_statement(
    writes: Sequence[tuple[str, Sequence[Any]]], *, only_if: tuple[str, Sequence[Any]] | None = None
) -> tuple[str, list[Any]]:
    """Several writes as ONE statement, each but the last a data-modifying CTE of the last: its
    SQL and parameters, to run with ``run_one_statement`` (PostgreSQL only:
    ``writes_in_one_statement``).

    PostgreSQL runs every data-modifying CTE to completion whether or not it is read, and all of
    them see the same snapshot: none sees another's rows, so none may depend on another's (keys
    are reserved beforehand, totals worked out in Python). Any refusal (a unique or check
    constraint) fails the whole statement, as it would the first of separate ones.

    ``only_if``: a condition (SQL and its parameters, a boolean), asked once in the statement's
    own snapshot; every write is of one row (``VALUES (…)``), and each inserts it only where the
    condition holds (``SELECT … FROM condition WHERE holds``). When it does not, nothing is
    written, no key is taken from a sequence, and the last write returns no row: with a
    ``RETURNING`` it says whether the writes were made."""
    ctes: list[tuple[str, tuple[str, Sequence[Any]]]] = []
    if only_if is not None:
        ctes.append(("condition", (f"SELECT ({only_if[0]}) AS holds", only_if[1])))
        writes = [(_only_where_holds(sql), params) for sql, params in writes]
    *before_last, (last_sql, last_params) = writes
    ctes += [(f"write_{number}", write) for number, write in enumerate(before_last)]
    params: list[Any] = []
    parts = []
    for name, (sql, cte_params) in ctes:
        parts.append(f"{name} AS ({sql})")
        params += cte_params
    return ("WITH " + ", ".join(parts) + " " if parts else "") + last_sql, [*params, *last_params]


def run_one_statement(statement: tuple[str, Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Run ``one_statement``'s statement; the rows its last write returns."""
    sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description is not None else []


def write_in_one_statement(
    writes: Sequence[tuple[str, Sequence[Any]]], *, only_if: tuple[str, Sequence[Any]] | None = None
) -> list[tuple[Any, ...]]:
    """Run several writes as ONE statement (``one_statement``, ``only_if`` included) and return
    the rows the last one returns."""
    return run_one_statement(one_statement(writes, only_if=only_if))


@functools.lru_cache(maxsize=64)
def _only_where_holds(sql: str) -> str:
    """One row's ``INSERT … VALUES (…) [ON CONFLICT …] [RETURNING …]`` as ``INSERT … SELECT …
    FROM condition WHERE holds …``: PostgreSQL types the selected values by the insert's columns
    as it types a ``VALUES`` row's, so the row written is the same. (The ``WHERE`` also keeps an
    ``ON CONFLICT`` after it from being read as a join's ``ON``.) The inserts' SQL is kept once
    per process (``insert_sql``), and so is this."""
    values = _VALUES.search(sql)
    assert values is not None, "an INSERT of VALUES"
    head, start = values.start(), values.end() - 1  # start: the row's opening parenthesis
    depth, end = 0, start
    for end in range(start, len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[end], 0)
        if depth == 0:
            break
    rest = sql[end + 1 :]
    assert depth == 0 and not rest.lstrip().startswith(","), "one row's VALUES"
    # Only the compiled insert's own SQL is moved about: its values stay parameters.
    return f"{sql[:head]} SELECT {sql[start + 1 : end]} FROM condition WHERE holds{rest}"  # noqa: S608


_VALUES = re.compile(r"\sVALUES\s*\(")
