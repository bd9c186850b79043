"""The soonest time a member of staff can book supervision, across every agreement of their
organisations, on their supervision page (docs/availability-and-booking.md, "The soonest free
slot").

Each agreement's first time is the slot picker's first (``offer_times``): the supervisor's
availability and bookings, the person's "no sessions before", the agreement's dates and the
hours left. Those rules only take slots away from the supervisor's own, so what
scheduling/next_free.py remembers of the supervisor (kept by next_free_memory.py) bounds each
agreement's first time from below: agreements are tried soonest bound first, and the search
stops when the next bound cannot beat the time found. With one agreement or several, the
picker's work is usually done once.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.utils import timezone

from reflect.models import User
from scheduling import slots
from scheduling.next_free import Bound, KnownNextFree, adds_after, remember_next_free, soonest_first_slot
from scheduling.services import next_free_memory
from scheduling.services.bookings import offer_times
from supervision.models import SupervisionAgreement

# Each agreement's picker costs about five queries. What each one tried learns is remembered
# (the supervisor's starts, and what the agreement offered this person), so a page that stops
# here goes further on the next view; until then it names no time rather than one that may not
# be the soonest. Three covers the usual page (one or two agreements, or the soonest two of
# many once remembered) and bounds the first view of a page with many agreements.
PICKERS_A_VIEW = 3


@dataclass(frozen=True)
class SoonestTime:
    agreement: SupervisionAgreement
    slot: slots.Slot


@dataclass(frozen=True)
class _NothingBefore:
    """The supervisor's bound, raised to the first time this agreement's picker offered."""

    known: KnownNextFree
    nothing_before: datetime.datetime

    def earliest_start(self, now: datetime.datetime) -> datetime.datetime:
        return max(self.known.earliest_start(now), self.nothing_before)


def soonest_bookable_time(
    user: User, agreements: Sequence[SupervisionAgreement], *, now: datetime.datetime | None = None
) -> SoonestTime | None:
    """The earliest time ``user`` could book for themselves under any of these agreements (ties
    go to the agreement listed first), or None when none has a time. The agreements come with
    their supervisors (``select_related("supervisor")``).

    A supervisor nothing is remembered of is bounded by now (so tried early), and remembered
    from what the picker read for them: no query is added for remembering, and one agreement
    costs the same queries whatever the cache holds. What each agreement's picker offered this
    person is remembered too: an agreement that offered nothing (its hours used up, say) is not
    asked again while that holds, and one that offered a time offers nothing earlier. At most
    ``PICKERS_A_VIEW`` pickers run for one view."""
    now = now or timezone.now()
    supervisor_ids = sorted({agreement.supervisor_id for agreement in agreements})
    # Read before the database: what is kept afterwards is tagged with these versions.
    memory = next_free_memory.remembered(
        supervisor_ids,
        [(agreement.pk, agreement.supervisor_id, agreement.organisation_id) for agreement in agreements],
        user_id=user.pk,
    )
    fresh: dict[int, KnownNextFree] = {}
    offered: dict[tuple[int, int, int], datetime.datetime | None] = {}

    def first_time(agreement: SupervisionAgreement) -> slots.Slot | None:
        offering = offer_times(agreement, [user], now=now)
        if agreement.supervisor_id not in memory.known:
            fresh[agreement.supervisor_id] = remember_next_free(agreement.supervisor_id, offering.engine_input, now=now)
        first = next(iter(offering.offered), None)
        # Nothing earlier is offered later while nothing changes, but for what the moving
        # horizon brings in (a longer session can start before a short one offered last).
        start = None if first is None else min(first.start, adds_after(offering.availability, now))
        was = memory.offered.get(agreement.pk)
        if was is None or was.nothing_before != start:
            offered[(agreement.pk, agreement.supervisor_id, agreement.organisation_id)] = start
        return first

    def candidates() -> Iterator[tuple[Bound, int, SupervisionAgreement]]:
        for order, agreement in enumerate(agreements):
            known = memory.known.get(agreement.supervisor_id) or KnownNextFree.nothing_known(
                agreement.supervisor_id, now
            )
            was = memory.offered.get(agreement.pk)
            if was is None:
                yield known, order, agreement
            elif was.nothing_before is not None:
                yield _NothingBefore(known, was.nothing_before), order, agreement
            # else: it offered this person nothing, and nothing has changed since that would

    found = soonest_first_slot(candidates(), now=now, first_slot=first_time, at_most=PICKERS_A_VIEW)
    next_free_memory.keep(list(fresh.values()), memory.versions, offered=offered, user_id=user.pk)
    return None if found is None else SoonestTime(*found)
