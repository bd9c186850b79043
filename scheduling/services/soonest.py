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
from scheduling.services.bookings import engine_input_of, offer_times
from supervision.models import SupervisionAgreement, SupervisorProfile


@dataclass(frozen=True)
class SoonestTime:
    agreement: SupervisionAgreement
    slot: slots.Slot


def soonest_bookable_time(
    user: User, agreements: Sequence[SupervisionAgreement], *, now: datetime.datetime | None = None
) -> SoonestTime | None:
    """The earliest time ``user`` could book for themselves under any of these agreements (ties
    go to the agreement listed first), or None when none has a time. The agreements come with
    their supervisors (``select_related("supervisor")``)."""
    now = now or timezone.now()
    remembered = _remembered([agreement.supervisor for agreement in agreements], now)

    def first_time(agreement: SupervisionAgreement) -> slots.Slot | None:
        return next(iter(offer_times(agreement, [user], now=now).offered), None)

    found = soonest_first_slot(
        ((remembered[agreement.supervisor_id], order, agreement) for order, agreement in enumerate(agreements)),
        now=now,
        first_slot=first_time,
    )
    return None if found is None else SoonestTime(*found)


def _remembered(supervisors: list[SupervisorProfile], now: datetime.datetime) -> dict[int, KnownNextFree]:
    """What is remembered of each supervisor, remembering afresh (one engine run, and saving
    it) those the cache has not kept."""
    by_id = {supervisor.pk: supervisor for supervisor in supervisors}
    found = next_free_memory.kept(list(by_id))
    fresh = [
        remember_next_free(supervisor_id, engine_input_of(supervisor, now), now=now)
        for supervisor_id, supervisor in by_id.items()
        if supervisor_id not in found
    ]
    next_free_memory.keep(fresh)
    return found | {entry.supervisor_id: entry for entry in fresh}
