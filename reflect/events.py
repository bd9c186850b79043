"""Domain events for the outside world (issue 22): what happened in a pool, told after commit.

A use case calls :func:`emit` inside its transaction when something a pool's systems may want to
hear about happens (a booking made, a place freed …). Nothing is written or sent there: the
event waits for the commit (``transaction.on_commit``), so a change that rolls back tells
nobody, and the use case's own statements are unchanged (their counts are pinned by tests).
After commit, each registered sink receives the event; the webhooks app registers one in its
``AppConfig.ready`` (the core never imports the apps built on it; docs/architecture.md).

Who may hear of each kind is decided here, once (``AUDIENCES``; docs/webhooks.md, "Who hears
what"): a lead learns only what the lead's own pages show, a commissioner never a person. So no
reflective-group event goes to a lead: which of their staff took a group place is seen by that
person and the facilitator, never by their lead.

An event carries a function giving its payload for an audience, which holds no more personal
data than that audience's pages show (docs/webhooks.md, "What a payload holds"): the
commissioner's names nobody; the lead's is about their own organisation only. It is called after
commit, and only for an audience that may hear of it and has somewhere to send it, so emitting
costs no query.
"""

from __future__ import annotations

import datetime
import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


class EventKind(enum.StrEnum):
    BOOKING_CREATED = "booking.created"
    BOOKING_CHANGED = "booking.changed"
    BOOKING_CANCELLED = "booking.cancelled"
    PLACE_TAKEN = "place.taken"
    PLACE_FREED = "place.freed"
    WAITLIST_OFFERED = "waitlist.offered"
    ALLOCATION_CHANGED = "allocation.changed"
    SESSION_CANCELLED = "session.cancelled"


EVENT_LABELS: dict[EventKind, str] = {
    EventKind.BOOKING_CREATED: "A supervision session is booked",
    EventKind.BOOKING_CHANGED: "A supervision session is moved",
    EventKind.BOOKING_CANCELLED: "A supervision session is cancelled",
    EventKind.PLACE_TAKEN: "A place in a reflective group is taken",
    EventKind.PLACE_FREED: "A place in a reflective group is given back",
    EventKind.WAITLIST_OFFERED: "A place is offered to someone on a waitlist",
    EventKind.ALLOCATION_CHANGED: "An organisation's allocation of hours changes",
    EventKind.SESSION_CANCELLED: "A reflective group session is cancelled",
}


class Audience(enum.StrEnum):
    """Who receives an event, and so how much its payload may say."""

    COMMISSIONER = "commissioner"  # the pool's: ids, the organisation, hours and times only
    LEAD = "lead"  # the organisation's: may name its own staff where the lead's pages do


# Who may hear of each kind. A lead: supervision sessions (their pages list, move and cancel
# their organisation's) and their allocation; never a reflective group, where a place is one of
# their staff. A commissioner: everything in their pool, told without naming a person.
AUDIENCES: dict[EventKind, frozenset[Audience]] = {
    EventKind.BOOKING_CREATED: frozenset({Audience.COMMISSIONER, Audience.LEAD}),
    EventKind.BOOKING_CHANGED: frozenset({Audience.COMMISSIONER, Audience.LEAD}),
    EventKind.BOOKING_CANCELLED: frozenset({Audience.COMMISSIONER, Audience.LEAD}),
    EventKind.PLACE_TAKEN: frozenset({Audience.COMMISSIONER}),
    EventKind.PLACE_FREED: frozenset({Audience.COMMISSIONER}),
    EventKind.WAITLIST_OFFERED: frozenset({Audience.COMMISSIONER}),
    EventKind.ALLOCATION_CHANGED: frozenset({Audience.COMMISSIONER, Audience.LEAD}),
    EventKind.SESSION_CANCELLED: frozenset({Audience.COMMISSIONER}),
}


def kinds_for(audience: Audience) -> list[EventKind]:
    """The kinds of event this audience may hear of, in the registry's order."""
    return [kind for kind in EventKind if audience in AUDIENCES[kind]]


PayloadForRole = Callable[[Audience], dict[str, Any]]


@dataclass(frozen=True)
class Event:
    kind: EventKind
    pool_id: int
    # The organisation whose lead may hear of it (AUDIENCES permitting); None for an event
    # only the pool's commissioners hear of.
    organisation_id: int | None
    occurred_at: datetime.datetime
    payload_for_role: PayloadForRole

    def payload(self, audience: Audience) -> dict[str, Any]:
        if audience not in AUDIENCES[self.kind]:
            raise ValueError(f"{self.kind} is not told to a {audience}.")
        return self.payload_for_role(audience)


EventSink = Callable[[Event], None]
# A sink's answer to "could anyone hear of this kind of event in this pool (or organisation)?",
# as SQL for a boolean and its parameters, so that a use case can ask it inside a statement it
# runs anyway (``listeners_question``) instead of the sink asking after the commit.
ListenersQuestion = Callable[[EventKind, int, int | None], tuple[str, list[Any]]]
_sinks: list[EventSink] = []
_questions: dict[EventSink, ListenersQuestion] = {}

# The listeners' lock (reflect/locks.py, LISTENERS_LOCK) makes an answer asked inside a use case's
# transaction exact: the use case holds it shared from an earlier statement; registering a
# listener takes it exclusive.


def register_event_sink(sink: EventSink, *, question: ListenersQuestion | None = None) -> EventSink:
    """Register ``sink``; ``question``, if the sink can say as SQL whether anyone could hear of
    an event (and makes every change that could turn the answer to yes take ``LISTENERS_LOCK``)."""
    if sink not in _sinks:
        _sinks.append(sink)
    if question is not None:
        _questions[sink] = question
    return sink


def listeners_question(kind: EventKind, *, pool_id: int, organisation_id: int | None) -> tuple[str, list[Any]] | None:
    """SQL for "could any sink hear of this event?" and its parameters, for a use case that
    holds ``LISTENERS_LOCK`` shared from an earlier statement of its transaction and passes the
    answer to ``emit(heard=...)``; None when a sink cannot say (then emit, as ever)."""
    if not _sinks or any(sink not in _questions for sink in _sinks):
        return None
    parts = [_questions[sink](kind, pool_id, organisation_id) for sink in _sinks]
    return "(" + " OR ".join(sql for sql, _ in parts) + ")", [param for _, params in parts for param in params]


def emit(
    kind: EventKind,
    *,
    pool_id: int,
    organisation_id: int | None,
    payload_for_role: PayloadForRole,
    now: datetime.datetime | None = None,
    heard: bool = True,
) -> None:
    """Tell the sinks about ``kind`` once the caller's transaction commits (never if it rolls
    back). Call it inside the use case's ``transaction.atomic()``. ``heard``: False when the
    caller asked ``listeners_question`` under ``LISTENERS_LOCK`` and nobody could hear of it,
    so there is nothing to tell (and no sink asks again after the commit)."""
    if not _sinks or not heard:
        return
    event = Event(kind, pool_id, organisation_id, now or timezone.now(), payload_for_role)
    # robust: a sink that fails (the database briefly gone) must not turn a booking that has
    # committed into an error page; it is logged.
    transaction.on_commit(lambda: _tell_sinks(event), robust=True)


def _tell_sinks(event: Event) -> None:
    for sink in list(_sinks):
        sink(event)


def organisation_ref(organisation_id: int, name: str) -> dict[str, Any]:
    return {"id": organisation_id, "name": name}


def iso(moment: datetime.datetime | None) -> str | None:
    """A moment as a machine reads it in a payload: ISO 8601 in UTC."""
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z") if moment else None
