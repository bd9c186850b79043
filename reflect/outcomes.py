"""Writing a batch's results in few statements: one UPDATE for all the rows whose results change
the same fields, whatever the batch's size (the notification outbox, webhook deliveries).

Pure: no Django. The caller says how to write a field whose value differs from row to row (a
``CASE`` on the id) and runs each UPDATE itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

PerRow = Callable[[str, list[int], list[Any]], Any]


def updates_by_changed_fields(
    changes: dict[int, dict[str, Any]], each_row_its_own: PerRow
) -> Iterator[tuple[list[int], dict[str, Any]]]:
    """(row ids, values for their UPDATE) for each set of fields that rows change together. A
    field with one value for every such row is that value; otherwise ``each_row_its_own(field,
    ids, values)``, the expression giving each row its own."""
    groups: dict[frozenset[str], list[int]] = {}
    for pk, fields in changes.items():
        groups.setdefault(frozenset(fields), []).append(pk)
    for names, pks in groups.items():
        values: dict[str, Any] = {}
        for name in sorted(names):
            column = [changes[pk][name] for pk in pks]
            same = all(value == column[0] for value in column)
            values[name] = column[0] if same else each_row_its_own(name, pks, column)
        yield pks, values
