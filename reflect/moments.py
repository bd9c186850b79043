"""Moments read from PostgreSQL at the driver's own speed.

Django (5.2, with psycopg 3) reads every ``timestamptz`` through a loader of its own,
derived from psycopg's pure-Python one, so that each moment comes back with Django's time
zone. psycopg's compiled loader cannot be derived from, so every moment any page reads is
parsed in Python: about ten microseconds each, which at national scale was a sixth of the
dashboard's own CPU (about 17,000 moments a look; docs/performance.md). The upstream ticket is
Django's #36960.

Our connections are set to UTC (``USE_TZ``, no per-database ``TIME_ZONE``), and there psycopg's
compiled loader gives exactly what Django's does: the same instant, with ``timezone.utc``. So
each new connection gets :class:`UtcMomentLoader`: it answers Django's check of the loader's
``timezone`` (made on every cursor) with UTC and hands each value to the compiled loader. A
connection in any other zone keeps Django's own loader.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

UTC_ZONE = "UTC"


def fast_moments(*, connection: BaseDatabaseWrapper, **_: Any) -> None:
    """``connection_created``'s receiver: the compiled loader for a UTC PostgreSQL connection."""
    if connection.vendor != "postgresql" or not settings.USE_TZ or connection.timezone_name != UTC_ZONE:
        return
    raw = connection.connection
    if raw.info.parameter_status("TimeZone") != UTC_ZONE:
        return
    raw.adapters.register_loader("timestamptz", _utc_moment_loader())


@functools.cache  # built once per process, on its first connection
def _utc_moment_loader() -> type:
    import psycopg
    from psycopg import pq
    from psycopg.abc import Loader
    from psycopg.types.datetime import TimestamptzLoader

    # psycopg's global map holds its compiled loader wherever the Python one was registered
    # (with psycopg-binary installed): asked for by public calls only. Without the compiled
    # build this is the Python loader, and the values are still the same.
    found = psycopg.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, pq.Format.TEXT)
    assert found is not None
    compiled: type[Loader] = found

    class UtcMomentLoader(TimestamptzLoader):
        # What Django's cursor compares with its own zone before it would register its loader.
        timezone = datetime.UTC

        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self.load = compiled(oid, context).load  # type: ignore[method-assign]  # the compiled one

    return UtcMomentLoader
