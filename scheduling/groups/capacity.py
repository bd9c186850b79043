"""A reflective-group session's capacity: taking a place and giving one back (docs/architecture.md,
"Capacity"). The only module that changes a session's ``places_taken`` (one exception, outside
the domain: the city-scale demo seed, ``demo/city.py``, bulk-writes the count of each session
it has just created, with the places it bulk-creates for it; nobody can book them yet).

Every change to a session's places happens under a lock on the session row, taken once per
transaction, just before the availability check (pretix's rule): ``lock_session``, or
``claim_place``'s conditional UPDATE, which takes the same lock. The count itself is held by the
database too: ``places_taken <= place_limit`` is a CheckConstraint, and one active place per
person per session is a unique constraint. Each place taken or given back is an entry in the
ledger, written here with the count.

The rule for room is one: places free are the limit, less places taken, less places held for
people offered one from the waitlist (``places_free``).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.db.models import F, Field
from django.db.models.expressions import Col

from reflect.enums import LedgerKind
from reflect.events import EventKind, listeners_question
from reflect.inserts import insert_sql, mark_saved, write_in_one_statement, writes_in_one_statement
from reflect.locks import LISTENERS_LOCK, Lock, lock_on
from reflect.models import LedgerEntry, Notification, Organisation, Pool, User
from reflect.services.ledger import new_ledger_entries_writes, record_ledger_entry, record_new_ledger_entries
from reflect.services.notifications import cancel_notifications, publish_after_commit, queue_new_notifications
from scheduling.groups.calendar import SESSION_CANCELLED
from scheduling.groups.events import emit_place_event
from scheduling.models import GroupSession, Place, PlaceStatus, WaitlistEntry, WaitlistStatus
from scheduling.models.groups import ACTIVE_PLACE_STATUSES


def lock_session(session_id: int) -> GroupSession:
    """The session row, locked until the transaction ends (call inside ``transaction.atomic``)."""
    queryset = GroupSession.objects.select_related("group", "group__pool")
    if lock_on(Lock.GROUP_SESSION):
        queryset = queryset.select_for_update(of=("self",))
    return queryset.get(pk=session_id)


def held_offers(session: GroupSession, now: datetime.datetime, *, excluding_user: User | None = None) -> int:
    """Places held for people offered them, not yet taken or expired."""
    offers = WaitlistEntry.objects.filter(session=session, status=WaitlistStatus.OFFERED, offered_until__gt=now)
    if excluding_user is not None:
        offers = offers.exclude(user=excluding_user)
    return offers.count()


def bookable_places(session: GroupSession, now: datetime.datetime) -> int:
    """Places someone could book now: the limit less places taken and places held for offers."""
    return places_free(session, held_offers(session, now))


def places_free(session: GroupSession, held: int) -> int:
    """The rule itself, given how many places are held for offers."""
    return max(0, session.place_limit - session.places_taken - held)


def active_place(session: GroupSession, user: User) -> Place | None:
    """The person's place in the session, booked or marked, if they hold one."""
    return Place.objects.filter(session=session, user=user, status__in=ACTIVE_PLACE_STATUSES).first()


def _column(field_name: str) -> str:
    """A group session column's name, quoted for a statement written out."""
    field = GroupSession._meta.get_field(field_name)
    assert isinstance(field, Field) and field.column is not None  # a concrete field of a built model
    return connection.ops.quote_name(field.column)


def claim_place(session: GroupSession) -> bool:
    """Count one more place if the session is under its limit: one conditional UPDATE, which
    also takes the session-row lock (held to the end of the transaction) and returns the row
    as it now is (docs/architecture.md, "Capacity"). Call inside ``transaction.atomic``.

    On success the session's fields are refreshed from the locked row, with ``places_taken``
    as it was before this place, so the checks that follow read exactly as after
    ``lock_session``; ``take_place(counted=True)`` then records the place. False when the
    session is at its limit: nothing is counted, and no lock is held.
    """
    sql, columns = _claim_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [session.pk])
        row = cursor.fetchone()
    if row is None:
        return False
    for (attname, column, converters), value in zip(columns, row[: len(columns)], strict=True):
        for converter in converters:
            value = converter(value, column, connection)
        setattr(session, attname, value)
    session.places_taken -= 1
    return True


@functools.cache
def _claim_statement() -> tuple[str, list[tuple[str, Col, list[Any]]]]:
    """``claim_place``'s statement, and how each column it returns is read (the converters the
    ORM applies to it): worked out once per process, as the model cannot change. Django's
    update() cannot return the row, hence the one statement written out; the only value in
    it is the session's id, passed as a parameter.

    On PostgreSQL it also takes the listeners' lock shared (reflect.locks.LISTENERS_LOCK), so
    that the booking's write can ask whether anyone could hear of the place taken
    (``take_booked_place``) instead of the webhooks' sink asking after the commit."""
    table = connection.ops.quote_name(GroupSession._meta.db_table)
    key, taken, limit = _column(GroupSession._meta.pk.name), _column("places_taken"), _column("place_limit")
    fields = GroupSession._meta.concrete_fields
    returned = ", ".join(_column(field.name) for field in fields)
    if writes_in_one_statement():
        returned += f", pg_advisory_xact_lock_shared({LISTENERS_LOCK})"
    sql = f"UPDATE {table} SET {taken} = {taken} + 1 WHERE {key} = %s AND {taken} < {limit} RETURNING {returned}"  # noqa: S608
    columns = []
    for field in fields:
        column = Col(GroupSession._meta.db_table, field)
        # As the ORM's compiler reads a column: the backend's converters, then the field's.
        converters = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
        columns.append((field.attname, column, converters))
    return sql, columns


def take_place(
    session: GroupSession,
    user: User,
    organisation: Organisation,
    now: datetime.datetime,
    *,
    counted: bool = False,
) -> Place:
    """Add one place and its ledger entry; the caller holds the session lock and has checked
    there is room, and tells the person (``notices.queue_confirmation``) if they are to hear.

    ``counted`` when ``claim_place`` has already counted it.
    """
    _count_place(session, counted=counted)
    place = Place.objects.create(session=session, user=user, organisation=organisation, booked_at=now)
    record_ledger_entry(
        session.group.pool,
        LedgerKind.PLACE_BOOKED,
        organisation=organisation,
        quantity=1,
        occurred_at=now,
        source=f"group-place:{place.pk}:booked",
        source_is_new=True,  # the place was inserted just above
    )
    emit_place_event(EventKind.PLACE_TAKEN, session, now)
    return place


def take_booked_place(
    session: GroupSession,
    place: Place,
    confirmation: Callable[[Place], Notification],
    *,
    counted: bool,
    only_if: tuple[str, Sequence[Any]] | None = None,
) -> Place | None:
    """``take_place`` for a person booking their own place, with their confirmation
    (``confirmation(place)``, an outbox row not yet saved): the same rows, the same checks by the
    caller. ``place`` is the new place, not yet saved; with its key already taken from its
    sequence (the booking's read before the lock, PostgreSQL), the place, its ledger entry,
    its month's totals and the confirmation are written in ONE statement (reflect/inserts.py),
    so the session's lock is held for one round trip of writing; else by the ORM, one by one.

    ``only_if``: a condition that statement asks in its own snapshot (SQL and parameters; the
    one-statement write only, counted by ``claim_place``), in place of a check the caller would
    otherwise have read beforehand; when it does not hold, nothing is written or counted, and
    None is returned, for the caller to check as before.
    """
    one_statement = place.pk is not None and writes_in_one_statement()
    assert only_if is None or (one_statement and counted), "a condition for the one statement, counted by the claim"
    _count_place(session, counted=counted)
    pool = session.group.pool
    heard = True  # unless the write asks (below)
    if not one_statement:
        place.save(force_insert=True)
        record_new_ledger_entries([_booked_entry(pool, place)])
        queue_new_notifications([confirmation(place)])
    else:
        notification = confirmation(place)
        last_sql, last_params = insert_sql([notification], returning_pk=True)
        # Counted by claim_place, which took the listeners' lock: the write also asks whether
        # anyone could hear of the place taken (the webhooks' question, asked after the commit
        # otherwise), one query fewer for every booking in a pool with no endpoint.
        question = listeners_question(EventKind.PLACE_TAKEN, pool_id=pool.pk, organisation_id=None) if counted else None
        if question is not None:
            last_sql, last_params = f"{last_sql}, {question[0]}", [*last_params, *question[1]]
        written = write_in_one_statement(
            [
                insert_sql([place], keys_given=True),
                *new_ledger_entries_writes([_booked_entry(pool, place)]),
                (last_sql, last_params),
            ],
            only_if=only_if,
        )
        if not written:
            session.places_taken -= 1  # as counted by the claim alone: nothing was written
            return None
        [(notification_id, *answer)] = written
        heard = bool(answer[0]) if answer else True
        mark_saved(place, place.pk)
        mark_saved(notification, notification_id)
        publish_after_commit([notification])
    emit_place_event(EventKind.PLACE_TAKEN, session, place.booked_at, heard=heard)
    return place


def _booked_entry(pool: Pool, place: Place) -> LedgerEntry:
    """The ledger's entry for a place just booked (``take_place``'s, written as a new source)."""
    return LedgerEntry(
        pool=pool,
        organisation_id=place.organisation_id,
        kind=LedgerKind.PLACE_BOOKED,
        quantity=1,
        occurred_at=place.booked_at,
        source=f"group-place:{place.pk}:booked",
    )


def _count_place(session: GroupSession, *, counted: bool) -> None:
    """One more place taken, under the session's lock (already counted by ``claim_place``)."""
    if counted:
        session.places_taken += 1
    elif lock_on(Lock.GROUP_SESSION):
        GroupSession.objects.filter(pk=session.pk).update(places_taken=F("places_taken") + 1)
        session.places_taken += 1
    else:
        # Read-modify-write, as code without the lock would: the control test shows it losing.
        session.places_taken += 1
        session.save(update_fields=["places_taken"])


def give_back_place(session: GroupSession, place: Place, now: datetime.datetime, *, reason: str = "") -> None:
    """The person gives their booked place up; the caller holds the session lock and the place's
    row. The place is cancelled, counted free and in the ledger, and nothing more is sent about it."""
    place.status = PlaceStatus.CANCELLED
    place.cancelled_at = now
    place.cancel_reason = reason
    place.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    GroupSession.objects.filter(pk=session.pk).update(places_taken=F("places_taken") - 1)
    session.places_taken -= 1
    record_place_given_back(session, place, now)


def give_back_every_place(session: GroupSession, places: list[Place], now: datetime.datetime) -> None:
    """The session is cancelled: every place booked in it (``places``) is given back, with the
    reason ``SESSION_CANCELLED``, and the session holds none. The caller holds the session lock."""
    # In organisation order: each organisation's month of ledger totals is locked as it is
    # written, and two sessions cancelled at once must take them in the same order.
    for place in sorted(places, key=lambda place: (place.organisation_id, place.pk)):
        # Anything still to be sent about the place (its confirmation, say) is now wrong.
        record_place_given_back(session, place, now, note="session cancelled")
    Place.objects.filter(pk__in=[p.pk for p in places]).update(
        status=PlaceStatus.CANCELLED, cancelled_at=now, cancel_reason=SESSION_CANCELLED
    )
    GroupSession.objects.filter(pk=session.pk).update(places_taken=0)
    session.places_taken = 0


def record_place_given_back(session: GroupSession, place: Place, now: datetime.datetime, *, note: str = "") -> None:
    """Count a cancelled place in the ledger and stop anything still to be sent about it."""
    record_ledger_entry(
        session.group.pool,
        LedgerKind.PLACE_CANCELLED,
        organisation=place.organisation,
        quantity=1,
        occurred_at=now,
        source=f"group-place:{place.pk}:cancelled",
        note=note,
    )
    cancel_notifications(f"group-place:{place.pk}")
    emit_place_event(EventKind.PLACE_FREED, session, now)
