"""The supervisor's availability pages: thin views that parse, call a service and render."""

from __future__ import annotations

import dataclasses
import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from reflect import wording
from reflect.access import acting_user
from reflect.errors import DomainError
from scheduling import queries
from scheduling.access import access_date_override, access_own_session, access_weekly_rule, supervisor_area
from scheduling.forms import (
    AvailabilitySettingsForm,
    BusyCalendarForm,
    DateOverrideForm,
    DaysOffForm,
    WeeklyHoursForm,
)
from scheduling.intervals import Interval
from scheduling.models import SupervisionBooking
from scheduling.models.bookings import LIVE_BOOKING_STATUSES
from scheduling.services import availability as services
from scheduling.services import busy_calendar
from scheduling.services.bookings import cancel_supervision
from scheduling.views.connected_calendar import connection_summary
from scheduling.week import monday_of, week_asked_for, week_plan
from supervision.models import SupervisorProfile

# The clock the week view reads; a module attribute so tests can fix "now".
now = timezone.now


@supervisor_area
def overview(request: HttpRequest, supervisor: SupervisorProfile) -> HttpResponse:
    # Only reads what the last fetch stored: the page never fetches (a worker or the demo's
    # refresh loop does; docs/security.md, "Calendars").
    feed = queries.busy_calendar_of(supervisor)
    settings_row = queries.availability_settings_of(supervisor)
    zone = settings_row.time_zone
    return render(
        request,
        "scheduling/availability/overview.html",
        {
            "supervisor": supervisor,
            "settings_row": settings_row,
            "rules": [
                {"rule": rule, "hours": f"{wording.clock(rule.start)} to {wording.clock(rule.end)}"}
                for rule in queries.weekly_rules_of(supervisor)
            ],
            "overrides": [
                {
                    "override": row,
                    "hours": "Away all day"
                    if row.start is None or row.end is None
                    else f"{wording.clock(row.start)} to {wording.clock(row.end)}",
                }
                for row in queries.date_overrides_of(supervisor, since=services.local_today(settings_row))
            ],
            "feed": feed,
            "feed_host": busy_calendar.feed_host(feed) if feed else "",
            "busy_count": feed.intervals.count() if feed else 0,
            "feed_read_at": wording.moment(feed.last_success_at, zone) if feed and feed.last_success_at else "",
            "feed_tried_at": wording.moment(feed.last_fetched_at, zone) if feed and feed.last_fetched_at else "",
            **connection_summary(supervisor, zone),
        },
    )


@supervisor_area
def edit_settings(request: HttpRequest, supervisor: SupervisorProfile) -> HttpResponse:
    current = queries.availability_settings_of(supervisor)
    form = AvailabilitySettingsForm(
        request.POST or None, initial=AvailabilitySettingsForm.initial_from(current, supervisor)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_availability_settings(supervisor, acting_user=acting_user(request), **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, "Your availability settings are saved.")
            return redirect("availability_overview")
    return render(request, "scheduling/availability/settings.html", {"form": form})


@supervisor_area
def add_rule(request: HttpRequest, supervisor: SupervisorProfile) -> HttpResponse:
    form = WeeklyHoursForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rules = services.set_weekly_hours(supervisor, acting_user=acting_user(request), **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"Added: {'; '.join(rule.label for rule in rules)}.")
            return redirect("availability_overview")
    return render(request, "scheduling/availability/rule_form.html", {"form": form})


@supervisor_area
def remove_rule(request: HttpRequest, supervisor: SupervisorProfile, rule_id: int) -> HttpResponse:
    """Remove weekly hours. Sessions booked in them are listed first, each to cancel (the
    people booked are told) before the hours can go."""
    rule = access_weekly_rule(supervisor, rule_id)
    user = acting_user(request)
    zone = queries.availability_settings_of(supervisor).time_zone
    here = reverse("availability_rule_remove", args=[rule.pk])
    if request.method == "POST" and request.POST.get("action") == "cancel":
        booking = access_own_session(supervisor, request.POST.get("booking", ""))
        when = wording.span(booking.starts_at, booking.ends_at, zone)
        try:
            cancel_supervision(booking, acting_user=user, reason="Your supervisor is no longer free at that time.")
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Cancelled the session on {when}. The people booked have been told.")
        return redirect(here)
    clashes = services.sessions_on_rule(rule)
    if request.method == "POST" and not clashes:
        label = rule.label
        try:
            services.remove_weekly_rule(rule, acting_user=user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(here)
        messages.success(request, f"Removed: {label}.")
        return redirect("availability_overview")
    return render(
        request,
        "scheduling/availability/rule_remove.html",
        {
            "rule": rule,
            "clashes": [
                {"booking": booking, "when": wording.span(booking.starts_at, booking.ends_at, zone)}
                for booking in clashes
            ],
        },
    )


def _days_off_said(first_day: datetime.date, last_day: datetime.date) -> str:
    """The days off as understood, echoed back in words (issue 18: never a silent guess)."""
    if first_day == last_day:
        return f"You are away on {wording.day(first_day)}."
    return f"You are away from {wording.day(first_day)} to {wording.day(last_day)}."


def _check_url(first_day: datetime.date, last_day: datetime.date, note: str) -> str:
    query = urlencode({"first": first_day.isoformat(), "last": last_day.isoformat(), "note": note})
    return f"{reverse('availability_days_off_check')}?{query}"


@supervisor_area
def add_override(request: HttpRequest, supervisor: SupervisorProfile) -> HttpResponse:
    form = DateOverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        away = data["kind"] == "away"
        if away and services.sessions_in_the_way(supervisor, data["date"], data["date"]):
            return redirect(_check_url(data["date"], data["date"], data["note"]))
        try:
            override = services.add_date_override(
                supervisor,
                acting_user=acting_user(request),
                date=data["date"],
                away=away,
                start=None if away else data["start"],
                end=None if away else data["end"],
                note=data["note"],
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"Added: {override.label}.")
            return redirect("availability_overview")
    return render(request, "scheduling/availability/override_form.html", {"form": form})


@supervisor_area
def days_off(request: HttpRequest, supervisor: SupervisorProfile) -> HttpResponse:
    form = DaysOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        first_day, last_day, note = (form.cleaned_data[name] for name in ("first_day", "last_day", "note"))
        # Sessions booked on those days are listed before anything is saved.
        if services.sessions_in_the_way(supervisor, first_day, last_day):
            return redirect(_check_url(first_day, last_day, note))
        try:
            services.add_days_off(
                supervisor, acting_user=acting_user(request), first_day=first_day, last_day=last_day, note=note
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _days_off_said(first_day, last_day))
            return redirect("availability_overview")
    return render(request, "scheduling/availability/days_off.html", {"form": form})


def _day_in(params: QueryDict, name: str) -> datetime.date | None:
    # Written by our own redirect, but it is an address anyone can type: read it strictly.
    value = params.get(name, "")
    try:
        return datetime.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


@supervisor_area
def days_off_check(request: HttpRequest, supervisor: SupervisorProfile) -> HttpResponse:
    """The sessions booked on the days off asked for: cancel each (the people booked are told
    by their own channel), then save the days off. Nothing is saved while one is left."""
    params = request.POST if request.method == "POST" else request.GET
    first_day, last_day = _day_in(params, "first"), _day_in(params, "last")
    note = params.get("note", "")[:120]
    if first_day is None or last_day is None or not 0 <= (last_day - first_day).days < services.MOST_DAYS_OFF:
        messages.error(request, "We could not read those days off. Enter them again.")
        return redirect("availability_days_off")
    here = _check_url(first_day, last_day, note)
    user = acting_user(request)
    settings_row = queries.availability_settings_of(supervisor)
    zone = settings_row.time_zone
    if request.method == "POST" and params.get("action") == "cancel":
        booking = access_own_session(supervisor, params.get("booking", ""))
        when = wording.span(booking.starts_at, booking.ends_at, zone)
        try:
            cancel_supervision(booking, acting_user=user, reason="Your supervisor is away that day.")
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Cancelled the session on {when}. The people booked have been told.")
        return redirect(here)
    if request.method == "POST" and params.get("action") == "save":
        try:
            services.add_days_off(supervisor, acting_user=user, first_day=first_day, last_day=last_day, note=note)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(here)
        messages.success(request, _days_off_said(first_day, last_day))
        return redirect("availability_overview")
    clashes = [
        {"booking": booking, "when": wording.span(booking.starts_at, booking.ends_at, zone)}
        for booking in services.sessions_in_the_way(supervisor, first_day, last_day)
    ]
    return render(
        request,
        "scheduling/availability/days_off_check.html",
        {
            "clashes": clashes,
            "days": _days_off_said(first_day, last_day),
            "first": first_day.isoformat(),
            "last": last_day.isoformat(),
            "note": note,
        },
    )


@require_POST
@supervisor_area
def remove_override(request: HttpRequest, supervisor: SupervisorProfile, override_id: int) -> HttpResponse:
    override = access_date_override(supervisor, override_id)
    label = override.label
    services.remove_date_override(override, acting_user=acting_user(request))
    messages.success(request, f"Removed: {label}.")
    return redirect("availability_overview")


@supervisor_area
def busy_calendar_form(request: HttpRequest, supervisor: SupervisorProfile) -> HttpResponse:
    form = BusyCalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            busy_calendar.set_busy_calendar(supervisor, form.cleaned_data["url"], acting_user=acting_user(request))
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, "Your calendar address is saved. We will read your busy times from it shortly.")
            return redirect("availability_overview")
    return render(
        request,
        "scheduling/availability/busy_calendar.html",
        {"form": form, "feed": queries.busy_calendar_of(supervisor)},
    )


@require_POST
@supervisor_area
def busy_calendar_remove(request: HttpRequest, supervisor: SupervisorProfile) -> HttpResponse:
    try:
        busy_calendar.remove_busy_calendar(supervisor, acting_user=acting_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Your calendar is removed; its busy times no longer block bookings.")
    return redirect("availability_overview")


def _week_start(request: HttpRequest, today: datetime.date) -> datetime.date:
    return week_asked_for(request.GET.get("week")) or monday_of(today)


@supervisor_area
def week(request: HttpRequest, supervisor: SupervisorProfile) -> HttpResponse:
    moment = now()
    settings_row = queries.availability_settings_of(supervisor)
    zone = ZoneInfo(settings_row.time_zone)
    today = moment.astimezone(zone).date()
    monday = _week_start(request, today)
    availability = queries.to_engine(
        settings_row, queries.weekly_rules_of(supervisor), queries.date_overrides_of(supervisor)
    )
    week_start = datetime.datetime.combine(monday, datetime.time(0), tzinfo=zone)
    week_end = datetime.datetime.combine(monday + datetime.timedelta(days=7), datetime.time(0), tzinfo=zone)
    # Busy times the engine needs (now to the horizon) and the ones this week shows, in one read.
    busy = queries.busy_intervals_for(
        supervisor,
        min(moment - datetime.timedelta(days=1), week_start),
        max(moment + availability.horizon, week_end),
    )
    booked = list(
        SupervisionBooking.objects.filter(
            supervisor=supervisor,
            status__in=LIVE_BOOKING_STATUSES,
            ends_at__gt=min(moment - datetime.timedelta(days=8), week_start),
            starts_at__lt=max(moment + availability.horizon + datetime.timedelta(days=8), week_end),
        )
        .select_related("organisation")
        .order_by("starts_at")
    )
    days = week_plan(
        availability, monday, now=moment, busy=busy, bookings=[Interval(b.starts_at, b.ends_at) for b in booked]
    )
    by_day: dict[datetime.date, list[dict]] = {}
    for booking in booked:
        local = booking.starts_at.astimezone(zone)
        by_day.setdefault(local.date(), []).append(
            {"booking": booking, "start": local, "end": booking.ends_at.astimezone(zone)}
        )
    days = [dataclasses.replace(day, sessions=tuple(by_day.get(day.day, ()))) for day in days]
    url = reverse("availability_week")
    return render(
        request,
        "scheduling/availability/week.html",
        {
            "days": days,
            "monday": monday,
            "sunday": monday + datetime.timedelta(days=6),
            "today": today,
            "time_zone": settings_row.time_zone,
            "previous_url": f"{url}?week={monday - datetime.timedelta(days=7):%Y-%m-%d}",
            "next_url": f"{url}?week={monday + datetime.timedelta(days=7):%Y-%m-%d}",
            "this_week_url": url,
            "is_this_week": monday == monday_of(today),
        },
    )
