"""What scheduling/next_free.py remembers for each supervisor, kept in the cache and forgotten
whenever their times change (docs/availability-and-booking.md, "The soonest free slot").

The supervision page (scheduling/services/soonest.py) remembers a supervisor it finds nothing
kept for, from what the slot picker read for them anyway (no query is added). Every change that could free a time earlier
than the remembered ones calls ``forget_next_free`` inside its transaction: a change to the
supervisor's availability (it locks their settings row first, scheduling/services/availability.py),
a booking made, moved or cancelled (scheduling/services/bookings.py), and their busy times
read from a calendar (busy_calendar.py, calendar_sync.py). A change that only takes times away
needs nothing: what is remembered is then still a bound from below, and the engine checks the
answer. The entry also expires after ``REMEMBERED_FOR``, so a change made another way (the
admin) is seen within that time.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from scheduling.next_free import KnownNextFree

# A bound stays true while nothing changes, but grows blunter as minimum notice moves on; and
# an edit outside the services is seen after this at the latest.
REMEMBERED_FOR = 3600


def _key(supervisor_id: int) -> str:
    return f"next-free:v1:{supervisor_id}"


def forget_next_free(supervisor_id: int) -> None:
    """After commit (so a page reading meanwhile cannot remember the old times again), drop
    what is remembered for this supervisor."""
    transaction.on_commit(lambda: cache.delete(_key(supervisor_id)))


def kept(supervisor_ids: list[int]) -> dict[int, KnownNextFree]:
    """What is remembered for these supervisors, in one round trip to the cache."""
    found = cache.get_many([_key(supervisor_id) for supervisor_id in supervisor_ids])
    return {
        supervisor_id: found[_key(supervisor_id)] for supervisor_id in supervisor_ids if _key(supervisor_id) in found
    }


def keep(remembered: list[KnownNextFree]) -> None:
    if remembered:
        cache.set_many({_key(entry.supervisor_id): entry for entry in remembered}, timeout=REMEMBERED_FOR)
