"""Supervision booking pages: choose a time, book, move, cancel, the supervisor's sessions,
attendance, the supervision log and calendar files.

Views parse, call a service and render. Every object comes through an ``access_*`` helper, so
anyone not entitled to a booking or agreement gets a 404 (docs/architecture.md).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from reflect import wording
from reflect.access import acting_user, two_factor_setup_redirect
from reflect.csv_export import csv_response
from reflect.errors import DomainError
from reflect.local_time import LONDON
from reflect.models import User
from reflect.queries import memberships_of
from scheduling import slots
from scheduling.access import access_agreement_to_book, access_bookable_agreement, access_booking, supervisor_area
from scheduling.booking_forms import BookingForm, BookingLinkForm, CancelBookingForm, MoveForm, SlotField
from scheduling.models import BookingAttendee, BookingStatus, SessionMode, SupervisionBooking
from scheduling.services import bookings as service
from scheduling.services.booking_links import set_booking_link
from scheduling.services.booking_notices import booking_ics, booking_when, where
from scheduling.services.soonest import soonest_bookable_time
from scheduling.supervisor_summary import supervisor_look
from scheduling.video_links import save_link_form
from scheduling.week import monday_of, week_asked_for
from supervision.enums import AgreementStatus
from supervision.models import SupervisionAgreement, SupervisorProfile


def _slot_rows(found: list[slots.Slot], minutes: int, monday: datetime.date) -> list[dict]:
    """The week's free start times of one length, day by day on the London clock."""
    by_day: dict[datetime.date, list[slots.Slot]] = defaultdict(list)
    for slot in found:
        local = slot.start.astimezone(LONDON)
        if slot.minutes == minutes and monday <= local.date() < monday + datetime.timedelta(days=7):
            by_day[local.date()].append(slot)
    days = [monday + datetime.timedelta(days=offset) for offset in range(7)]
    return [
        {
            "day": day,
            "slots": [
                {"local": slot.start.astimezone(LONDON), "start": slot.start.strftime("%Y-%m-%dT%H:%MZ")}
                for slot in by_day[day]
            ],
        }
        for day in days
    ]


def _next_free_rows(next_free: list[slots.Slot]) -> list[dict]:
    return [
        {
            "when": booking_when(slot),
            "minutes": slot.minutes,
            "start": slot.start.strftime("%Y-%m-%dT%H:%MZ"),
        }
        for slot in next_free
    ]


def _picker_context(
    request: HttpRequest,
    agreement: SupervisionAgreement,
    *,
    exclude: int | None = None,
    already_reserved: Decimal = Decimal("0"),
    attendees: list[User] | None = None,
) -> dict[str, object]:
    """Everything the slot list needs: lengths, the week shown, its days and the times the
    booking would accept (service.offer_times), with why any are missing."""
    now = timezone.now()
    user = acting_user(request)
    # Times that suit the people the session is for ("no sessions before"): the booker when
    # choosing, the people booked when moving.
    offering = service.offer_times(
        agreement, attendees or [user], now=now, exclude=exclude, already_reserved=already_reserved
    )
    availability = offering.availability
    lengths = list(availability.session_lengths)
    try:
        minutes = int(request.GET.get("minutes", lengths[0]))
    except ValueError:
        minutes = lengths[0]
    if minutes not in lengths:
        minutes = lengths[0]
    found = offering.offered
    first = next((slot for slot in found if slot.minutes == minutes), None)
    today = now.astimezone(LONDON).date()
    default_week = monday_of(first.start.astimezone(LONDON).date()) if first else monday_of(today)
    monday = week_asked_for(request.GET.get("week")) or default_week
    last_monday = monday_of((now + availability.horizon).astimezone(LONDON).date())
    monday = min(max(monday, monday_of(today)), last_monday)
    return {
        "agreement": agreement,
        "lengths": lengths,
        "minutes": minutes,
        "monday": monday,
        "previous_week": monday - datetime.timedelta(days=7) if monday > monday_of(today) else None,
        "next_week": monday + datetime.timedelta(days=7) if monday < last_monday else None,
        "days": _slot_rows(found, minutes, monday),
        "any_free": first is not None,
        "explanation": service.explain_offering(agreement, offering, minutes, user=user),
        "organisation_left": offering.organisation_left,
    }


# --- Staff and leads --------------------------------------------------------------------------


@login_required
def supervision_home(request: HttpRequest) -> HttpResponse:
    """Supervision for a member of staff: their organisations' agreements and their sessions."""
    user = acting_user(request)
    memberships = list(memberships_of(user))
    agreements = list(
        SupervisionAgreement.objects.filter(
            organisation__in=[m.organisation_id for m in memberships], status=AgreementStatus.ACTIVE
        )
        .select_related("supervisor__user", "organisation", "pool")
        .order_by("organisation__name", "supervisor__user__first_name")
    )
    now = timezone.now()
    # The soonest time they could book, and with whom, as the slot picker would offer it.
    soonest = soonest_bookable_time(user, agreements, now=now)
    upcoming = (
        SupervisionBooking.objects.filter(service.bookings_of(user), status=BookingStatus.BOOKED, ends_at__gt=now)
        .select_related("supervisor__user", "organisation")
        .order_by("starts_at")
    )
    return render(
        request,
        "scheduling/bookings/home.html",
        {
            "agreements": agreements,
            "led_organisation_ids": {m.organisation_id for m in memberships if m.is_lead},
            "upcoming": [{"booking": b, "when": booking_when(b)} for b in upcoming[:50]],
            "is_staff_anywhere": bool(memberships),
            "soonest": None
            if soonest is None
            else {
                "agreement": soonest.agreement,
                "when": booking_when(soonest.slot),
                "start": soonest.slot.start.strftime("%Y-%m-%dT%H:%MZ"),
                "minutes": soonest.slot.minutes,
            },
        },
    )


@login_required
def choose_slot(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access_bookable_agreement(acting_user(request), agreement_id)
    context = _picker_context(request, agreement)
    context |= {"active": agreement.status == AgreementStatus.ACTIVE}
    return render(request, "scheduling/bookings/choose_slot.html", context)


@login_required
def confirm_booking(request: HttpRequest, agreement_id: int) -> HttpResponse:
    user = acting_user(request)
    agreement, is_lead = access_agreement_to_book(user, agreement_id)
    staff = service.bookable_attendees(agreement, user, is_lead=is_lead)
    modes = service.modes_offered(agreement.supervisor)
    data = request.POST if request.method == "POST" else None
    initial = {
        "start": request.GET.get("start"),
        "minutes": request.GET.get("minutes"),
        "attendees": [user.pk] if user in staff else [],
        "mode": modes[0],
    }
    form = BookingForm(data, initial=initial, staff=staff, modes=modes)
    booking_posted = data is not None and form.is_valid()
    if booking_posted:
        # The form holds the slot's own fields, cleaned alike: a valid form is a valid slot.
        chosen = form.cleaned_data
    else:
        slot = SlotField(request.POST if data else request.GET)
        if not slot.is_valid():
            messages.error(request, "That time could not be read. Choose a time from the list.")
            return redirect("supervision_book", agreement.pk)
        chosen = slot.cleaned_data
    starts_at = chosen["start"]
    minutes = chosen["minutes"]
    next_free: list[dict] = []
    if booking_posted:
        choice = service.BookingChoice(
            starts_at=starts_at,
            minutes=minutes,
            attendees=list(form.cleaned_data["attendees"]),
            mode=form.cleaned_data["mode"],
        )
        try:
            booking = service.book_supervision(agreement, choice, acting_user=user)
        except service.SlotRefused as refused:
            form.add_error(None, refused.message)
            next_free = _next_free_rows(refused.next_free)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Booked: {booking_when(booking)}. We have e-mailed the details.")
            return redirect("supervision_session", booking.pk)
    when = booking_when(slots.Slot(starts_at, starts_at + datetime.timedelta(minutes=minutes), minutes))
    return render(
        request,
        "scheduling/bookings/confirm.html",
        {"agreement": agreement, "form": form, "when": when, "minutes": minutes, "next_free": next_free},
    )


def _supervisor_needs_two_factor(request: HttpRequest, booking: SupervisionBooking) -> HttpResponse | None:
    """Supervisors reach their sessions (names, links) only with two-factor authentication,
    as on their other pages (scheduling.access.supervisor_area)."""
    if booking.supervisor.user_id != acting_user(request).pk:
        return None
    return two_factor_setup_redirect(request)


@login_required
def session_detail(request: HttpRequest, booking_id: int) -> HttpResponse:
    user = acting_user(request)
    booking = access_booking(user, booking_id)
    if (refusal := _supervisor_needs_two_factor(request, booking)) is not None:
        return refusal
    return _session_page(request, booking, user)


def _session_page(
    request: HttpRequest, booking: SupervisionBooking, user: User, *, link_form: BookingLinkForm | None = None
) -> HttpResponse:
    """The session's page; with ``link_form``, the video link form as posted, with its errors."""
    is_supervisor = booking.supervisor.user_id == user.pk
    attendees = list(booking.attendees.select_related("user").order_by("user__first_name"))
    is_attendee = any(a.user_id == user.pk for a in attendees)
    now = timezone.now()
    return render(
        request,
        "scheduling/bookings/session.html",
        {
            "booking": booking,
            "when": booking_when(booking),
            "is_supervisor": is_supervisor,
            # Where the session happens is for the people in it (issue 6).
            "where": where(booking) if (is_supervisor or is_attendee) else None,
            # The supervisor runs the session and sees who is booked; staff see only themselves.
            "attendee_names": [a.user.display_name for a in attendees]
            if is_supervisor or (service.may_manage(booking, user) and not booking.is_group)
            else None,
            "can_change": booking.status == BookingStatus.BOOKED and booking.starts_at > now,
            "can_move": booking.status == BookingStatus.BOOKED
            and not is_supervisor
            and not service.is_late(booking, now),
            "late": service.is_late(booking, now),
            "can_mark": is_supervisor and booking.status == BookingStatus.BOOKED and booking.starts_at <= now,
            # Cancelled: the e-mail says another time can be booked, so the page offers it (the
            # booking page checks who may book, as ever).
            "cancelled": (cancelled := booking.status in (BookingStatus.CANCELLED, BookingStatus.LATE_CANCELLED)),
            "book_again": cancelled and not is_supervisor and booking.agreement.status == AgreementStatus.ACTIVE,
            # The supervisor may give a coming online session a link of its own.
            "link_form": link_form or BookingLinkForm(initial={"online_link": booking.online_link})
            if is_supervisor
            and booking.mode == SessionMode.ONLINE
            and booking.status == BookingStatus.BOOKED
            and booking.starts_at > now
            else None,
        },
    )


@require_POST
@login_required
def session_link(request: HttpRequest, booking_id: int) -> HttpResponse:
    user = acting_user(request)
    booking = access_booking(user, booking_id)
    if (refusal := _supervisor_needs_two_factor(request, booking)) is not None:
        return refusal
    form = BookingLinkForm(request.POST)
    if not save_link_form(request, form, lambda link: set_booking_link(booking, link, acting_user=user)):
        return _session_page(request, booking, user, link_form=form)
    return redirect("supervision_session", booking.pk)


def _who_is_told(booking: SupervisionBooking, user: User, *, is_supervisor: bool) -> str:
    """Everyone in the session but the person cancelling is told (queue_cancellation). Staff see
    the names only of people they may see on the session page: in a group, just how many."""
    others = [a.user for a in booking.attendees.select_related("user").order_by("user__first_name") if a.user != user]
    supervisor = booking.supervisor.user.display_name
    if is_supervisor or not booking.is_group:
        names = [person.display_name for person in others]
    else:
        names = [wording.count(len(others), "other person booked", "other people booked")] if others else []
    if not is_supervisor:
        names.append(f"{supervisor} (the supervisor)")
    if not names:
        return "Nobody else: you are the only person in it."
    if len(names) == 1:
        return f"{names[0]}, in the way they chose to be contacted."
    return f"{', '.join(names[:-1])} and {names[-1]}, each in the way they chose to be contacted."


def _what_happens_to_the_hours(booking: SupervisionBooking, *, late: bool, is_supervisor: bool) -> str:
    hours = wording.hours(booking.hours)
    one = booking.hours == 1
    if late and not is_supervisor:
        return (
            f"The session is less than {wording.count(booking.pool.late_cancellation_hours, 'hour')} away, so its "
            f"{hours} {'counts' if one else 'count'} as used and {'does' if one else 'do'} not go back to "
            f"{booking.organisation.name}'s allocation."
        )
    return f"Its {hours} {'goes' if one else 'go'} back to {booking.organisation.name}'s allocation in {booking.pool.name}."


@login_required
def cancel_session(request: HttpRequest, booking_id: int) -> HttpResponse:
    user = acting_user(request)
    booking = access_booking(user, booking_id)
    if (refusal := _supervisor_needs_two_factor(request, booking)) is not None:
        return refusal
    form = CancelBookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booking = service.cancel_supervision(booking, acting_user=user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if booking.status == BookingStatus.LATE_CANCELLED:
                messages.success(request, "Cancelled. It was less than the notice period away, so the hours are used.")
            else:
                messages.success(request, "Cancelled. The hours are back in your organisation's allocation.")
            return redirect("supervision_session", booking.pk)
    late = service.is_late(booking, timezone.now())
    is_supervisor = booking.supervisor.user_id == user.pk
    return render(
        request,
        "scheduling/bookings/cancel.html",
        {
            "booking": booking,
            "when": booking_when(booking),
            "form": form,
            "late": late,
            "is_supervisor": is_supervisor,
            "who_is_told": _who_is_told(booking, user, is_supervisor=is_supervisor),
            "hours_then": _what_happens_to_the_hours(booking, late=late, is_supervisor=is_supervisor),
        },
    )


@login_required
def move_session(request: HttpRequest, booking_id: int) -> HttpResponse:
    user = acting_user(request)
    booking = access_booking(user, booking_id)
    if (refusal := _supervisor_needs_two_factor(request, booking)) is not None:
        return refusal
    next_free: list[dict] = []
    if request.method == "POST":
        form = MoveForm(request.POST)
        if form.is_valid():
            try:
                booking = service.reschedule_supervision(
                    booking, form.cleaned_data["start"], form.cleaned_data["minutes"], acting_user=user
                )
            except service.SlotRefused as refused:
                messages.error(request, refused.message)
                next_free = _next_free_rows(refused.next_free)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"Moved to {booking_when(booking)}. Everyone has been told.")
                return redirect("supervision_session", booking.pk)
        else:
            messages.error(request, "That time could not be read. Choose a time from the list.")
    attendees = [attendee.user for attendee in booking.attendees.select_related("user")]
    context = _picker_context(
        request, booking.agreement, exclude=booking.pk, already_reserved=booking.hours, attendees=attendees
    )
    context |= {"booking": booking, "when": booking_when(booking), "next_free": next_free}
    return render(request, "scheduling/bookings/move.html", context)


@login_required
def session_ics(request: HttpRequest, booking_id: int) -> HttpResponse:
    user = acting_user(request)
    booking = access_booking(user, booking_id)
    if (refusal := _supervisor_needs_two_factor(request, booking)) is not None:
        return refusal
    in_it = booking.supervisor.user_id == user.pk or booking.attendees.filter(user=user).exists()
    response = HttpResponse(
        booking_ics(booking, user, include_where=in_it), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="supervision-{booking.starts_at:%Y-%m-%d}.ics"'
    return response


# --- The supervision log ----------------------------------------------------------------------


def _log_rows(user: User) -> list[dict]:
    """Sessions the person attended, for professional revalidation: no content, ever."""
    attended = (
        SupervisionBooking.objects.filter(attendees__user=user, status=BookingStatus.ATTENDED)
        .select_related("supervisor__user")
        .order_by("-starts_at")
    )
    return [
        {
            "date": booking.starts_at.astimezone(LONDON).date(),
            "minutes": booking.minutes,
            "hours": booking.hours,
            "supervisor": booking.supervisor.user.display_name,
            "profession": booking.supervisor.profession,
            "format": "Group supervision" if booking.is_group else "1:1 supervision",
            "mode": booking.get_mode_display(),
        }
        for booking in attended
    ]


@login_required
def supervision_log(request: HttpRequest) -> HttpResponse:
    rows = _log_rows(acting_user(request))
    total = sum((row["hours"] for row in rows), start=0)
    return render(request, "scheduling/bookings/log.html", {"rows": rows, "total_hours": total})


@login_required
def supervision_log_csv(request: HttpRequest) -> StreamingHttpResponse:
    # The supervisor's name and profession are as they typed them: csv_response escapes them.
    header = ["Date", "Minutes", "Supervisor", "Supervisor's profession", "Format", "Online or in person"]
    rows = [
        [row["date"], row["minutes"], row["supervisor"], row["profession"], row["format"], row["mode"]]
        for row in _log_rows(acting_user(request))
    ]
    return csv_response("supervision-log.csv", [header, *rows])


# --- Supervisors --------------------------------------------------------------------------------


@supervisor_area
def supervisor_sessions(request: HttpRequest, profile: SupervisorProfile) -> HttpResponse:
    now = timezone.now()
    base = (
        SupervisionBooking.objects.filter(supervisor=profile)
        .select_related("organisation")
        .prefetch_related(
            Prefetch("attendees", queryset=BookingAttendee.objects.select_related("user").order_by("user__first_name"))
        )
    )
    upcoming = base.filter(status=BookingStatus.BOOKED, starts_at__gt=now).order_by("starts_at")[:100]
    to_mark = base.filter(status=BookingStatus.BOOKED, starts_at__lte=now).order_by("starts_at")[:100]
    recent = base.exclude(status=BookingStatus.BOOKED).order_by("-starts_at")[:30]

    def rows(bookings: QuerySet[SupervisionBooking]) -> list[dict]:
        return [
            {"booking": b, "when": booking_when(b), "names": [a.user.display_name for a in b.attendees.all()]}
            for b in bookings
        ]

    upcoming_rows, to_mark_rows = rows(upcoming), rows(to_mark)
    look = supervisor_look(profile, now=now, to_come=len(upcoming_rows), to_mark=len(to_mark_rows))
    return render(
        request,
        "scheduling/bookings/supervisor_sessions.html",
        {"upcoming": upcoming_rows, "to_mark": to_mark_rows, "recent": rows(recent), "look": look},
    )


@require_POST
@supervisor_area
def mark_attendance(request: HttpRequest, profile: SupervisorProfile, booking_id: int) -> HttpResponse:
    booking = access_booking(acting_user(request), booking_id)
    if booking.supervisor_id != profile.pk:
        return redirect("supervision_session", booking.pk)
    attended = request.POST.get("attended")
    if attended not in ("yes", "no"):
        messages.error(request, "Choose whether the session took place.")
        return redirect("supervisor_sessions")
    try:
        service.mark_attendance(booking, attended=attended == "yes", acting_user=acting_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        label = "attended" if attended == "yes" else "missed"
        messages.success(request, f"{booking_when(booking)} marked as {label}.")
    if request.POST.get("next") == "session":
        return redirect("supervision_session", booking.pk)
    return redirect("supervisor_sessions")
