"""A commissioner's reflective-group pages: the pool's groups, creating and changing a group, a
group's sessions, and moving or cancelling one session on its own.

Counts of places in a session are counts of people in a unit smaller than the pool, so they
are shown through ``disclosed`` (docs/architecture.md, "Confidentiality"), with "full" or
"places free" beside them.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from reflect import wording
from reflect.access import acting_user, commissioner_area
from reflect.disclosure import disclosed
from reflect.errors import DomainError
from reflect.models import Pool
from scheduling.groups import repeats
from scheduling.groups.access import access_pool_group, access_pool_session
from scheduling.groups.changes import (
    GroupChange,
    GroupPreview,
    change_group,
    create_group,
    preview_group,
    sessions_a_last_date_ends,
)
from scheduling.groups.forms import CancelSessionForm, GroupChangeForm, GroupForm, MoveSessionForm, SessionLinkForm
from scheduling.groups.notices import session_when
from scheduling.groups.session_changes import cancel_session, move_session, set_session_link
from scheduling.models import GroupKind, ReflectiveGroup, SessionStatus


@commissioner_area
def pool_groups(request: HttpRequest, pool: Pool) -> HttpResponse:
    groups = ReflectiveGroup.objects.filter(pool=pool).select_related("facilitator__user", "host").order_by("title")
    has_cohorts = any(group.kind == GroupKind.COHORT for group in groups)
    return render(request, "scheduling/pool_groups.html", {"pool": pool, "groups": groups, "has_cohorts": has_cohorts})


@commissioner_area
def group_create(request: HttpRequest, pool: Pool) -> HttpResponse:
    """The form, then a preview of the first dates ("Preview dates"), then "Create group".

    The preview is the same form posted again with its dates shown, so it works without
    JavaScript; creating straight away (a form posted without "preview") still works.
    """
    form = GroupForm(request.POST or None, pool=pool)
    preview = None
    if request.method == "POST" and form.is_valid():
        user = acting_user(request)
        eligible = form.cleaned_data["eligible_organisations"]
        try:
            if "preview" in request.POST:
                # Every chosen date is shown (there are at most 12): the list is the whole series.
                shown = repeats.MOST_CHOSEN_DATES if form.chosen() is not None else 6
                preview = preview_group(
                    pool, acting_user=user, eligible_organisations=eligible, shown=shown, **form.group_fields()
                )
                if not preview.total:
                    preview = None
                    form.add_error(
                        "first_date",
                        "No session falls between the first date and the pool's end: "
                        "choose an earlier first date or another day.",
                    )
            else:
                group = create_group(pool, acting_user=user, eligible_organisations=eligible, **form.group_fields())
        except DomainError as error:
            preview = None
            field = error.field if error.field in form.fields else None
            if form.chosen() is not None and field in {"rrule", "first_date", "last_date"}:
                field = "chosen_dates"  # the boxes it names are not the ones this person filled in
            form.add_error(field, error.message)
        else:
            if "preview" not in request.POST:
                messages.success(request, f"{group.title} is created with {_sessions(group.sessions.count())}.")
                return redirect("pool_detail", pool.pk)
    return render(
        request,
        "scheduling/group_create.html",
        {
            "pool": pool,
            "form": form,
            "preview": _preview_said(form, preview) if preview else None,
        },
    )


def _preview_said(form: GroupForm, preview: GroupPreview) -> dict[str, object]:
    """The preview in words: how often, the first dates, and where the series stops."""
    zone = form.cleaned_data["time_zone"]
    repeat = form.repeat()
    how = repeats.said(repeat) if repeat else repeats.rule_in_words(form.group_fields()["rrule"])
    length = wording.count(form.cleaned_data["duration_minutes"], "minute")
    if form.chosen() is not None:
        stops = "These are all its dates: no other session is made."
    elif preview.stops_at_pool_end:
        stops = f"The series stops when the pool ends, on {wording.day(preview.ends_on)}: no session is made after it."
    else:
        stops = f"The series stops at the group's last date, {wording.day(preview.ends_on)}."
    return {
        "how": f"{how[0].upper()}{how[1:]}, for {length}.",
        "dates": [wording.moment(start, zone) for start in preview.starts],
        "stops": stops,
        "total": (
            f"That is {_sessions(preview.total)} in all, the last on {wording.day(preview.last_start, zone)}."
            if preview.last_start and preview.total > len(preview.starts)
            else ""
        ),
    }


@commissioner_area
def group_manage(request: HttpRequest, pool: Pool, group_id: int) -> HttpResponse:
    group = access_pool_group(pool, group_id)
    now = timezone.now()
    sessions = group.sessions.filter(ends_at__gt=now).order_by("starts_at")[:24]
    rows = [
        {
            "session": session,
            "when": session_when(session),
            "booked": disclosed(session.places_taken),
            "cancelled": session.status == SessionStatus.CANCELLED,
            "started": session.starts_at <= now,
        }
        for session in sessions
    ]
    return render(
        request, "scheduling/group_manage.html", {"pool": pool, "group": group, "rows": rows, "meets": meets(group)}
    )


def meets(group: ReflectiveGroup) -> str:
    return repeats.meets(group.rrule, group.first_date, group.start_time, group.duration_minutes)


@commissioner_area
def group_change(request: HttpRequest, pool: Pool, group_id: int) -> HttpResponse:
    group = access_pool_group(pool, group_id)
    # The form changes the instance it validates: give it its own, so the page (and the
    # service) keep the group as it is until the change is made.
    form = GroupChangeForm(request.POST or None, instance=access_pool_group(pool, group_id), pool=pool)
    if request.method == "POST" and form.is_valid():
        changes = form.group_fields()
        ending = sessions_a_last_date_ends(group, changes.get("last_date"))
        confirmed = ending and request.POST.get("confirm") == changes["last_date"].isoformat()
        if ending and not confirmed:
            # Cancelling sessions cannot be undone: say how many, and ask first (for this very
            # last date: a different one typed on the asking page is asked about again).
            return render(
                request,
                "scheduling/group_change.html",
                {
                    "pool": pool,
                    "group": group,
                    "form": form,
                    "meets": meets(group),
                    "ending": _sessions(ending),
                    "confirm": changes["last_date"].isoformat(),
                },
            )
        try:
            change = change_group(
                group,
                acting_user=acting_user(request),
                eligible_organisations=form.cleaned_data["eligible_organisations"],
                **changes,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _change_said(change))
            return redirect("group_manage", pool.pk, group.pk)
    return render(
        request, "scheduling/group_change.html", {"pool": pool, "group": group, "form": form, "meets": meets(group)}
    )


def _change_said(change: GroupChange) -> str:
    said = ["The group is changed."]
    if change.told_where:
        said.append("Everyone with a place is being told where it meets now.")
    if change.cancelled:
        said.append(f"{_sessions(change.cancelled)} after the new last date cancelled, and everyone in them told.")
    if change.added:
        said.append(f"{_sessions(change.added)} added up to the new last date.")
    if change.offered:
        said.append("The extra room has gone to the waitlist.")
    return " ".join(said)


def _sessions(count: int) -> str:
    return wording.count(count, "session")


@commissioner_area
def session_move(request: HttpRequest, pool: Pool, session_id: int) -> HttpResponse:
    session = access_pool_session(pool, session_id)
    local = session.starts_at.astimezone(ZoneInfo(session.group.time_zone))
    initial = {
        "starts_on": local.date(),
        "start_time": local.time().replace(second=0, microsecond=0),
        "duration_minutes": int((session.ends_at - session.starts_at).total_seconds() // 60),
    }
    form = MoveSessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            move_session(session, acting_user=acting_user(request), **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            session.refresh_from_db()
            # The new time said back in words, so a misread date shows at once.
            when = wording.span(session.starts_at, session.ends_at, session.group.time_zone)
            messages.success(
                request, f"The session is moved to {when}. Everyone with a place or on the waitlist is being told."
            )
            return redirect("group_manage", pool.pk, session.group_id)
    return render(
        request,
        "scheduling/session_move.html",
        {"pool": pool, "session": session, "group": session.group, "when": session_when(session), "form": form},
    )


@commissioner_area
def session_link(request: HttpRequest, pool: Pool, session_id: int) -> HttpResponse:
    """A video link for one session, instead of the group's own."""
    session = access_pool_session(pool, session_id)
    form = SessionLinkForm(request.POST or None, initial={"online_link": session.online_link})
    if request.method == "POST" and form.is_valid():
        try:
            set_session_link(session, form.cleaned_data["online_link"], acting_user=acting_user(request))
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"The video link for the session on {session_when(session)} is saved.")
            return redirect("group_manage", pool.pk, session.group_id)
    return render(
        request,
        "scheduling/session_link.html",
        {"pool": pool, "session": session, "group": session.group, "when": session_when(session), "form": form},
    )


@commissioner_area
def session_cancel_all(request: HttpRequest, pool: Pool, session_id: int) -> HttpResponse:
    session = access_pool_session(pool, session_id)
    form = CancelSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cancel_session(session, acting_user=acting_user(request), note=form.cleaned_data["note"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, "The session is cancelled. Everyone with a place or on the waitlist is being told."
            )
            return redirect("group_manage", pool.pk, session.group_id)
    return render(
        request,
        "scheduling/session_cancel_all.html",
        {"pool": pool, "session": session, "group": session.group, "when": session_when(session), "form": form},
    )
