"""The clock Reflect's people live by: Europe/London, unless a supervisor or group keeps
another (a zone name travels with them). Writing times in words is reflect.wording's job."""

from __future__ import annotations

from zoneinfo import ZoneInfo

UK_ZONE = "Europe/London"
LONDON = ZoneInfo(UK_ZONE)
