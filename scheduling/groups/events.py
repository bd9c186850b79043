"""What a reflective group's sessions tell the outside world (reflect/events.py;
docs/webhooks.md).

No payload here names a person, for either audience: a person's place in a group is seen by
them and the facilitator, not by their lead nor the commissioner (docs/architecture.md, "Rules
that must hold"). A payload gives the session (ids and times), the organisation a place is
for, and no count of people (a count shown to a commissioner would need disclosure control).
"""

from __future__ import annotations

import datetime
from typing import Any

from reflect.events import Audience, EventKind, emit, iso, organisation_ref
from scheduling.models import GroupSession, Place, WaitlistEntry


def session_ref(session: GroupSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "group_id": session.group_id,
        "status": session.status,
        "starts_at": iso(session.starts_at),
        "ends_at": iso(session.ends_at),
    }


def emit_place_event(kind: EventKind, session: GroupSession, place: Place, now: datetime.datetime) -> None:
    """A place taken or given back, inside the change's transaction."""

    def payload(_audience: Audience) -> dict[str, Any]:
        return {
            "session": session_ref(session),
            "pool_id": session.group.pool_id,
            "organisation": organisation_ref(place.organisation_id, place.organisation.name),
        }

    emit(kind, pool_id=session.group.pool_id, organisation_id=place.organisation_id, payload_for_role=payload, now=now)


def emit_offer_event(session: GroupSession, entry: WaitlistEntry, now: datetime.datetime) -> None:
    """A place offered to someone waiting, held until ``offered_until``."""

    def payload(_audience: Audience) -> dict[str, Any]:
        return {
            "session": session_ref(session),
            "pool_id": session.group.pool_id,
            "organisation": organisation_ref(entry.organisation_id, entry.organisation.name),
            "offered_until": iso(entry.offered_until),
        }

    emit(
        EventKind.WAITLIST_OFFERED,
        pool_id=session.group.pool_id,
        organisation_id=entry.organisation_id,
        payload_for_role=payload,
        now=now,
    )


def emit_session_cancelled(session: GroupSession, now: datetime.datetime) -> None:
    """The session as a whole: the pool's commissioners hear of it (the organisations' leads
    hear of each of their places given back)."""
    emit(
        EventKind.SESSION_CANCELLED,
        pool_id=session.group.pool_id,
        organisation_id=None,
        payload_for_role=lambda _audience: {"session": session_ref(session), "pool_id": session.group.pool_id},
        now=now,
    )
