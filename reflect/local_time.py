"""Times in people's words, on a wall clock: one way of writing them everywhere.

Reflect's people are in the UK; a supervisor or group may keep another clock, which is why
every helper takes the zone.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

UK_ZONE = "Europe/London"
LONDON = ZoneInfo(UK_ZONE)


def day_in_words(moment: datetime.datetime, zone: str = UK_ZONE) -> str:
    """'Wednesday 9 December 2026' on the given clock."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%A} {local.day} {local:%B %Y}"


def moment_in_words(moment: datetime.datetime, zone: str = UK_ZONE) -> str:
    """'Wednesday 9 December 2026, 14:00' on the given clock."""
    return f"{day_in_words(moment, zone)}, {moment.astimezone(ZoneInfo(zone)):%H:%M}"


def span_in_words(start: datetime.datetime, end: datetime.datetime, zone: str = UK_ZONE) -> str:
    """'Wednesday 9 December 2026, 14:00–16:00' on the given clock."""
    tz = ZoneInfo(zone)
    return f"{day_in_words(start, zone)}, {start.astimezone(tz):%H:%M}–{end.astimezone(tz):%H:%M}"
