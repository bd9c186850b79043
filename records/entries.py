"""The entries of a supervision record, read from what happened (docs/supervision-records.md).

An entry is a supervision session (1:1 or group) or a reflective group session the person
attended, marked so by the supervisor or facilitator. Nothing is copied: the record is a view
of the bookings and places, with the countersignatures and the person's own notes beside them.
Each reader is a fixed number of queries whatever the record's length.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Count, Q

from records.bodies import Body, first_of_month
from records.models import Countersignature, ReflectiveNote
from reflect.local_time import LONDON
from reflect.models import User
from scheduling.models import BookingAttendee, BookingStatus, Place, PlaceStatus, SessionStatus, SupervisionBooking

BOOKING = "booking"
GROUP = "group"
ENTRY_KINDS = (BOOKING, GROUP)


@dataclass(frozen=True)
class Entry:
    kind: str  # BOOKING or GROUP
    pk: int  # the booking's or the group session's id
    starts_at: datetime.datetime
    minutes: int
    is_group: bool
    supervisees: int  # the people supervised in it (the facilitator not counted)
    led_by: str  # the supervisor or facilitator, by name
    signer_id: int | None  # the account that may countersign it, if any
    countersigned_at: datetime.datetime | None = None
    claimable: int = 0
    note: str = ""  # the practitioner's own note: filled only for them

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.pk)

    @property
    def day(self) -> datetime.date:
        return self.starts_at.astimezone(LONDON).date()

    @property
    def month(self) -> datetime.date:
        return first_of_month(self.day)

    @property
    def format(self) -> str:
        if self.kind == GROUP:
            return "Reflective practice group"
        return "Group supervision" if self.is_group else "1:1 supervision"


def _minutes(start: datetime.datetime, end: datetime.datetime) -> int:
    return int((end - start).total_seconds() // 60)


def _bookings(filter_: Q, *, planned: bool = False) -> list[tuple[int, Entry]]:
    """(attendee id, entry) for each attendee of each attended supervision session (and, when
    ``planned``, each session still booked). ``filter_`` must not join the attendees: a filter
    on them would narrow the count of supervisees too (filter them by a subquery)."""
    statuses = [BookingStatus.ATTENDED, BookingStatus.BOOKED] if planned else [BookingStatus.ATTENDED]
    rows = (
        SupervisionBooking.objects.filter(filter_, status__in=statuses)
        .annotate(people=Count("attendees", distinct=True))
        .select_related("supervisor__user")
        .prefetch_related("attendees")
        .order_by("starts_at", "pk")
    )
    return [
        (
            attendee.user_id,
            Entry(
                kind=BOOKING,
                pk=b.pk,
                starts_at=b.starts_at,
                minutes=b.minutes,
                is_group=b.is_group,
                supervisees=b.people,
                led_by=b.supervisor.user.display_name,
                signer_id=b.supervisor.user_id,
            ),
        )
        for b in rows
        for attendee in b.attendees.all()
    ]


def _places(filter_: Q, *, planned: bool = False) -> list[tuple[int, Entry]]:
    statuses = [PlaceStatus.ATTENDED, PlaceStatus.BOOKED] if planned else [PlaceStatus.ATTENDED]
    rows = (
        Place.objects.filter(filter_, status__in=statuses, session__status=SessionStatus.SCHEDULED)
        .select_related("session__group__facilitator__user")
        .order_by("session__starts_at", "pk")
    )
    entries = []
    for place in rows:
        session, group = place.session, place.session.group
        facilitator = group.facilitator
        entries.append(
            (
                place.user_id,
                Entry(
                    kind=GROUP,
                    pk=session.pk,
                    starts_at=session.starts_at,
                    minutes=_minutes(session.starts_at, session.ends_at),
                    is_group=True,
                    supervisees=max(session.places_attended, 1),
                    led_by=facilitator.user.display_name if facilitator else group.external_facilitator_name,
                    signer_id=facilitator.user_id if facilitator else None,
                ),
            )
        )
    return entries


def _attended_by(user_ids: list[int]) -> Q:
    return Q(pk__in=BookingAttendee.objects.filter(user_id__in=user_ids).values("booking_id"))


def _signatures(pairs: Iterable[tuple[int, Entry]]) -> dict[tuple[int, str, int], datetime.datetime]:
    pairs = list(pairs)
    if not pairs:
        return {}
    people = {person for person, _ in pairs}
    bookings = {e.pk for _, e in pairs if e.kind == BOOKING}
    sessions = {e.pk for _, e in pairs if e.kind == GROUP}
    found = Countersignature.objects.filter(
        Q(booking_id__in=bookings) | Q(group_session_id__in=sessions), practitioner_id__in=people
    ).values_list("practitioner_id", "booking_id", "group_session_id", "signed_at")
    return {(person, BOOKING if booking else GROUP, booking or session): at for person, booking, session, at in found}


def _dated(field: str, since: datetime.datetime | None, until: datetime.datetime | None) -> Q:
    q = Q()
    if since is not None:
        q &= Q(**{f"{field}__gte": since})
    if until is not None:
        q &= Q(**{f"{field}__lt": until})
    return q


def record_entries(
    user: User,
    rule: Body,
    *,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    with_notes: bool = False,
) -> list[Entry]:
    """The person's own entries, oldest first, with what ``rule`` lets them claim. Notes only
    when ``with_notes``: for the person's own pages, never for anything another reads."""
    pairs = _bookings(_attended_by([user.pk]) & _dated("starts_at", since, until))
    pairs = [(p, e) for p, e in pairs if p == user.pk]
    pairs += _places(Q(user=user) & _dated("session__starts_at", since, until))
    signed = _signatures(pairs)
    notes: dict[tuple[str, int], str] = {}
    if with_notes and pairs:
        for booking, session, text in ReflectiveNote.objects.filter(owner=user).values_list(
            "booking_id", "group_session_id", "text"
        ):
            notes[(BOOKING, booking) if booking else (GROUP, session)] = text
    entries = [
        replace(
            e,
            countersigned_at=signed.get((user.pk, e.kind, e.pk)),
            claimable=rule.claimable_minutes(e.minutes, e.supervisees, is_group=e.is_group),
            note=notes.get(e.key, ""),
        )
        for _, e in pairs
    ]
    return sorted(entries, key=lambda e: (e.starts_at, e.kind, e.pk))


def supervisees_entries(signer: User, *, since: datetime.datetime) -> list[tuple[int, Entry]]:
    """(practitioner id, entry) for the sessions ``signer`` supervised or facilitated since
    ``since``, with their countersignatures: the supervisor's list to countersign. No notes."""
    pairs = _bookings(Q(supervisor__user=signer, starts_at__gte=since))
    pairs += _places(Q(session__group__facilitator__user=signer, session__starts_at__gte=since))
    signed = _signatures(pairs)
    return [(p, replace(e, countersigned_at=signed.get((p, e.kind, e.pk)))) for p, e in pairs]


def people_entries_in(
    user_ids: Iterable[int], rule_of: dict[int, Body], *, since: datetime.datetime, until: datetime.datetime
) -> dict[int, list[Entry]]:
    """Many people's entries in one period, those still to come included, in a fixed number of
    queries (the shortfall task: is the month *heading* for a shortfall?)."""
    ids = list(user_ids)
    period = Q(starts_at__gte=since, starts_at__lt=until)
    pairs = _bookings(_attended_by(ids) & period, planned=True)
    pairs += _places(Q(user_id__in=ids, session__starts_at__gte=since, session__starts_at__lt=until), planned=True)
    by_person: dict[int, list[Entry]] = {pk: [] for pk in ids}
    for person, e in pairs:
        if person in by_person:
            rule = rule_of[person]
            by_person[person].append(
                replace(e, claimable=rule.claimable_minutes(e.minutes, e.supervisees, is_group=e.is_group))
            )
    return by_person
