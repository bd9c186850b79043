"""What scheduling holds about a person, for export and erasure (reflect/data_protection/)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from reflect import wording
from reflect.data_protection.registry import Blocker, Erasure, register_erasure_blocker, register_erasure_step
from reflect.data_protection.registry import register_export as export
from reflect.models import User
from scheduling.groups.capacity import lock_session
from scheduling.groups.cohorts import withdraw_application
from scheduling.groups.places import cancel_place
from scheduling.groups.waitlist import leave_waitlist
from scheduling.models import (
    AvailabilitySettings,
    BookingAttendee,
    BookingStatus,
    BusyCalendarFeed,
    BusyInterval,
    CalendarConnection,
    CalendarEntry,
    CalendarFeed,
    CohortApplication,
    CohortMembership,
    ConnectedBusyTime,
    DateOverride,
    Place,
    PlaceStatus,
    ReflectiveGroup,
    SessionStatus,
    SupervisionBooking,
    WaitlistEntry,
    WeeklyRule,
)
from scheduling.models.cohorts import ApplicationStatus
from scheduling.models.groups import ACTIVE_WAITLIST_STATUSES
from scheduling.services.bookings import bookings_of, cancel_supervision
from scheduling.services.busy_calendar import feed_host
from scheduling.services.calendar_sync import calendar_host

# --- Export: one line per model ------------------------------------------------------------------
SESSION = [("Group", "session.group.title"), ("Starts", "session.starts_at"), ("Organisation", "organisation.name")]
export(Place, "Your reflective-group places", lambda u: Place.objects.filter(user=u).select_related("session__group", "organisation"), [*SESSION, "status", "booked_at", "cancelled_at", "cancel_reason"], order=20)  # fmt: skip
export(WaitlistEntry, "Your places on waitlists", lambda u: WaitlistEntry.objects.filter(user=u).select_related("session__group", "organisation"), [*SESSION, "status", "joined_at", "first_offered_at", "offered_until", "auto_accept"], order=21)  # fmt: skip
export(ReflectiveGroup, "Reflective groups you facilitate", lambda u: ReflectiveGroup.objects.filter(facilitator__user=u).select_related("pool"), ["title", ("Pool", "pool.name"), "rrule", "start_time", "duration_minutes", "status"], order=32)  # fmt: skip
export(AvailabilitySettings, "Your availability settings", lambda u: AvailabilitySettings.objects.filter(supervisor__user=u), ["time_zone", "session_lengths", "buffer_minutes", "minimum_notice_hours", "horizon_weeks", "max_sessions_per_day", "max_sessions_per_week", "online_link", "meeting_place"], order=33)  # fmt: skip
export(WeeklyRule, "Your weekly hours", lambda u: WeeklyRule.objects.filter(supervisor__user=u), ["label"], order=34)  # fmt: skip
export(DateOverride, "Days when your hours differ", lambda u: DateOverride.objects.filter(supervisor__user=u), ["label", "note"], order=35)  # fmt: skip
export(SupervisionBooking, "Your supervision sessions", lambda u: SupervisionBooking.objects.filter(bookings_of(u) | Q(booked_by=u)).select_related("organisation", "supervisor__user"), [("Organisation", "organisation.name"), ("Supervisor", "supervisor.user.display_name"), "starts_at", "ends_at", "hours", "is_group", "mode", "status", "cancelled_at", "cancel_reason"], also_covers=[BookingAttendee], order=22)  # fmt: skip
export(CohortApplication, "Your applications to cohort groups", lambda u: CohortApplication.objects.filter(user=u).select_related("pool", "organisation", "cohort"), [("Pool", "pool.name"), ("Organisation", "organisation.name"), "weekdays", "earliest_start", "latest_end", "applied_at", "status", ("Cohort", "cohort.title")], order=24)  # fmt: skip
export(CohortMembership, "Your cohort groups", lambda u: CohortMembership.objects.filter(user=u).select_related("group", "organisation"), [("Group", "group.title"), ("Organisation", "organisation.name"), "joined_at", "left_at"], order=25)  # fmt: skip
# The private calendar address works as a key: that it exists is enough.
export(CalendarFeed, "Your private calendar address", lambda u: CalendarFeed.objects.filter(user=u), ["created_at"], order=23)  # fmt: skip
# The feed's address works as a key to the supervisor's own calendar: its host is enough.
export(BusyCalendarFeed, "Your busy calendar", lambda u: BusyCalendarFeed.objects.filter(supervisor__user=u), [("Calendar address (host)", feed_host), "status", "last_success_at"], order=36)  # fmt: skip
export(BusyInterval, "Busy times from your calendar", lambda u: BusyInterval.objects.filter(feed__supervisor__user=u), ["start", "end"], order=37)  # fmt: skip
# The connected calendar: never its password (encrypted, and not the person's data to be given back in clear).
export(CalendarConnection, "Your connected calendar", lambda u: CalendarConnection.objects.filter(supervisor__user=u), [("Calendar address (host)", calendar_host), "username", "status", "last_synced_at"], also_covers=[CalendarEntry], order=38)  # fmt: skip
export(ConnectedBusyTime, "Busy times from your connected calendar", lambda u: ConnectedBusyTime.objects.filter(connection__supervisor__user=u), ["start", "end"], order=39)  # fmt: skip


# --- Erasure -------------------------------------------------------------------------------------


@register_erasure_blocker
def facilitator_blockers(user: User) -> list[Blocker]:
    groups = (
        ReflectiveGroup.objects.filter(
            facilitator__user=user,
            sessions__status=SessionStatus.SCHEDULED,
            sessions__starts_at__gt=timezone.now(),
        )
        .distinct()
        .order_by("title")
    )
    return [
        Blocker(
            message=(
                f"You facilitate “{group.title}”, which has sessions to come. Ask the pool's commissioner "
                "to choose another facilitator first."
            )
        )
        for group in groups
    ]


@register_erasure_step(10, "scheduling: give up future places and leave waitlists")
def release_places(erasure: Erasure) -> None:
    """Through the usual use cases, so a freed place is offered to whoever waits first."""
    user, now = erasure.user, erasure.now
    future = list(Place.objects.filter(user=user, status=PlaceStatus.BOOKED, session__starts_at__gt=now).order_by("pk"))
    entries = list(WaitlistEntry.objects.filter(user=user, status__in=ACTIVE_WAITLIST_STATUSES).order_by("pk"))
    # Every session first, in id order: giving places back writes to the ledger's months, and
    # no session lock may be waited for while holding one of those (cohorts.book_members).
    for session_id in sorted({p.session_id for p in future} | {e.session_id for e in entries}):
        lock_session(session_id)
    for place in future:
        cancel_place(place, acting_user=user, now=now)
        erasure.count("places_cancelled")
    for entry in entries:
        leave_waitlist(entry, acting_user=user, now=now)
        erasure.count("waitlist_entries_left")
    # What they wrote when cancelling is theirs; that a place was cancelled is a count.
    Place.objects.filter(user=user).exclude(cancel_reason="").update(cancel_reason="")


@register_erasure_step(20, "scheduling: remove a supervisor's availability and calendars")
def remove_availability(erasure: Erasure) -> None:
    mine = Q(supervisor__user=erasure.user)
    BusyCalendarFeed.objects.filter(mine).delete()  # its busy times go with it
    CalendarConnection.objects.filter(mine).delete()  # its password, busy times and entries too
    DateOverride.objects.filter(mine).delete()
    WeeklyRule.objects.filter(mine).delete()
    AvailabilitySettings.objects.filter(mine).delete()


@register_erasure_blocker
def supervision_session_blockers(user: User) -> list[Blocker]:
    count = SupervisionBooking.objects.filter(
        supervisor__user=user, status=BookingStatus.BOOKED, starts_at__gt=timezone.now()
    ).count()
    if not count:
        return []
    return [
        Blocker(
            message=f"You have {wording.count(count, 'supervision session')} to come as the supervisor. "
            f"Cancel or hand {'it' if count == 1 else 'them'} on first."
        )
    ]


@register_erasure_step(11, "scheduling: leave future supervision sessions, drop the private calendar address")
def release_supervision(erasure: Erasure) -> None:
    """A 1:1 session is cancelled through the usual use case (its notices, its ledger entries);
    from a group session the person is simply taken off, and it goes ahead for the others."""
    user, now = erasure.user, erasure.now
    future = SupervisionBooking.objects.filter(
        attendees__user=user, status=BookingStatus.BOOKED, starts_at__gt=now
    ).order_by("pk")
    for booking in future:
        if booking.attendees.exclude(user=user).exists():
            BookingAttendee.objects.filter(booking=booking, user=user).delete()
        else:
            cancel_supervision(booking, acting_user=user, now=now, erasing=True)
        erasure.count("supervision_sessions_left")
    for booking in SupervisionBooking.objects.filter(bookings_of(user) | Q(booked_by=user)).exclude(cancel_reason=""):
        booking.cancel_reason = erasure.scrub_text(booking.cancel_reason)
        booking.save(update_fields=["cancel_reason"])
    CalendarFeed.objects.filter(user=user).delete()


@register_erasure_step(12, "scheduling: withdraw cohort applications and leave cohorts")
def leave_cohorts(erasure: Erasure) -> None:
    """Their places in the cohorts' sessions to come were cancelled with the other places (step 10)."""
    user, now = erasure.user, erasure.now
    for application in CohortApplication.objects.filter(user=user, status=ApplicationStatus.WAITING):
        withdraw_application(application, acting_user=user)
    erasure.count(
        "cohorts_left",
        CohortMembership.objects.filter(user=user, left_at__isnull=True).update(left_at=now),
    )
