"""What scheduling/next_free.py remembers for each supervisor, and what the slot picker last
offered under each agreement, kept in the cache and forgotten whenever their times or hours
change (docs/availability-and-booking.md, "The soonest free slot").

The supervision page (scheduling/services/soonest.py) remembers a supervisor it finds nothing
kept for, from what the slot picker read for them anyway (no query is added). Every change that
could free a time earlier than the remembered ones calls ``forget_next_free`` inside its
transaction: a change to the supervisor's availability (it locks their settings row first,
scheduling/services/availability.py), a booking made, moved or cancelled (scheduling/services/bookings.py;
a move or a cancellation also gives hours back to the organisation), and their busy times read
from a calendar (busy_calendar.py, calendar_sync.py). A change that only takes times away needs
nothing: what is remembered is then still a bound from below, and the engine checks the answer.
The entry also expires after ``REMEMBERED_FOR``, so a change made another way (the admin) is
seen within that time.

Forgetting bumps a version counter of the supervisor (and of the organisation whose hours came
back) after commit, besides deleting the entry. A page reads the versions before it reads the
database and tags what it keeps with them; an entry whose versions have moved on since is never
used. Without that, a page that read the database before a cancellation committed could keep
the old, later times just after the delete, and they would be believed for up to an hour.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.cache import cache, caches
from django.db import transaction

from reflect.cache import ResilientRedisCache
from scheduling.next_free import KnownNextFree

# A bound stays true while nothing changes, but grows blunter as minimum notice moves on; and
# an edit outside the services is seen after this at the latest.
REMEMBERED_FOR = 3600
# What the picker offered under an agreement also depends on things no version follows: hours
# a commissioner adds to the organisation's allocation (written by reflect's ledger, which must
# not know of scheduling), an edit of the agreement, the person's "no sessions before", and the
# times the moving horizon brings in at its far end. So it is believed for minutes, not an hour:
# long enough that the page stops running every agreement's picker on every view when the
# hours are used up, short enough that such a change shows on the page soon after.
OFFERED_REMEMBERED_FOR = 300


def _key(supervisor_id: int) -> str:
    return f"next-free:v2:{supervisor_id}"


def _supervisor_version_key(supervisor_id: int) -> str:
    return f"next-free:version:supervisor:{supervisor_id}"


def _organisation_version_key(organisation_id: int) -> str:
    return f"next-free:version:organisation:{organisation_id}"


def _offered_key(agreement_id: int, user_id: int) -> str:
    return f"next-free:offered:v1:{agreement_id}:{user_id}"


def _bump(key: str) -> None:
    # The counter never expires (a counter that came back at 0 could match an old entry's tag);
    # add then incr, both atomic in Redis, so two forgets at once both count.
    cache.add(key, 0, timeout=None)
    cache.incr(key)


def forget_next_free(supervisor_id: int, *, organisation_id: int | None = None) -> None:
    """After commit (so a page reading meanwhile cannot remember the old times again), drop
    what is remembered for this supervisor, and move their version on. ``organisation_id``:
    the change gave hours back to that organisation, so what its agreements' pickers offered
    (with any supervisor) is forgotten too."""

    counters = [_supervisor_version_key(supervisor_id)]
    if organisation_id is not None:
        counters.append(_organisation_version_key(organisation_id))

    def forget() -> None:
        backend = caches["default"]
        if isinstance(backend, ResilientRedisCache):  # as deployed: one round trip
            backend.bump_and_delete(counters, [_key(supervisor_id)])
            return
        for counter in counters:
            _bump(counter)
        cache.delete(_key(supervisor_id))

    transaction.on_commit(forget)


@dataclass(frozen=True)
class Versions:
    """The version counters read before the database was, to tag what is kept with them."""

    supervisors: dict[int, int]
    organisations: dict[int, int]


@dataclass(frozen=True)
class OfferedBefore:
    """What the slot picker offered one person under one agreement: nothing before
    ``nothing_before`` (its first time then), or nothing at all when that is None."""

    nothing_before: datetime.datetime | None
    supervisor_version: int
    organisation_version: int


@dataclass(frozen=True)
class Remembered:
    known: dict[int, KnownNextFree]  # by supervisor
    offered: dict[int, OfferedBefore]  # by agreement, for this person
    versions: Versions


def kept(supervisor_ids: list[int]) -> dict[int, KnownNextFree]:
    """What is remembered for these supervisors (at their current versions)."""
    return remembered(supervisor_ids, [], user_id=0).known


def remembered(supervisor_ids: list[int], agreements: list[tuple[int, int, int]], *, user_id: int) -> Remembered:
    """What is remembered for these supervisors, and for these agreements (each ``(agreement,
    its supervisor, its organisation)``) as this person's picker offered them, with the current
    versions: one round trip to the cache. Read it before the database."""
    supervisor_ids = sorted({*supervisor_ids, *(supervisor_id for _, supervisor_id, _ in agreements)})
    organisation_ids = sorted({organisation_id for _, _, organisation_id in agreements})
    keys = [_key(s) for s in supervisor_ids] + [_supervisor_version_key(s) for s in supervisor_ids]
    keys += [_organisation_version_key(o) for o in organisation_ids]
    keys += [_offered_key(agreement_id, user_id) for agreement_id, _, _ in agreements]
    found = cache.get_many(keys)
    versions = Versions(
        {s: found.get(_supervisor_version_key(s), 0) for s in supervisor_ids},
        {o: found.get(_organisation_version_key(o), 0) for o in organisation_ids},
    )
    known: dict[int, KnownNextFree] = {}
    for supervisor_id in supervisor_ids:
        entry = found.get(_key(supervisor_id))
        if entry is not None and entry[0] == versions.supervisors[supervisor_id]:
            known[supervisor_id] = entry[1]
    offered: dict[int, OfferedBefore] = {}
    for agreement_id, supervisor_id, organisation_id in agreements:
        was = found.get(_offered_key(agreement_id, user_id))
        if (
            was is not None
            and was.supervisor_version == versions.supervisors[supervisor_id]
            and was.organisation_version == versions.organisations[organisation_id]
        ):
            offered[agreement_id] = was
    return Remembered(known, offered, versions)


def _unchanged(versions: Versions) -> Versions:
    """The versions that have not moved on since ``versions`` were read (one round trip)."""
    keys = {_supervisor_version_key(s): s for s in versions.supervisors}
    organisation_keys = {_organisation_version_key(o): o for o in versions.organisations}
    now = cache.get_many([*keys, *organisation_keys])
    return Versions(
        {s: v for key, s in keys.items() if (v := versions.supervisors[s]) == now.get(key, 0)},
        {o: v for key, o in organisation_keys.items() if (v := versions.organisations[o]) == now.get(key, 0)},
    )


def keep(
    remembered_now: list[KnownNextFree],
    versions: Versions,
    *,
    offered: dict[tuple[int, int, int], datetime.datetime | None] | None = None,
    user_id: int = 0,
) -> None:
    """Keep what was read at ``versions``: the supervisors' starts, and (``offered``) each
    agreement's first offered time to this person, by ``(agreement, its supervisor, its
    organisation)``. What a change has moved on from since is not kept; and were a change to
    come between this check and the write, the tag would give it away on reading."""
    offered = offered or {}
    if not remembered_now and not offered:
        return
    still = _unchanged(versions)
    entries: dict[str, object] = {
        _key(entry.supervisor_id): (still.supervisors[entry.supervisor_id], entry)
        for entry in remembered_now
        if entry.supervisor_id in still.supervisors
    }
    if entries:
        cache.set_many(entries, timeout=REMEMBERED_FOR)
    offered_entries = {
        _offered_key(agreement_id, user_id): OfferedBefore(
            first, still.supervisors[supervisor_id], still.organisations[organisation_id]
        )
        for (agreement_id, supervisor_id, organisation_id), first in offered.items()
        if supervisor_id in still.supervisors and organisation_id in still.organisations
    }
    if offered_entries:
        cache.set_many(offered_entries, timeout=OFFERED_REMEMBERED_FOR)
