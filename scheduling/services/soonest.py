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
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from reflect.models import User
from scheduling import slots
from scheduling.next_free import KnownNextFree, remember_next_free, soonest_first_slot
from scheduling.services import next_free_memory
from scheduling.services.bookings import offer_times
from supervision.models import SupervisionAgreement


@dataclass(frozen=True)
class SoonestTime:
    agreement: SupervisionAgreement
    slot: slots.Slot


def soonest_bookable_time(
    user: User, agreements: Sequence[SupervisionAgreement], *, now: datetime.datetime | None = None
) -> SoonestTime | None:
    """The earliest time ``user`` could book for themselves under any of these agreements (ties
    go to the agreement listed first), or None when none has a time. The agreements come with
    their supervisors (``select_related("supervisor")``).

    A supervisor nothing is remembered of is bounded by now (so tried early), and remembered
    from what the picker read for them: no query is added for remembering, and one agreement
    costs the same queries whatever the cache holds."""
    now = now or timezone.now()
    supervisor_ids = sorted({agreement.supervisor_id for agreement in agreements})
    kept = next_free_memory.kept(supervisor_ids)
    fresh: dict[int, KnownNextFree] = {}

    def first_time(agreement: SupervisionAgreement) -> slots.Slot | None:
        offering = offer_times(agreement, [user], now=now)
        if agreement.supervisor_id not in kept:
            fresh[agreement.supervisor_id] = remember_next_free(agreement.supervisor_id, offering.engine_input, now=now)
        return next(iter(offering.offered), None)

    found = soonest_first_slot(
        (
            (
                kept.get(agreement.supervisor_id) or KnownNextFree.nothing_known(agreement.supervisor_id, now),
                order,
                agreement,
            )
            for order, agreement in enumerate(agreements)
        ),
        now=now,
        first_slot=first_time,
    )
    next_free_memory.keep(list(fresh.values()))
    return None if found is None else SoonestTime(*found)
