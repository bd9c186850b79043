"""What a reflective group's sessions tell the outside world (reflect/events.py;
docs/webhooks.md).

Only the pool's commissioners hear of them (reflect.events.AUDIENCES): a person's place in a
group is seen by them and the facilitator, not by their lead (docs/architecture.md, "Rules that
must hold"), and an organisation's lead told "a place was taken for your organisation" would
learn that one of their staff goes. For the same reason no payload names the organisation or a
person, nor gives a count of people (a count shown to a commissioner would need disclosure
control): the session (ids and times), and the pool.
"""

from __future__ import annotations

import datetime
from typing import Any

from reflect.events import Audience, EventKind, emit, iso
from scheduling.models import GroupSession, WaitlistEntry


def session_ref(session: GroupSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "group_id": session.group_id,
        "status": session.status,
        "starts_at": iso(session.starts_at),
        "ends_at": iso(session.ends_at),
    }


def emit_place_event(kind: EventKind, session: GroupSession, now: datetime.datetime, *, heard: bool = True) -> None:
    """A place taken or given back, inside the change's transaction. ``heard``: False when the
    change asked, under the listeners' lock, and nobody could hear of it (reflect.events.emit)."""

    def payload(_audience: Audience) -> dict[str, Any]:
        return {"session": session_ref(session), "pool_id": session.group.pool_id}

    emit(kind, pool_id=session.group.pool_id, organisation_id=None, payload_for_role=payload, now=now, heard=heard)


def emit_offer_event(session: GroupSession, entry: WaitlistEntry, now: datetime.datetime) -> None:
    """A place offered to someone waiting, held until ``offered_until``."""

    def payload(_audience: Audience) -> dict[str, Any]:
        return {
            "session": session_ref(session),
            "pool_id": session.group.pool_id,
            "offered_until": iso(entry.offered_until),
        }

    emit(
        EventKind.WAITLIST_OFFERED,
        pool_id=session.group.pool_id,
        organisation_id=None,
        payload_for_role=payload,
        now=now,
    )


def emit_session_cancelled(session: GroupSession, now: datetime.datetime) -> None:
    """The session as a whole (each place given back is its own ``place.freed``)."""
    emit(
        EventKind.SESSION_CANCELLED,
        pool_id=session.group.pool_id,
        organisation_id=None,
        payload_for_role=lambda _audience: {"session": session_ref(session), "pool_id": session.group.pool_id},
        now=now,
    )
