"""Booking supervision sessions against an agreement (issue 6; docs/product.md, docs/architecture.md).

Each function is one use case in one transaction. Capacity is guarded by locks taken once, in
the same order as agreement acceptance (supervision/services/agreements.py) so that the two
can never deadlock: the organisation's PoolOrganisation row (its allocation), then the
SupervisorProfile row (the supervisor's time and monthly capacity), then the agreement, then
the booking. Under those locks the slot engine re-checks the time against everything already
booked, and on PostgreSQL an exclusion constraint backs it (migration 0003).

Hours go through the pool's ledger: RESERVED when booked, RELEASED when cancelled in time (or
by the supervisor), CONSUMED when attended, missed or cancelled late
(reflect.services.ledger.HoursBalance explains the arithmetic).
"""

from __future__ import annotations

import datetime
import enum
import functools
import itertools
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, DateTimeField, Model, Q, QuerySet, Value
from django.utils import timezone

from reflect import wording
from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.events import EventKind
from reflect.inserts import insert_sql, mark_saved, new_key, one_statement, run_one_statement, writes_in_one_statement
from reflect.local_time import LONDON, UK_ZONE
from reflect.locks import Lock, lock_on, retry_when_sqlite_is_locked
from reflect.models import ContactPreferences, LedgerEntry, Notification, PoolOrganisation, User
from reflect.queries import current_member, current_members, is_current_lead
from reflect.services.audit import audit_row, record_audit
from reflect.services.ledger import (
    CENT,
    balance_of_totals,
    hour_totals,
    hours_sum,
    new_ledger_entries_writes,
    record_ledger_entry,
    record_new_ledger_entries,
)
from reflect.services.notifications import publish_after_commit
from reflect.services.preferences import preferences_and_memberships_of, preferences_of
from reflect.statements import fetch_models, fetch_rows
from scheduling import slots
from scheduling.intervals import Interval
from scheduling.models import AvailabilitySettings, BookingAttendee, BookingStatus, SessionMode, SupervisionBooking
from scheduling.models.bookings import LIVE_BOOKING_STATUSES
from scheduling.next_free import EngineInput
from scheduling.queries import (
    availability_settings_of,
    hours_rows_of,
    loaded_availability_settings,
    taken_times,
    taken_times_query,
    to_engine,
)
from scheduling.services.booking_events import emit_booking_event
from scheduling.services.booking_notices import (
    booking_confirmation_rows,
    booking_when,
    queue_booking_changed,
    queue_booking_confirmations,
    queue_cancellation,
)
from scheduling.services.calendar_sync import queue_calendar_sync
from scheduling.services.next_free_memory import forget_next_free
from supervision.enums import AgreementStatus
from supervision.matching import Offer
from supervision.models import SupervisionAgreement, SupervisorProfile
from supervision.services.agreements import when_agreement_ends

# Hours that count against an agreement's month: the session is happening, happened, or was
# cancelled too late for the hours to come back.
AGREEMENT_HOURS_STATUSES = (*LIVE_BOOKING_STATUSES, BookingStatus.LATE_CANCELLED)
GROUP_SUPERVISION_MIN = 2
GROUP_SUPERVISION_MAX = 8


class SlotRefused(DomainError):
    """The time cannot be booked; ``next_free`` holds the next slots that can."""

    def __init__(self, message: str, *, reason: slots.RefusalReason | None, next_free: list[slots.Slot]) -> None:
        super().__init__(message, field="start")
        self.reason = reason
        self.next_free = next_free


@dataclass(frozen=True)
class BookingChoice:
    """What a booker chooses: a start, a length, who comes and how they meet."""

    starts_at: datetime.datetime
    minutes: int
    attendees: Sequence[User]
    mode: str = SessionMode.ONLINE


# --- Reading --------------------------------------------------------------------------------


def hours_for(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(CENT)


def booker_for(users: Sequence[User], preferences_by_user: dict[int, ContactPreferences] | None = None) -> slots.Booker:
    """The slot engine's booker: the latest "no sessions before" among the attendees.
    ``preferences_by_user``: their contact preferences when the caller has read them already."""
    if preferences_by_user is None:
        preferences_by_user = preferences_of(users)
    zone = UK_ZONE
    latest: datetime.time | None = None
    for user in users:
        preferences = preferences_by_user[user.pk]
        if preferences.no_sessions_before and (latest is None or preferences.no_sessions_before > latest):
            latest = preferences.no_sessions_before
            zone = preferences.time_zone or zone
    return slots.Booker(time_zone=zone, no_sessions_before=latest)


def live_bookings_of(
    supervisor: SupervisorProfile | int,
    *,
    since: datetime.datetime,
    until: datetime.datetime,
    exclude: int | None = None,
) -> QuerySet[SupervisionBooking]:
    rows = SupervisionBooking.objects.filter(
        supervisor=supervisor, status__in=LIVE_BOOKING_STATUSES, ends_at__gt=since, starts_at__lt=until
    )
    return rows if exclude is None else rows.exclude(pk=exclude)


def _engine_inputs(
    supervisor: SupervisorProfile,
    now: datetime.datetime,
    *,
    exclude: int | None = None,
    settings_row: AvailabilitySettings | None = None,
    around: tuple[datetime.datetime, int] | None = None,
) -> tuple[slots.Availability, list[Interval], list[Interval]]:
    """The slot engine's inputs in two queries (the settings too when not given): the weekly
    hours with the days off, then the live bookings with the busy times. ``around``: the one
    time (start, minutes) to be checked, for which only the bookings and busy times within its
    reach are read (slots.reach), not the whole horizon's."""
    if settings_row is None:
        settings_row = availability_settings_of(supervisor)
    availability = to_engine(settings_row, *hours_rows_of(supervisor))
    if around is not None:
        since, until = slots.reach(availability, *around)
    else:
        # A week and a day either side: buffers and the week's limit reach past the horizon's edges.
        since = now - datetime.timedelta(days=8)
        until = now + availability.horizon + datetime.timedelta(days=8)
    values: dict[str, int | datetime.datetime] = {"supervisor": supervisor.pk, "since": since, "until": until}
    if exclude is not None:
        values["exclude"] = exclude
    bookings, busy = taken_times(fetch_rows(("scheduling.taken_times", *values), _taken_times_query, **values))
    return availability, bookings, busy


def _taken_times_query(
    supervisor: int, since: datetime.datetime, until: datetime.datetime, exclude: int | None = None
) -> QuerySet[SupervisionBooking, tuple[datetime.datetime, datetime.datetime, str]]:
    """The supervisor's live bookings and busy times from ``since`` to ``until``: its SQL is built
    once per process (reflect/statements.py), as a booking reads it under its locks."""
    live = live_bookings_of(supervisor, since=since, until=until, exclude=exclude)
    return taken_times_query(live, supervisor, since, until)


def free_slots(
    agreement: SupervisionAgreement,
    attendees: Sequence[User],
    *,
    now: datetime.datetime | None = None,
    exclude: int | None = None,
) -> list[slots.Slot]:
    """The agreement's supervisor's bookable slots for these attendees, within the agreement's
    dates; ``exclude`` leaves out a booking being moved, so its own time shows as free."""
    now = now or timezone.now()
    availability, bookings, busy = _engine_inputs(agreement.supervisor, now, exclude=exclude)
    found = slots.bookable_slots(availability, now=now, bookings=bookings, busy=busy, booker=booker_for(attendees))
    return [slot for slot in found if _within_agreement(agreement, slot.start)]


def next_free_slots(
    agreement: SupervisionAgreement,
    attendees: Sequence[User],
    *,
    now: datetime.datetime,
    count: int = 3,
    exclude: int | None = None,
) -> list[slots.Slot]:
    availability, bookings, busy = _engine_inputs(agreement.supervisor, now, exclude=exclude)
    found = slots.iter_bookable_slots(availability, now=now, bookings=bookings, busy=busy, booker=booker_for(attendees))
    return list(itertools.islice((slot for slot in found if _within_agreement(agreement, slot.start)), count))


def _local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(LONDON).date()


def _within_agreement(agreement: SupervisionAgreement, moment: datetime.datetime) -> bool:
    day = _local_date(moment)
    return agreement.starts_on <= day and (agreement.ends_on is None or day <= agreement.ends_on)


def month_bounds(moment: datetime.datetime, zone: str = UK_ZONE) -> tuple[datetime.datetime, datetime.datetime]:
    """The calendar month holding ``moment`` on the given clock, as aware datetimes."""
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    first = datetime.datetime(local.year, local.month, 1, tzinfo=tz)
    following = datetime.datetime(local.year + local.month // 12, local.month % 12 + 1, 1, tzinfo=tz)
    return first, following


def modes_offered(supervisor: SupervisorProfile) -> list[str]:
    modes: list[str] = []
    if supervisor.online:
        modes.append(SessionMode.ONLINE)
    if supervisor.in_person_areas:
        modes.append(SessionMode.IN_PERSON)
    return modes or [SessionMode.ONLINE]


# --- Checks ---------------------------------------------------------------------------------


def bookable_attendees(agreement: SupervisionAgreement, user: User, *, is_lead: bool | None = None) -> list[User]:
    """Whom this person may book a session for (the choice the booking page offers; the rule
    check_may_book enforces): a lead, any current staff; for group supervision, colleagues
    too; anyone else, themselves. ``is_lead``: whether they lead the agreement's organisation
    now, when the caller has read it (``access_agreement_to_book``)."""
    # One exists() first: a member of staff who is not a lead books for themselves, and the
    # organisation's whole list (which grows with its size) is loaded only when it is offered.
    if is_lead is None and agreement.format != Offer.GROUP_SUPERVISION:
        is_lead = is_current_lead(user, agreement.organisation_id)
    if agreement.format == Offer.GROUP_SUPERVISION or is_lead:
        return [m.user for m in current_members(agreement.organisation)]
    return [user]


def check_may_book(
    agreement: SupervisionAgreement, acting_user: User, attendees: Sequence[User], leads_by_member: dict[int, bool]
) -> None:
    """Who may book: staff for themselves (and named colleagues), a lead for any of their staff.
    ``leads_by_member``: the booker's and attendees' current memberships of the agreement's
    organisation, is_lead by user id (``preferences_and_memberships_of``)."""
    if acting_user.pk not in leads_by_member:
        raise DomainError(f"Only staff of {agreement.organisation.name} can book its supervision.")
    check_agreement_active(agreement)
    if not attendees:
        raise DomainError("Choose who the session is for.", field="attendees")
    if not leads_by_member[acting_user.pk] and acting_user not in attendees:
        raise DomainError("You can book sessions for yourself; your organisation lead can book for others.")
    outsiders = [user.display_name for user in attendees if user.pk not in leads_by_member]
    if outsiders:
        raise DomainError(
            f"{', '.join(outsiders)} {'is' if len(outsiders) == 1 else 'are'} not staff of "
            f"{agreement.organisation.name}.",
            field="attendees",
        )
    if agreement.format == Offer.GROUP_SUPERVISION:
        if not GROUP_SUPERVISION_MIN <= len(attendees) <= GROUP_SUPERVISION_MAX:
            raise DomainError(
                f"Group supervision is for {GROUP_SUPERVISION_MIN} to {GROUP_SUPERVISION_MAX} people; "
                f"you chose {len(attendees)}.",
                field="attendees",
            )
    elif len(attendees) != 1:
        raise DomainError(
            f"This agreement is for {agreement.get_format_display().lower()}: book one person at a time.",
            field="attendees",
        )


def check_agreement_active(agreement: SupervisionAgreement) -> None:
    if agreement.status != AgreementStatus.ACTIVE:
        raise DomainError(
            f"{agreement.organisation.name}'s agreement with {agreement.supervisor.user.display_name} has ended. "
            "Your organisation lead can ask for a new one from the supervisors page."
        )


def _check_slot(
    agreement: SupervisionAgreement,
    choice: BookingChoice,
    now: datetime.datetime,
    *,
    exclude: int | None = None,
    settings_row: AvailabilitySettings | None = None,
    preferences_by_user: dict[int, ContactPreferences] | None = None,
) -> None:
    availability, bookings, busy = _engine_inputs(
        agreement.supervisor,
        now,
        exclude=exclude,
        settings_row=settings_row,
        around=(choice.starts_at, choice.minutes),
    )
    booker = booker_for(choice.attendees, preferences_by_user)
    refusal = slots.explain_unbookable(
        availability, choice.starts_at, choice.minutes, now=now, bookings=bookings, busy=busy, booker=booker
    )
    if refusal is None and not _within_agreement(agreement, choice.starts_at):
        ends = f" to {wording.date(agreement.ends_on)}" if agreement.ends_on else ""
        refusal = slots.Refusal(
            slots.RefusalReason.OUTSIDE,
            f"The agreement runs from {wording.date(agreement.starts_on)}{ends}; choose a time within it.",
        )
    if refusal is not None:
        raise SlotRefused(
            refusal.message,
            reason=refusal.reason,
            next_free=next_free_slots(agreement, choice.attendees, now=now, exclude=exclude),
        )


class HoursRule(enum.StrEnum):
    """The hours rules a time must pass besides the slot engine's (docs/availability-and-booking.md)."""

    ALLOCATION = "allocation"  # the organisation's hours left in the pool (balance_from)
    AGREEMENT_MONTH = "agreement_month"  # the agreement's hours a month
    SUPERVISOR_MONTH = "supervisor_month"  # the supervisor's monthly capacity


Month = tuple[int, int]


@dataclass(frozen=True)
class HoursPosition:
    """What the hours rules read, once: the organisation's hours left, and the hours already
    counted in each month against the agreement (London months) and the supervisor (months on
    the supervisor's clock). The picker reads every month of the horizon, a booking just its own."""

    organisation_left: Decimal
    agreement_hours_per_month: Decimal
    agreement_used: dict[Month, Decimal]
    supervisor_capacity: Decimal
    supervisor_zone: str
    supervisor_used: dict[Month, Decimal]


@dataclass(frozen=True)
class HoursRefusal:
    rule: HoursRule
    month: Month  # the month the rule is full for (on the rule's own clock)
    left: Decimal  # hours still free under that rule, never negative


def _month_of(moment: datetime.datetime, zone: str = UK_ZONE) -> Month:
    local = moment.astimezone(ZoneInfo(zone))
    return (local.year, local.month)


def hours_refusal(
    position: HoursPosition, starts_at: datetime.datetime, hours: Decimal, *, already_reserved: Decimal = Decimal("0")
) -> HoursRefusal | None:
    """The one statement of the hours rules, pure: both the slot picker (for every time it might
    show) and book_supervision (for the time chosen) ask it, so the picker never offers a time
    the booking would refuse. ``already_reserved``: a session being moved keeps its own hours."""
    if hours - already_reserved > position.organisation_left:
        return HoursRefusal(HoursRule.ALLOCATION, _month_of(starts_at), max(position.organisation_left, Decimal("0")))
    month = _month_of(starts_at)
    used = position.agreement_used.get(month, Decimal("0"))
    if used + hours > position.agreement_hours_per_month:
        return HoursRefusal(
            HoursRule.AGREEMENT_MONTH, month, max(position.agreement_hours_per_month - used, Decimal("0"))
        )
    month = _month_of(starts_at, position.supervisor_zone)
    taken = position.supervisor_used.get(month, Decimal("0"))
    if taken + hours > position.supervisor_capacity:
        return HoursRefusal(HoursRule.SUPERVISOR_MONTH, month, max(position.supervisor_capacity - taken, Decimal("0")))
    return None


def month_name(month: Month) -> str:
    return wording.month(datetime.date(month[0], month[1], 1))


def hours_refusal_message(agreement: SupervisionAgreement, refusal: HoursRefusal, hours: Decimal) -> str:
    """What book_supervision says when a chosen time breaks an hours rule."""
    if refusal.rule == HoursRule.ALLOCATION:
        return (
            f"{agreement.organisation.name} has {wording.hours_left(refusal.left)} left of its allocation in "
            f"{agreement.pool.name}, and this session needs {wording.hours(hours)}. Choose a shorter session, "
            "or ask the pool's commissioner about more hours."
        )
    if refusal.rule == HoursRule.AGREEMENT_MONTH:
        return (
            f"The agreement with {agreement.supervisor.user.display_name} is for "
            f"{wording.hours(agreement.hours_per_month)} a month; {wording.hours_left(refusal.left)} of that is left in "
            f"{month_name(refusal.month)}. Choose a shorter session or another month."
        )
    return (
        f"{agreement.supervisor.user.display_name} is fully booked for {month_name(refusal.month)}. "
        "Choose a time in another month."
    )


def _hours_by_month(rows: Iterable[tuple[datetime.datetime, Decimal]], zone: str) -> dict[Month, Decimal]:
    totals: dict[Month, Decimal] = defaultdict(Decimal)
    for starts_at, hours in rows:
        totals[_month_of(starts_at, zone)] += hours
    return dict(totals)


# What each row of hours_position's one query counts.
AGREEMENT_HOURS, SUPERVISOR_HOURS = "agreement hours", "supervisor hours"


def hours_position(
    agreement: SupervisionAgreement,
    since: datetime.datetime,
    until: datetime.datetime,
    *,
    settings_row: AvailabilitySettings,
    exclude: int | None = None,
) -> HoursPosition:
    """Read the hours rules' inputs for the months from ``since`` to ``until`` in one query (a
    UNION ALL): the organisation's ledger totals by hour kind, the hours of the agreement's
    sessions in those months, and the hours of all the supervisor's sessions in those months on
    their clock (against their monthly capacity)."""
    first, _ = month_bounds(since)
    _, following = month_bounds(until)
    values: dict[str, int | datetime.datetime] = {
        "pool": agreement.pool_id,
        "organisation": agreement.organisation_id,
        "agreement": agreement.pk,
        "first": first,
        "following": following,
    }
    # The supervisor's one monthly capacity, on their profile (read with the agreement, under
    # its lock when booking): the figure their own page and matching show.
    capacity = agreement.supervisor.monthly_capacity_hours
    values["supervisor"] = agreement.supervisor_id
    values["supervisor_first"], _ = month_bounds(since, settings_row.time_zone)
    _, values["supervisor_following"] = month_bounds(until, settings_row.time_zone)
    if exclude is not None:
        values["exclude"] = exclude
    kinds: dict[str, Decimal] = {}
    sessions: dict[str, list[tuple[datetime.datetime, Decimal]]] = {AGREEMENT_HOURS: [], SUPERVISOR_HOURS: []}
    for what, starts_at, hours in fetch_rows(("scheduling.hours_position", *values), _hours_position_query, **values):
        if what in sessions:
            sessions[what].append((starts_at, hours_sum(hours)))
        else:
            kinds[what] = hours_sum(hours)
    return HoursPosition(
        organisation_left=balance_of_totals(kinds).left,
        agreement_hours_per_month=agreement.hours_per_month,
        agreement_used=_hours_by_month(sessions[AGREEMENT_HOURS], UK_ZONE),
        supervisor_capacity=capacity,
        supervisor_zone=settings_row.time_zone,
        supervisor_used=_hours_by_month(sessions[SUPERVISOR_HOURS], settings_row.time_zone),
    )


def _hours_position_query(
    pool: int,
    organisation: int,
    agreement: int,
    first: datetime.datetime,
    following: datetime.datetime,
    supervisor: int | None = None,
    supervisor_first: datetime.datetime | None = None,
    supervisor_following: datetime.datetime | None = None,
    exclude: int | None = None,
) -> QuerySet[LedgerEntry, tuple[str, datetime.datetime | None, Decimal]]:
    """hours_position's one query: built once per process for each shape (with or without the
    supervisor's month, with or without a session left out), as a booking reads it under its locks."""
    no_moment = Value(None, output_field=DateTimeField())
    ledger = hour_totals(pool, organisation).values_list("kind", no_moment, "total")
    agreement_rows = SupervisionBooking.objects.filter(
        agreement_id=agreement, status__in=AGREEMENT_HOURS_STATUSES, starts_at__gte=first, starts_at__lt=following
    )
    parts = [_hours_rows(agreement_rows, AGREEMENT_HOURS, exclude)]
    if supervisor is not None:
        supervisor_rows = SupervisionBooking.objects.filter(
            supervisor_id=supervisor,
            status__in=LIVE_BOOKING_STATUSES,
            starts_at__gte=supervisor_first,
            starts_at__lt=supervisor_following,
        )
        parts.append(_hours_rows(supervisor_rows, SUPERVISOR_HOURS, exclude))
    return ledger.union(*parts, all=True)


def _hours_rows(
    rows: QuerySet[SupervisionBooking], what: str, exclude: int | None
) -> QuerySet[SupervisionBooking, tuple[str, datetime.datetime, Decimal]]:
    """Sessions' starts and hours, labelled with what they count towards, for hours_position."""
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.order_by().values_list(Value(what, output_field=CharField()), "starts_at", "hours")


def _check_hours(
    agreement: SupervisionAgreement,
    starts_at: datetime.datetime,
    hours: Decimal,
    *,
    settings_row: AvailabilitySettings,
    exclude: int | None = None,
    already_reserved: Decimal = Decimal("0"),
) -> None:
    """The organisation's allocation, the agreement's month and the supervisor's month."""
    position = hours_position(agreement, starts_at, starts_at, settings_row=settings_row, exclude=exclude)
    refusal = hours_refusal(position, starts_at, hours, already_reserved=already_reserved)
    if refusal is not None:
        raise DomainError(hours_refusal_message(agreement, refusal, hours))


# --- What the slot picker offers -------------------------------------------------------------
#
# The picker shows a time only if book_supervision would accept it (issue 18): the same slot
# engine on the same inputs, the agreement's dates, and hours_refusal on the same totals. When
# nothing can be offered, explain_offering says which rule stops it and what to do.


@dataclass(frozen=True)
class Offering:
    """Times the booking would accept, and what the picker needs to explain any gaps."""

    offered: list[slots.Slot]
    # Times the engine finds free that an hours rule holds back, with the rule, by start.
    withheld: list[tuple[slots.Slot, HoursRefusal]]
    # Free times in the engine's sense, inside the agreement's dates, before any hours rule.
    free_in_agreement: list[slots.Slot]
    # Free times if nobody had a "no sessions before" time, and ignoring the agreement's dates.
    free_for_anyone: list[slots.Slot]
    booker: slots.Booker
    availability: slots.Availability
    organisation_left: Decimal
    now: datetime.datetime
    # What the engine read (the supervisor's times, not the agreement's rules): for remembering
    # their next free times without reading them again (scheduling/services/soonest.py).
    engine_input: EngineInput


def offer_times(
    agreement: SupervisionAgreement,
    attendees: Sequence[User],
    *,
    now: datetime.datetime | None = None,
    exclude: int | None = None,
    already_reserved: Decimal = Decimal("0"),
) -> Offering:
    """Every time the picker may show: the slot engine's free times for these attendees, within
    the agreement's dates, that pass hours_refusal. ``exclude``/``already_reserved``: a session
    being moved, whose own time and hours count as free."""
    now = now or timezone.now()
    settings_row = availability_settings_of(agreement.supervisor)
    availability, bookings, busy = _engine_inputs(agreement.supervisor, now, exclude=exclude, settings_row=settings_row)
    booker = booker_for(attendees)
    found = slots.bookable_slots(availability, now=now, bookings=bookings, busy=busy, booker=booker)
    in_agreement = [slot for slot in found if _within_agreement(agreement, slot.start)]
    position = hours_position(agreement, now, now + availability.horizon, settings_row=settings_row, exclude=exclude)
    offered: list[slots.Slot] = []
    withheld: list[tuple[slots.Slot, HoursRefusal]] = []
    for slot in in_agreement:
        refusal = hours_refusal(position, slot.start, hours_for(slot.minutes), already_reserved=already_reserved)
        if refusal is None:
            offered.append(slot)
        else:
            withheld.append((slot, refusal))
    # Only worked out when it can explain an empty picker: the engine is pure, so no queries.
    anyone = slots.Booker(time_zone=booker.time_zone)
    free_for_anyone = (
        found
        if in_agreement
        else slots.bookable_slots(availability, now=now, bookings=bookings, busy=busy, booker=anyone)
    )
    return Offering(
        offered=offered,
        withheld=withheld,
        free_in_agreement=in_agreement,
        free_for_anyone=free_for_anyone,
        booker=booker,
        availability=availability,
        organisation_left=position.organisation_left + already_reserved,
        now=now,
        engine_input=EngineInput(availability, tuple(bookings), tuple(busy)),
    )


@dataclass(frozen=True)
class Explanation:
    """Why some or all times are not offered, and what the person can do, in two sentences."""

    reason: str
    action: str


def _ask_for_more_hours(agreement: SupervisionAgreement, user: User) -> str:
    if is_current_lead(user, agreement.organisation_id):
        return f"Ask the commissioner of {agreement.pool.name} for more hours for {agreement.organisation.name}."
    return (
        f"Ask your organisation lead to ask the commissioner of {agreement.pool.name} for more hours "
        f"for {agreement.organisation.name}."
    )


def _lower_first(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]


def _month_full(agreement: SupervisionAgreement, refusal: HoursRefusal, minutes: int) -> str:
    month = wording.month_name(datetime.date(refusal.month[0], refusal.month[1], 1))
    if refusal.rule == HoursRule.SUPERVISOR_MONTH:
        return f"{agreement.supervisor.user.display_name} is fully booked for {month}."
    if refusal.left:
        return (
            f"This agreement has {wording.hours_left(refusal.left)} left for {month}, less than a "
            f"{minutes}-minute session needs."
        )
    verb = "is" if agreement.hours_per_month == 1 else "are"
    return f"This agreement's {wording.hours(agreement.hours_per_month)} for {month} {verb} booked."


def explain_offering(
    agreement: SupervisionAgreement, offering: Offering, minutes: int, *, user: User
) -> Explanation | None:
    """Why times of this length are missing from the picker, if any are: the first rule that
    stops them, in the words of the person choosing. None when nothing is held back early."""
    hours = hours_for(minutes)
    offered = [slot for slot in offering.offered if slot.minutes == minutes]
    if hours > offering.organisation_left:
        shorter = [
            length
            for length in offering.availability.session_lengths
            if hours_for(length) <= offering.organisation_left
        ]
        action = (
            f"Choose a {min(shorter)}-minute session, or: {_lower_first(_ask_for_more_hours(agreement, user))}"
            if shorter
            else _ask_for_more_hours(agreement, user)
        )
        return Explanation(
            f"{agreement.organisation.name} has {wording.hours_left(offering.organisation_left)} of "
            f"supervision left in {agreement.pool.name}, and a {minutes}-minute session needs {wording.hours(hours)}.",
            action,
        )
    withheld = [(slot, refusal) for slot, refusal in offering.withheld if slot.minutes == minutes]
    if withheld and (not offered or withheld[0][0].start < offered[0].start):
        refusal = withheld[0][1]
        reason = _month_full(agreement, refusal, minutes)
        if offered:
            first = offered[0]
            month = wording.month_name(first.start, UK_ZONE)
            return Explanation(reason, f"The next time you can book is in {month}: {booking_when(first)}.")
        if refusal.rule == HoursRule.SUPERVISOR_MONTH:
            action = (
                f"{agreement.supervisor.user.display_name} has no free times in later months yet. "
                "Look again next month, when more times open."
            )
        else:
            action = (
                f"{agreement.supervisor.user.display_name} has no free times in later months yet. Look again next "
                "month, when more times open; your organisation lead can ask for more hours a month."
            )
        return Explanation(reason, action)
    if offered:
        return None
    supervisor = agreement.supervisor.user.display_name
    in_agreement = [slot for slot in offering.free_in_agreement if slot.minutes == minutes]
    for_anyone = [slot for slot in offering.free_for_anyone if slot.minutes == minutes]
    earliest = offering.booker.no_sessions_before
    if not in_agreement and for_anyone and earliest is not None:
        fits_booker = [slot for slot in for_anyone if _within_agreement(agreement, slot.start)]
        if fits_booker:
            return Explanation(
                f"All of {supervisor}'s free times of {minutes} minutes start before {wording.clock(earliest)}, "
                "the earliest time set in the contact preferences of the people the session is for.",
                "Change the earliest time in your contact preferences, or choose another length.",
            )
    if not in_agreement and for_anyone:
        ends = f" to {wording.date(agreement.ends_on)}" if agreement.ends_on else ""
        return Explanation(
            f"The agreement runs from {wording.date(agreement.starts_on)}{ends}, and {supervisor} has no free "
            f"times of {minutes} minutes inside those dates.",
            "Your organisation lead can ask for a new agreement from the supervisors page.",
        )
    availability = offering.availability
    notice = wording.count(int(availability.minimum_notice.total_seconds() // 3600), "hour")
    weeks = wording.count(availability.horizon.days // 7, "week")
    return Explanation(
        f"{supervisor} has no free times of {minutes} minutes in the next {weeks}. Sessions are booked at "
        f"least {notice} ahead and at most {weeks} ahead.",
        f"Try another length, or ask {supervisor} whether they can add more hours.",
    )


def _lock_capacity(agreement: SupervisionAgreement) -> SupervisionAgreement:
    """Take the capacity locks in the fixed order (module docstring) and reload the agreement,
    with its supervisor's availability settings (read once, passed down). Both statements are
    the ORM's, their SQL kept once per process (reflect/statements.py): a booking takes them on
    every request."""
    locking = lock_on(Lock.SUPERVISION_CAPACITY)
    # The allocation: no two bookings of this organisation spend its last hours twice. SQLite
    # has no row locks (the statement would be a plain read): there each write transaction
    # begins IMMEDIATE (config/settings.py) and so runs alone.
    if locking and connection.features.has_select_for_update:
        allocation = fetch_rows(
            ("scheduling", "allocation lock"),
            _allocation_locked,
            pool=agreement.pool_id,
            organisation=agreement.organisation_id,
        )
        if not allocation:
            raise PoolOrganisation.DoesNotExist("The organisation is not in the agreement's pool.")
    # Then the supervisor's time (bookings of any organisation with this supervisor queue here,
    # so the slot check below sees every booking made before it) and the agreement, in one
    # statement: PostgreSQL locks the rows in the order FOR UPDATE OF names them.
    found = fetch_models(
        ("scheduling", "capacity", "locked" if locking else "unlocked"),
        lambda agreement: _agreement_with_capacity(agreement, locked=locking),
        agreement=agreement.pk,
    )
    if not found:
        raise SupervisionAgreement.DoesNotExist("No such agreement.")
    return found[0]


def _allocation_locked(pool: int, organisation: int) -> QuerySet[PoolOrganisation, tuple[int]]:
    """The organisation's allocation row in the pool, locked (``_lock_capacity``)."""
    return (
        PoolOrganisation.objects.select_for_update()
        .filter(pool_id=pool, organisation_id=organisation)
        .order_by()
        .values_list("pk")
    )


def _agreement_with_capacity(agreement: int, *, locked: bool) -> QuerySet[SupervisionAgreement]:
    """The agreement with its supervisor, their person and availability settings, its
    organisation and pool; the supervisor's row and the agreement's locked, in that order,
    when ``locked`` (``_lock_capacity``)."""
    queryset = SupervisionAgreement.objects.select_related(
        "supervisor__user", "supervisor__availability_settings", "organisation", "pool"
    ).filter(pk=agreement)
    if locked:
        queryset = queryset.select_for_update(of=("supervisor", "self"))
    return queryset.order_by()


# --- Use cases ------------------------------------------------------------------------------


@retry_when_sqlite_is_locked
def book_supervision(
    agreement: SupervisionAgreement,
    choice: BookingChoice,
    *,
    acting_user: User,
    now: datetime.datetime | None = None,
) -> SupervisionBooking:
    """Book a session; its hours are reserved in the ledger and everyone is told."""
    now = now or timezone.now()
    if choice.mode not in modes_offered(agreement.supervisor):
        raise DomainError("Choose how you will meet: the supervisor does not offer that.", field="mode")
    try:
        booking = _book(agreement, choice, acting_user=acting_user, now=now)
    except IntegrityError as error:
        # The whole use case rolled back (no savepoint around the insert, two statements
        # fewer); only losing the slot to the exclusion constraint is the person's to act on.
        if _constraint_of(error) != NO_OVERLAP:
            raise
        raise SlotRefused(
            "That time was booked by someone else a moment ago.",
            reason=slots.RefusalReason.TAKEN,
            next_free=next_free_slots(agreement, choice.attendees, now=now),
        ) from error
    return booking


# The exclusion constraint that keeps a supervisor's live bookings apart (migration 0003).
NO_OVERLAP = "supervision_booking_no_overlap"


def _constraint_of(error: IntegrityError) -> str | None:
    """The name of the constraint PostgreSQL says was broken (None elsewhere)."""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def _book(
    agreement: SupervisionAgreement, choice: BookingChoice, *, acting_user: User, now: datetime.datetime
) -> SupervisionBooking:
    """book_supervision's transaction: locks, checks, the booking and everything it writes.

    Every other booking of the organisation queues on its allocation row, the first lock, so
    what does not depend on what is read under the locks is done before them. Who is staff or a
    lead (memberships change under their own locks, never these) and everyone's contact
    preferences are read and checked first. On PostgreSQL the new booking's key is then taken
    from its sequence, and every row the booking writes is built with the ONE statement that
    writes them (``_prepare_write``), from the agreement and the rows read with it.

    Under the locks: the agreement's row (its status again, its dates and hours a month), the
    supervisor's hours and days off, their sessions, and the hours rules; then the prepared
    statement is sent, unless the agreement or a row read with it is not what the rows were
    built from (renamed, a new video link, a new hourly rate in between): then they are built
    again from what the locks read, as they were before any of them was built early."""
    # Read once and passed down: the slot check, the booking's place or link and the messages
    # all use them. Preferences are read, never created, here; the memberships come in the same
    # query.
    preferences, leads_by_member = preferences_and_memberships_of(
        [acting_user, *choice.attendees, agreement.supervisor.user], agreement.organisation_id
    )
    check_may_book(agreement, acting_user, choice.attendees, leads_by_member)
    hours = hours_for(choice.minutes)
    # A key from a sequence is the same taken now or under the locks; taken now, every row that
    # names it can be built before them.
    key = new_key(SupervisionBooking) if writes_in_one_statement() else None
    building = _WriteBuilding(choice, hours=hours, acting_user=acting_user, now=now, preferences=preferences, key=key)
    write: _BookingWrite | None = None
    inputs = _write_inputs(agreement) if key is not None else None
    if inputs is not None:  # built from rows read already, without a query
        write = _prepare_write(agreement, building, inputs)
    with transaction.atomic():
        agreement = _lock_capacity(agreement)
        check_agreement_active(agreement)  # ended since it was read above: refused all the same
        settings_row = loaded_availability_settings(agreement.supervisor)
        _check_slot(agreement, choice, now, settings_row=settings_row, preferences_by_user=preferences)
        _check_hours(agreement, choice.starts_at, hours, settings_row=settings_row)
        if write is None or write.inputs != _write_inputs(agreement):
            write = _prepare_write(agreement, building, None)  # from the locked read: nothing to compare
        # On PostgreSQL the exclusion constraint (NO_OVERLAP) refuses an overlapping live booking
        # whatever the checks above said; book_supervision turns that into a refusal.
        booking = _write_booking(write, building)
        queue_calendar_sync(booking.supervisor_id)
        forget_next_free(booking.supervisor_id)
        emit_booking_event(EventKind.BOOKING_CREATED, booking, now)
    return booking


@dataclass(frozen=True)
class _WriteBuilding:
    """What a new booking's rows are built from besides the agreement and the rows read with
    it: the choice, the booker, the moment, everyone's contact preferences (all read before the
    locks), and the booking's key when taken beforehand (PostgreSQL)."""

    choice: BookingChoice
    hours: Decimal
    acting_user: User
    now: datetime.datetime
    preferences: dict[int, ContactPreferences]
    key: int | None = None


@dataclass(frozen=True)
class _BookingWrite:
    """A new booking, unsaved, and with its key (PostgreSQL) the ONE statement that writes it and
    everything that goes with it, with the outbox rows it writes; ``inputs``: the agreement's
    and its related rows' values they were built from (``_write_inputs``), None when built
    under the locks (from the locked read, so nothing to compare)."""

    booking: SupervisionBooking
    inputs: tuple[tuple[object, ...], ...] | None
    statement: tuple[str, list[Any]] | None = None
    outbox: list[Notification] = field(default_factory=list)


def _write_inputs(agreement: SupervisionAgreement) -> tuple[tuple[object, ...], ...] | None:
    """Every column of the rows a booking's write is built from besides ``_WriteBuilding``: the
    agreement, its supervisor, their person and availability settings (the defaults when they
    have none), its organisation and its pool (the hourly rate prices the ledger's entries). All
    of them, not only those read today, so that a builder reading one more can never send rows
    built from a value that has changed. None when one of them, or a column of one, was not
    read with the agreement (building would read it: then the rows are built under the locks,
    from the locked read)."""
    if not (
        SupervisionAgreement.supervisor.is_cached(agreement)
        and SupervisionAgreement.organisation.is_cached(agreement)
        and SupervisionAgreement.pool.is_cached(agreement)
        and SupervisorProfile.user.is_cached(agreement.supervisor)
        and SupervisorProfile.availability_settings.is_cached(agreement.supervisor)
    ):
        return None
    supervisor = agreement.supervisor
    rows: tuple[Model, ...] = (
        agreement,
        supervisor,
        supervisor.user,
        loaded_availability_settings(supervisor),
        agreement.organisation,
        agreement.pool,
    )
    try:
        return tuple(_columns_of(type(row))(row.__dict__) for row in rows)
    except KeyError:  # a column deferred
        return None


@functools.cache
def _columns_of(model: type[Model]) -> Callable[[dict[str, Any]], tuple[object, ...]]:
    """A model's columns' values from an instance's ``__dict__``, in one call (``_write_inputs``
    runs under the locks)."""
    return operator.itemgetter(*(field.attname for field in model._meta.concrete_fields))


def _prepare_write(
    agreement: SupervisionAgreement, building: _WriteBuilding, inputs: tuple[tuple[object, ...], ...] | None
) -> _BookingWrite:
    """The new booking under ``agreement``, whose rows' values are ``inputs`` (``_write_inputs``;
    None under the locks); with its key (PostgreSQL), every row it writes and the ONE statement
    that writes them, each insert a data-modifying CTE of the last
    (reflect/inserts.py, ``one_statement``): each is the INSERT Django's compiler writes for
    ``save()`` or ``bulk_create()``, its SQL kept once per process, and the months' upsert is
    ``record_new_ledger_entries``'s. Nothing in it reads another's rows (the key is known, the
    months' totals added up in Python). The values the compiler takes from the clock
    (``auto_now``, the outbox's moments) are those of when it is built, before the locks as
    ``now`` is."""
    choice, settings_row = building.choice, loaded_availability_settings(agreement.supervisor)
    booking = SupervisionBooking(
        pk=building.key,
        agreement=agreement,
        supervisor=agreement.supervisor,
        organisation=agreement.organisation,
        pool=agreement.pool,
        starts_at=choice.starts_at,
        ends_at=choice.starts_at + datetime.timedelta(minutes=choice.minutes),
        minutes=choice.minutes,
        hours=building.hours,
        is_group=agreement.format == Offer.GROUP_SUPERVISION,
        mode=choice.mode,
        online_link=settings_row.online_link if choice.mode == SessionMode.ONLINE else "",
        meeting_place=settings_row.meeting_place if choice.mode == SessionMode.IN_PERSON else "",
        booked_by=building.acting_user,
    )
    if building.key is None:
        return _BookingWrite(booking, None)
    # The booking's insert first: it sets created_at and updated_at, which its calendar text reads.
    booking_insert = insert_sql([booking], keys_given=True)
    outbox = booking_confirmation_rows(booking, choice.attendees, building.preferences)
    entries = _ledger_entries(booking, LedgerKind.RESERVED, LedgerKind.SUPERVISION_BOOKED, "booked", building.now)
    audit = audit_row("supervision.booked", actor=building.acting_user, target=booking, minutes=booking.minutes)
    statement = one_statement(
        [
            booking_insert,
            insert_sql([BookingAttendee(booking=booking, user=user) for user in choice.attendees]),
            *new_ledger_entries_writes(entries),
            insert_sql([audit]),
            insert_sql(outbox, returning_pk=True),
        ]
    )
    return _BookingWrite(booking, inputs, statement, outbox)


def _write_booking(write: _BookingWrite, building: _WriteBuilding) -> SupervisionBooking:
    """Write a new booking and everything that goes with it: its attendees, the ledger's two
    entries and their months, the audit event, and every confirmation and reminder.

    Prepared (PostgreSQL), in its ONE statement: any refusal (the exclusion constraint,
    NO_OVERLAP) fails the whole statement, as it failed the booking's own insert. Elsewhere the
    ORM writes them one by one."""
    booking = write.booking
    if write.statement is None:
        attendees = building.choice.attendees
        booking.save(force_insert=True)
        BookingAttendee.objects.bulk_create(BookingAttendee(booking=booking, user=user) for user in attendees)
        _record(booking, LedgerKind.RESERVED, LedgerKind.SUPERVISION_BOOKED, "booked", building.now, source_is_new=True)
        record_audit("supervision.booked", actor=building.acting_user, target=booking, minutes=booking.minutes)
        queue_booking_confirmations(booking, attendees, building.preferences)
        return booking
    returned = run_one_statement(write.statement)
    mark_saved(booking, booking.pk)
    for row, (pk,) in zip(write.outbox, returned, strict=True):
        mark_saved(row, pk)
    publish_after_commit(write.outbox)
    return booking


def _ledger_entries(
    booking: SupervisionBooking, hours_kind: str, count_kind: str, event: str, now: datetime.datetime
) -> list[LedgerEntry]:
    """The ledger's two entries for a change of a booking (``_record``)."""
    return [
        LedgerEntry(
            pool=booking.pool,
            organisation=booking.organisation,
            kind=hours_kind,
            hours=booking.hours,
            occurred_at=now,
            source=f"supervision:{booking.pk}:{hours_kind}",
        ),
        LedgerEntry(
            pool=booking.pool,
            organisation=booking.organisation,
            kind=count_kind,
            quantity=1,
            occurred_at=now,
            source=f"supervision:{booking.pk}:{event}",
        ),
    ]


def _record(
    booking: SupervisionBooking,
    hours_kind: str,
    count_kind: str,
    event: str,
    now: datetime.datetime,
    *,
    source_is_new: bool = False,
) -> None:
    """The ledger's two entries for a change of a booking: its hours (reserved, released or
    consumed) and the count of what happened. Source keys make a retried use case record once;
    ``source_is_new`` for a booking inserted in this transaction, whose keys nothing can hold
    yet: both entries then go in one insert and their months in one upsert."""
    entries = _ledger_entries(booking, hours_kind, count_kind, event, now)
    if source_is_new:
        record_new_ledger_entries(entries)
        return
    for entry in entries:
        record_ledger_entry(
            entry.pool,
            entry.kind,
            organisation=entry.organisation,
            hours=entry.hours,
            quantity=entry.quantity,
            occurred_at=now,
            source=entry.source,
        )


def lock_booking(booking: SupervisionBooking) -> SupervisionBooking:
    return (
        SupervisionBooking.objects.select_for_update(of=("self",))
        .select_related("agreement", "supervisor__user", "organisation", "pool")
        .get(pk=booking.pk)
    )


def is_late(booking: SupervisionBooking, now: datetime.datetime) -> bool:
    """Cancelling with less notice than the pool asks (24 hours by default) uses the hours."""
    return booking.starts_at - now < datetime.timedelta(hours=booking.pool.late_cancellation_hours)


def may_manage(booking: SupervisionBooking, user: User) -> bool:
    """Who may move or cancel a booking: the organisation's leads, and — while still staff
    there — the person who booked it and, for a 1:1 session, the person it is for. One
    attendee cannot move or cancel a group session for everyone."""
    if is_current_lead(user, booking.organisation_id):
        return True
    if current_member(user, booking.organisation_id) is None:
        return False
    if booking.booked_by_id == user.pk:
        return True
    return not booking.is_group and booking.attendees.filter(user=user).exists()


@retry_when_sqlite_is_locked
def cancel_supervision(
    booking: SupervisionBooking,
    *,
    acting_user: User,
    reason: str = "",
    now: datetime.datetime | None = None,
    erasing: bool = False,
    agreement_ending: bool = False,
) -> SupervisionBooking:
    """Cancel; hours come back with enough notice (or when the supervisor cancels), else are used.

    ``erasing``: the person booked is erasing their account. Their own session is cancelled
    even if they have left the organisation since, and the hours always come back — it is
    not the organisation's choice. ``agreement_ending``: the session falls after the end of
    its agreement (cancel_sessions_after_the_end); the hours come back too.
    """
    now = now or timezone.now()
    with transaction.atomic():
        booking = lock_booking(booking)
        by_supervisor = booking.supervisor.user_id == acting_user.pk
        own_erasure = erasing and booking.attendees.filter(user=acting_user).exists()
        if not by_supervisor and not own_erasure and not may_manage(booking, acting_user):
            raise DomainError("Only the people booked, their organisation's lead or the supervisor can cancel.")
        if booking.is_cancelled:
            return booking  # a second click: it is already cancelled
        if booking.status != BookingStatus.BOOKED:
            raise DomainError("This session has already happened, so it cannot be cancelled.")
        if booking.starts_at <= now:
            raise DomainError("This session has already started. The supervisor will mark it as attended or missed.")
        late = is_late(booking, now) and not by_supervisor and not erasing and not agreement_ending
        booking.status = BookingStatus.LATE_CANCELLED if late else BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.cancelled_by_supervisor = by_supervisor
        booking.cancel_reason = reason.strip()[:200]
        booking.sequence += 1
        booking.save()
        _record(
            booking,
            LedgerKind.CONSUMED if late else LedgerKind.RELEASED,
            LedgerKind.SUPERVISION_LATE_CANCELLED if late else LedgerKind.SUPERVISION_CANCELLED,
            "cancelled",
            now,
        )
        record_audit("supervision.cancelled", actor=acting_user, target=booking, late=late)
        queue_cancellation(booking, acting_user=acting_user)
        queue_calendar_sync(booking.supervisor_id)
        # The hours come back to the organisation: its other agreements may offer times again.
        forget_next_free(booking.supervisor_id, organisation_id=booking.organisation_id)
        emit_booking_event(EventKind.BOOKING_CANCELLED, booking, now)
    return booking


@when_agreement_ends
def cancel_sessions_after_the_end(agreement: SupervisionAgreement, acting_user: User, now: datetime.datetime) -> None:
    """An agreement given notice takes no hours after its last day: the sessions booked after it
    are cancelled, and everyone in them told (with a METHOD:CANCEL for their calendar). In
    start order; the agreement's row is already locked (end_agreement), then each booking's,
    as reschedule_supervision takes them (reflect/locks.py)."""
    assert agreement.ends_on is not None
    after = datetime.datetime.combine(agreement.ends_on + datetime.timedelta(days=1), datetime.time.min, tzinfo=LONDON)
    reason = f"The supervision agreement ends on {wording.date(agreement.ends_on)}."
    for booking in SupervisionBooking.objects.filter(
        agreement=agreement, status=BookingStatus.BOOKED, starts_at__gte=max(after, now)
    ).order_by("starts_at", "pk"):
        cancel_supervision(booking, acting_user=acting_user, reason=reason, now=now, agreement_ending=True)


@retry_when_sqlite_is_locked
def reschedule_supervision(
    booking: SupervisionBooking,
    starts_at: datetime.datetime,
    minutes: int,
    *,
    acting_user: User,
    now: datetime.datetime | None = None,
) -> SupervisionBooking:
    """Move a session: the new time is taken before the old one is let go, in one transaction.

    The booking keeps its row and its calendar UID (SEQUENCE goes up), so calendars move the
    event rather than adding another.
    """
    now = now or timezone.now()
    with transaction.atomic():
        agreement = _lock_capacity(booking.agreement)
        booking = lock_booking(booking)
        if not may_manage(booking, acting_user):
            raise DomainError("Only the people booked or their organisation's lead can move this session.")
        if booking.status != BookingStatus.BOOKED or booking.starts_at <= now:
            raise DomainError("Only sessions still to come can be moved.")
        if is_late(booking, now):
            raise DomainError(
                f"This session is less than {wording.hours(booking.pool.late_cancellation_hours)} away, so it can no longer "
                "be moved. You can still cancel it; the hours will be used."
            )
        attendees = [attendee.user for attendee in booking.attendees.select_related("user")]
        choice = BookingChoice(starts_at=starts_at, minutes=minutes, attendees=attendees, mode=booking.mode)
        settings_row = loaded_availability_settings(agreement.supervisor)  # read with the locks
        _check_slot(agreement, choice, now, exclude=booking.pk, settings_row=settings_row)
        hours = hours_for(minutes)
        _check_hours(
            agreement,
            starts_at,
            hours,
            settings_row=settings_row,
            exclude=booking.pk,
            already_reserved=booking.hours,
        )
        old_when = booking_when(booking)
        change = hours - booking.hours
        booking.starts_at = starts_at
        booking.ends_at = starts_at + datetime.timedelta(minutes=minutes)
        booking.minutes = minutes
        booking.hours = hours
        booking.sequence += 1
        try:
            with transaction.atomic():
                booking.save()
        except IntegrityError as error:
            raise SlotRefused(
                "That time was booked by someone else a moment ago.",
                reason=slots.RefusalReason.TAKEN,
                next_free=next_free_slots(agreement, attendees, now=now, exclude=booking.pk),
            ) from error
        if change:
            record_ledger_entry(
                booking.pool,
                LedgerKind.RESERVED if change > 0 else LedgerKind.RELEASED,
                organisation=booking.organisation,
                hours=abs(change),
                occurred_at=now,
                source=f"supervision:{booking.pk}:moved:{booking.sequence}",
            )
        record_audit("supervision.moved", actor=acting_user, target=booking, minutes=minutes)
        queue_booking_changed(booking, old_when=old_when)
        queue_calendar_sync(booking.supervisor_id)
        # A shorter session gives hours back, and the old month's hours come free.
        forget_next_free(booking.supervisor_id, organisation_id=booking.organisation_id)
        emit_booking_event(EventKind.BOOKING_CHANGED, booking, now)
    return booking


@retry_when_sqlite_is_locked
def mark_attendance(
    booking: SupervisionBooking, *, attended: bool, acting_user: User, now: datetime.datetime | None = None
) -> SupervisionBooking:
    """The supervisor records that the session happened, or that nobody came; the hours are used."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = lock_booking(booking)
        if booking.supervisor.user_id != acting_user.pk:
            raise DomainError("Only the supervisor can mark attendance.")
        if booking.starts_at > now:
            raise DomainError("Attendance can be marked once the session has started.")
        wanted = BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW
        if booking.status == wanted:
            return booking
        if booking.status != BookingStatus.BOOKED:
            raise DomainError(f"This session is already marked “{booking.get_status_display().lower()}”.")
        booking.status = wanted
        booking.attendance_marked_at = now
        booking.save(update_fields=["status", "attendance_marked_at", "updated_at"])
        _record(
            booking,
            LedgerKind.CONSUMED,
            LedgerKind.SUPERVISION_HELD if attended else LedgerKind.SUPERVISION_NO_SHOW,
            "attendance",
            now,
        )
        record_audit("supervision.attendance", actor=acting_user, target=booking, attended=attended)
    return booking


def bookings_of(user: User | int) -> Q:
    """A filter for the bookings a person is in: as an attendee or as the supervisor.

    A subquery rather than a join, so that a booking with several attendees comes once and
    no DISTINCT is needed.
    """
    attending = BookingAttendee.objects.filter(user=user).values("booking_id")
    return Q(pk__in=attending) | Q(supervisor__user=user)
