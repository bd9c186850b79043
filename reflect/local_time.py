"""The clock Reflect's people live by: Europe/London, unless a supervisor or group keeps
another (a zone name travels with them). Writing times in words is reflect.wording's job."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, available_timezones

UK_ZONE = "Europe/London"
LONDON = ZoneInfo(UK_ZONE)


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    """Whether ``name`` is a zone of the zone database. ``ZoneInfo(name)`` alone is no check: it
    raises IsADirectoryError for a directory such as "Europe" (docs/security.md, "Hostile input")."""
    return name in _time_zones()
