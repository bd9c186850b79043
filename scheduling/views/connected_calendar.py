"""The supervisor's connected (two-way) calendar: connect, disconnect, and answer the questions a
sync raised. Only reads what the last sync stored: a page never talks to the calendar."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from reflect import wording
from reflect.access import acting_user
from reflect.errors import DomainError
from scheduling import queries
from scheduling.access import supervisor_area
from scheduling.forms import CalendarConnectionForm
from scheduling.models import CalendarConnection, CalendarEntry, EntryConflict
from scheduling.services import calendar_sync
from scheduling.services.booking_notices import booking_when
from supervision.models import SupervisorProfile


def connection_summary(supervisor: SupervisorProfile, zone: str) -> dict[str, object]:
    """What the availability page shows of the connection and its questions."""
    connection = queries.calendar_connection_of(supervisor)
    if connection is None:
        return {"connection": None}
    return {
        "connection": connection,
        "connection_host": calendar_sync.calendar_host(connection),
        "synced_at": wording.moment_or_today(connection.last_synced_at, zone) if connection.last_synced_at else "",
        "sync_tried_at": wording.moment(connection.last_tried_at, zone) if connection.last_tried_at else "",
        "questions": [question(entry, zone) for entry in queries.calendar_questions_of(supervisor)],
    }


def question(entry: CalendarEntry, zone: str) -> dict[str, object]:
    if entry.conflict == EntryConflict.MOVED and entry.remote_starts_at:
        change = f"You moved it in your calendar to {wording.moment(entry.remote_starts_at, zone)}."
    else:
        change = "You deleted it from your calendar."
    return {"entry": entry, "when": booking_when(entry.booking), "change": change}


@supervisor_area
def connect(request: HttpRequest, supervisor: SupervisorProfile) -> HttpResponse:
    connection: CalendarConnection | None = queries.calendar_connection_of(supervisor)
    initial = {"url": connection.url, "username": connection.username} if connection else None
    form = CalendarConnectionForm(request.POST or None, initial=initial, password_saved=connection is not None)
    if request.method == "POST" and form.is_valid():
        try:
            calendar_sync.connect_calendar(supervisor, acting_user=acting_user(request), **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, "Your calendar is connected. We will sync it in the background in a few minutes.")
            return redirect("availability_overview")
    return render(request, "scheduling/availability/connected_calendar.html", {"form": form, "connection": connection})


@require_POST
@supervisor_area
def disconnect(request: HttpRequest, supervisor: SupervisorProfile) -> HttpResponse:
    try:
        calendar_sync.disconnect_calendar(supervisor, acting_user=acting_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            "Your calendar is disconnected and its password deleted. Sessions already in it stay there: "
            "we no longer change or remove them, so delete any you do not want.",
        )
    return redirect("availability_overview")


@require_POST
@supervisor_area
def put_back(request: HttpRequest, supervisor: SupervisorProfile, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(CalendarEntry, pk=entry_id, connection__supervisor=supervisor)
    calendar_sync.put_back_in_calendar(entry, acting_user=acting_user(request))
    messages.success(request, "We will put the session back in your calendar within a few minutes.")
    return redirect("availability_overview")
