"""The INSERT Django would run for new rows, as SQL to place inside a larger statement.

PostgreSQL runs several writes as one statement when each is a data-modifying common table
expression (``WITH a AS (INSERT …) INSERT …``): one round trip instead of one per table, for
use cases that hold locks while they write (docs/performance.md). Building each INSERT with
Django's own compiler keeps the columns, defaults, ``auto_now`` values and type adaptation
exactly those of ``save()`` and ``bulk_create()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import AutoField, Model
from django.db.models.sql import InsertQuery


def writes_in_one_statement() -> bool:
    """Whether the database takes data-modifying CTEs (PostgreSQL; SQLite does not)."""
    return connection.vendor == "postgresql"


def insert_sql(objs: Sequence[Model], *, returning_pk: bool = False) -> tuple[str, list[Any]]:
    """One INSERT for ``objs`` (new rows of one model, keys left to the database), optionally
    with ``RETURNING`` the new key (one row only, as ``save()`` does)."""
    model = type(objs[0])
    assert not returning_pk or len(objs) == 1, "RETURNING for one row only"
    fields = [
        field for field in model._meta.concrete_fields if not field.generated and not isinstance(field, AutoField)
    ]
    query = InsertQuery(model)
    query.insert_values(fields, list(objs))
    compiler = query.get_compiler(connection=connection)
    if returning_pk:
        compiler.returning_fields = [model._meta.pk]
    [(sql, params)] = compiler.as_sql()
    return sql, list(params)


def mark_saved(obj: Model, pk: int) -> None:
    """What ``save()`` leaves on an instance it inserted: its key and its saved state."""
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias
