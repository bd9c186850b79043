"""Row counts of every table the project owns, in one query: a refused form or request must
leave them as they were (no partial write)."""

from __future__ import annotations

from django.apps import apps
from django.db import connection

APPS = {"reflect", "supervision", "scheduling", "account", "mfa"}


def row_counts() -> dict[str, int]:
    tables = sorted({model._meta.db_table for model in apps.get_models() if model._meta.app_label in APPS})
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables))  # noqa: S608 table names are the models' own
        return dict(zip(tables, cursor.fetchone(), strict=True))
