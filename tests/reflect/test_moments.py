"""Moments read by psycopg's compiled loader (reflect/moments.py): the same values, with the same
time zone object, as Django's own loader gives, on every connection the site opens."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from tests.conftest import requires_postgresql

pytestmark = [pytest.mark.django_db, requires_postgresql]

# Microseconds, the clock changes in London both ways, the epoch, the far past and future,
# whole hours and a leap day: what a text parser could get wrong.
MOMENTS = [
    "2026-03-29 00:59:59.999999+00",
    "2026-03-29 01:00:00+00",
    "2026-10-25 00:30:00.5+00",
    "2026-10-25 01:30:00+01",
    "1970-01-01 00:00:00+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
    "2024-02-29 12:00:00-08:00",
    "2025-06-01 23:00:00+05:30",
]


def _read(*, djangos_loader: bool) -> list[datetime.datetime]:
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    with connection.cursor() as cursor:
        if djangos_loader:
            # Django's own, as it registers it for a cursor whose zone differs from the loader's.
            register_tzloader(datetime.UTC, cursor.cursor)
        values = ", ".join(["%s::timestamptz"] * len(MOMENTS))
        cursor.execute(f"SELECT {values}", MOMENTS)
        return list(cursor.fetchone())


def test_every_connection_reads_moments_with_the_compiled_loader() -> None:
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, 0)  # timestamptz, text
    assert loader.__name__ == "UtcMomentLoader"
    assert loader.timezone is datetime.UTC  # so Django's cursor keeps it


def test_the_compiled_loader_reads_what_djangos_own_reads() -> None:
    ours, djangos = _read(djangos_loader=False), _read(djangos_loader=True)
    assert ours == djangos
    assert [value.tzinfo for value in ours] == [datetime.UTC] * len(MOMENTS)
    assert [value.tzinfo for value in djangos] == [datetime.UTC] * len(MOMENTS)
    assert ours[0] == datetime.datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=datetime.UTC)
    assert ours[7] == datetime.datetime(2024, 2, 29, 20, 0, tzinfo=datetime.UTC)


def test_the_orm_reads_moments_it_wrote(world) -> None:
    from reflect.models import User

    moment = datetime.datetime(2026, 10, 25, 1, 30, 0, 123456, tzinfo=datetime.UTC)
    User.objects.filter(pk=world.member.pk).update(last_login=moment)
    read = User.objects.values_list("last_login", flat=True).get(pk=world.member.pk)
    assert read == moment and read.tzinfo is datetime.UTC
