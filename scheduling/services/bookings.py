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
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from reflect import wording
from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.local_time import LONDON, UK_ZONE
from reflect.locks import Lock, lock_on, retry_when_sqlite_is_locked
from reflect.models import Membership, PoolOrganisation, User
from reflect.queries import current_member, current_members, is_current_lead
from reflect.services.audit import record_audit
from reflect.services.ledger import CENT, hours_balance, hours_sum, record_ledger_entry
from reflect.services.preferences import preferences_for
from scheduling import slots
from scheduling.intervals import Interval
from scheduling.models import BookingAttendee, BookingStatus, SessionMode, SupervisionBooking
from scheduling.models.bookings import LIVE_BOOKING_STATUSES
from scheduling.queries import availability_for, availability_settings_of, busy_intervals_for
from scheduling.services.booking_notices import (
    booking_when,
    queue_booking_changed,
    queue_booking_confirmations,
    queue_cancellation,
)
from supervision.enums import AgreementStatus
from supervision.matching import Offer
from supervision.models import SupervisionAgreement, SupervisorProfile

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


def booker_for(users: Sequence[User]) -> slots.Booker:
    """The slot engine's booker: the latest "no sessions before" among the attendees."""
    zone = UK_ZONE
    latest: datetime.time | None = None
    for user in users:
        preferences = preferences_for(user)
        if preferences.no_sessions_before and (latest is None or preferences.no_sessions_before > latest):
            latest = preferences.no_sessions_before
            zone = preferences.time_zone or zone
    return slots.Booker(time_zone=zone, no_sessions_before=latest)


def live_booking_intervals(
    supervisor: SupervisorProfile, *, since: datetime.datetime, until: datetime.datetime, exclude: int | None = None
) -> list[Interval]:
    rows = SupervisionBooking.objects.filter(
        supervisor=supervisor, status__in=LIVE_BOOKING_STATUSES, ends_at__gt=since, starts_at__lt=until
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return [Interval(start, end) for start, end in rows.order_by("starts_at").values_list("starts_at", "ends_at")]


def _engine_inputs(
    supervisor: SupervisorProfile, now: datetime.datetime, *, exclude: int | None = None
) -> tuple[slots.Availability, list[Interval], list[Interval]]:
    availability = availability_for(supervisor)
    # A day either side: buffers and the week's limit reach past the horizon's edges.
    since = now - datetime.timedelta(days=8)
    until = now + availability.horizon + datetime.timedelta(days=8)
    bookings = live_booking_intervals(supervisor, since=since, until=until, exclude=exclude)
    busy = busy_intervals_for(supervisor, since, until)
    return availability, bookings, busy


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


def bookable_attendees(agreement: SupervisionAgreement, user: User) -> list[User]:
    """Whom this person may book a session for (the choice the booking page offers; the rule
    check_may_book enforces): a lead, any current staff; for group supervision, colleagues
    too; anyone else, themselves."""
    members = list(current_members(agreement.organisation))
    is_lead = any(m.user_id == user.pk and m.is_lead for m in members)
    if is_lead or agreement.format == Offer.GROUP_SUPERVISION:
        return [m.user for m in members]
    return [user]


def check_may_book(agreement: SupervisionAgreement, acting_user: User, attendees: Sequence[User]) -> None:
    """Who may book: staff for themselves (and named colleagues), a lead for any of their staff."""
    actor = current_member(acting_user, agreement.organisation_id)
    if actor is None:
        raise DomainError(f"Only staff of {agreement.organisation.name} can book its supervision.")
    if agreement.status != AgreementStatus.ACTIVE:
        raise DomainError(
            f"{agreement.organisation.name}'s agreement with {agreement.supervisor.user.display_name} has ended. "
            "Your organisation lead can ask for a new one from the supervisors page."
        )
    if not attendees:
        raise DomainError("Choose who the session is for.", field="attendees")
    if not actor.is_lead and acting_user not in attendees:
        raise DomainError("You can book sessions for yourself; your organisation lead can book for others.")
    member_ids = set(
        Membership.objects.filter(
            organisation_id=agreement.organisation_id, left_at__isnull=True, user__in=attendees
        ).values_list("user_id", flat=True)
    )
    outsiders = [user.display_name for user in attendees if user.pk not in member_ids]
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


def _check_slot(
    agreement: SupervisionAgreement,
    choice: BookingChoice,
    now: datetime.datetime,
    *,
    exclude: int | None = None,
) -> None:
    availability, bookings, busy = _engine_inputs(agreement.supervisor, now, exclude=exclude)
    booker = booker_for(choice.attendees)
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


def _agreement_hours_in_month(
    agreement: SupervisionAgreement, moment: datetime.datetime, exclude: int | None
) -> Decimal:
    first, following = month_bounds(moment)
    rows = SupervisionBooking.objects.filter(
        agreement=agreement, status__in=AGREEMENT_HOURS_STATUSES, starts_at__gte=first, starts_at__lt=following
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return hours_sum(rows.aggregate(total=Sum("hours"))["total"])


def _supervisor_hours_in_month(
    supervisor: SupervisorProfile, moment: datetime.datetime, zone: str, exclude: int | None
) -> Decimal:
    first, following = month_bounds(moment, zone)
    rows = SupervisionBooking.objects.filter(
        supervisor=supervisor, status__in=LIVE_BOOKING_STATUSES, starts_at__gte=first, starts_at__lt=following
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return hours_sum(rows.aggregate(total=Sum("hours"))["total"])


def _check_hours(
    agreement: SupervisionAgreement,
    starts_at: datetime.datetime,
    hours: Decimal,
    *,
    exclude: int | None = None,
    already_reserved: Decimal = Decimal("0"),
) -> None:
    """The organisation's allocation, the agreement's month and the supervisor's month."""
    balance = hours_balance(agreement.pool, agreement.organisation)
    extra = hours - already_reserved
    if extra > balance.left:
        left = max(balance.left, Decimal("0"))
        raise DomainError(
            f"{agreement.organisation.name} has {wording.hours_left(left)} left of its allocation in "
            f"{agreement.pool.name}, and this session needs {wording.hours(hours)}. Choose a shorter session, or ask the pool's commissioner "
            "about more hours."
        )
    month_hours = _agreement_hours_in_month(agreement, starts_at, exclude)
    if month_hours + hours > agreement.hours_per_month:
        local = starts_at.astimezone(LONDON)
        left = max(agreement.hours_per_month - month_hours, Decimal("0"))
        raise DomainError(
            f"The agreement with {agreement.supervisor.user.display_name} is for "
            f"{wording.hours(agreement.hours_per_month)} a month; {wording.hours_left(left)} of that is left in {local:%B %Y}. Choose a shorter session or another month."
        )
    settings_row = availability_settings_of(agreement.supervisor)
    capacity = settings_row.monthly_capacity_hours
    if capacity is not None:
        taken = _supervisor_hours_in_month(agreement.supervisor, starts_at, settings_row.time_zone, exclude)
        if taken + hours > capacity:
            local = starts_at.astimezone(ZoneInfo(settings_row.time_zone))
            raise DomainError(
                f"{agreement.supervisor.user.display_name} is fully booked for {local:%B %Y}. "
                "Choose a time in another month."
            )


def _lock_capacity(agreement: SupervisionAgreement) -> SupervisionAgreement:
    """Take the capacity locks in the fixed order (module docstring) and reload the agreement."""
    if lock_on(Lock.SUPERVISION_CAPACITY):
        # The allocation: no two bookings of this organisation spend its last hours twice.
        PoolOrganisation.objects.select_for_update().get(
            pool_id=agreement.pool_id, organisation_id=agreement.organisation_id
        )
        # The supervisor's time: bookings of any organisation with this supervisor queue here,
        # so the slot check below sees every booking made before it.
        SupervisorProfile.objects.select_for_update().get(pk=agreement.supervisor_id)
        queryset = SupervisionAgreement.objects.select_for_update(of=("self",))
    else:
        queryset = SupervisionAgreement.objects.all()
    return queryset.select_related("supervisor__user", "organisation", "pool").get(pk=agreement.pk)


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
    with transaction.atomic():
        agreement = _lock_capacity(agreement)
        check_may_book(agreement, acting_user, choice.attendees)
        _check_slot(agreement, choice, now)
        hours = hours_for(choice.minutes)
        _check_hours(agreement, choice.starts_at, hours)
        settings_row = availability_settings_of(agreement.supervisor)
        try:
            # A savepoint: losing to the exclusion constraint must not spoil the transaction.
            with transaction.atomic():
                booking = SupervisionBooking.objects.create(
                    agreement=agreement,
                    supervisor=agreement.supervisor,
                    organisation=agreement.organisation,
                    pool=agreement.pool,
                    starts_at=choice.starts_at,
                    ends_at=choice.starts_at + datetime.timedelta(minutes=choice.minutes),
                    minutes=choice.minutes,
                    hours=hours,
                    is_group=agreement.format == Offer.GROUP_SUPERVISION,
                    mode=choice.mode,
                    online_link=settings_row.online_link if choice.mode == SessionMode.ONLINE else "",
                    meeting_place=settings_row.meeting_place if choice.mode == SessionMode.IN_PERSON else "",
                    booked_by=acting_user,
                )
        except IntegrityError as error:
            raise SlotRefused(
                "That time was booked by someone else a moment ago.",
                reason=slots.RefusalReason.TAKEN,
                next_free=next_free_slots(agreement, choice.attendees, now=now),
            ) from error
        BookingAttendee.objects.bulk_create(BookingAttendee(booking=booking, user=user) for user in choice.attendees)
        _record(booking, LedgerKind.RESERVED, LedgerKind.SUPERVISION_BOOKED, "booked", now)
        record_audit("supervision.booked", actor=acting_user, target=booking, minutes=choice.minutes)
        queue_booking_confirmations(booking)
    return booking


def _record(booking: SupervisionBooking, hours_kind: str, count_kind: str, event: str, now: datetime.datetime) -> None:
    """The ledger's two entries for a change of a booking: its hours (reserved, released or
    consumed) and the count of what happened. Source keys make a retried use case record once."""
    record_ledger_entry(
        booking.pool,
        hours_kind,
        organisation=booking.organisation,
        hours=booking.hours,
        occurred_at=now,
        source=f"supervision:{booking.pk}:{hours_kind}",
    )
    record_ledger_entry(
        booking.pool,
        count_kind,
        organisation=booking.organisation,
        quantity=1,
        occurred_at=now,
        source=f"supervision:{booking.pk}:{event}",
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
) -> SupervisionBooking:
    """Cancel; hours come back with enough notice (or when the supervisor cancels), else are used.

    ``erasing``: the person booked is erasing their account. Their own session is cancelled
    even if they have left the organisation since, and the hours always come back — it is
    not the organisation's choice.
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
        late = is_late(booking, now) and not by_supervisor and not erasing
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
    return booking


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
        _check_slot(agreement, choice, now, exclude=booking.pk)
        hours = hours_for(minutes)
        _check_hours(agreement, starts_at, hours, exclude=booking.pk, already_reserved=booking.hours)
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


def bookings_of(user: User) -> Q:
    """A filter for the bookings a person is in: as an attendee or as the supervisor.

    A subquery rather than a join, so that a booking with several attendees comes once and
    no DISTINCT is needed.
    """
    attending = BookingAttendee.objects.filter(user=user).values("booking_id")
    return Q(pk__in=attending) | Q(supervisor__user=user)
