"""Reflective-group pages for staff: finding a group and a session, booking and cancelling a
place, the waitlist, and their own places.

Attendees never see each other's names: no page here lists who else has a place (only the
facilitator's register does, first name and organisation only: views/register.py).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from reflect import wording
from reflect.access import acting_user
from reflect.errors import DomainError
from reflect.models import ContactPreferences, User
from scheduling.groups import capacity, eligibility, places, queries, repeats, waitlist
from scheduling.groups.access import access_group, access_session
from scheduling.groups.calendar import group_session_file, session_link
from scheduling.groups.forms import CancelPlaceForm, GroupModeForm, JoinWaitlistForm
from scheduling.groups.notices import session_when
from scheduling.groups.ranking import GroupOption, Mode, rank_groups
from scheduling.models import GroupKind, GroupSession, Place, PlaceStatus, WaitlistEntry, WaitlistStatus, runs_group
from scheduling.models.groups import ACTIVE_PLACE_STATUSES, ACTIVE_WAITLIST_STATUSES


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    """The groups a person may join, ranked for them (with why), each with its next session,
    the places left in it and the button for it: Book, or Join the waitlist when it is full.
    A fixed number of queries whatever the number of groups and sessions."""
    user = acting_user(request)
    now = timezone.now()
    groups = queries.groups_open_to(user)
    preferences = ContactPreferences.objects.filter(user=user).first()
    # The way they said they like to meet is the default; the form on the page changes it
    # for this look only.
    preferred = Mode(preferences.meets) if preferences else Mode.EITHER
    mode_form = GroupModeForm(request.GET or None, initial={"mode": preferred.value})
    valid = mode_form.is_valid()
    chosen = mode_form.cleaned_data["mode"] if valid else ""
    mode = Mode(chosen) if chosen else preferred
    purpose = mode_form.cleaned_data["purpose"] if valid else ""
    if purpose:
        groups = [group for group in groups if group.purpose == purpose]
    firsts = {row.session.group_id: row for row in queries.next_sessions(groups, user, now)}
    ranked = rank_groups(
        [_option(row) for row in firsts.values()],
        no_sessions_before=preferences.no_sessions_before if preferences else None,
        mode=mode,
    )
    cohort_pools = sorted(
        {group.pool_id: group.pool for group in groups if group.kind == GroupKind.COHORT}.values(),
        key=lambda pool: pool.name,
    )
    return render(
        request,
        "scheduling/session_list.html",
        {
            "ranked": [{"ranked": r} | _session_row(firsts[r.option.group_id], now) for r in ranked],
            "mode_form": mode_form,
            "cohort_pools": cohort_pools,
        },
    )


def _session_row(row: queries.SessionRow, now: datetime.datetime) -> dict[str, object]:
    """A session as a line of a list: when, places left, and which button it gets (none
    before its booking opens: the line says when it does)."""
    session = row.session
    group = session.group
    opens_at = session.starts_at - datetime.timedelta(days=group.booking_opens_days)
    return {
        "session": session,
        "when": session_when(session),
        "places_left": row.places_left,
        "places_said": f"{wording.count(row.places_left, 'place')} left" if row.places_left else "Full",
        "standing": row.standing,
        "opens": f"Booking opens on {wording.day(opens_at, group.time_zone)}" if now < opens_at else "",
    }


# How many of a group's coming sessions its page lists: a year of a monthly group, a quarter of
# a weekly one (the rest are a page further on, a click on the next session).
LATER_SESSIONS = 12


@login_required
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    """One group: what it is, and its coming sessions, each with places left and its button."""
    user = acting_user(request)
    group = access_group(user, group_id)
    now = timezone.now()
    rows = queries.later_sessions(group, user, now, limit=LATER_SESSIONS)
    why_not = ""
    if rows:
        try:
            eligibility.eligible_organisation(rows[0].session, user)
            eligibility.check_cohort_member(rows[0].session, user)
        except DomainError as error:
            why_not = error.message
    return render(
        request,
        "scheduling/group_detail.html",
        {
            "group": group,
            "meets": repeats.meets(group.rrule, group.first_date, group.start_time, group.duration_minutes),
            "why_not": why_not,
            "rows": [_session_row(row, now) for row in rows],
        },
    )


def _option(row: queries.SessionRow) -> GroupOption:
    group = row.session.group
    return GroupOption(
        group_id=group.pk,
        title=group.title,
        local_start=group.start_time,
        online=bool(group.online_link),
        in_person=bool(group.location),
        next_session_id=row.session.pk,
        next_starts_at=row.session.starts_at,
        places_left=row.places_left,
    )


@login_required
def my_places(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    now = timezone.now()
    held = (
        Place.objects.select_related("session__group")
        .filter(user=user, status__in=ACTIVE_PLACE_STATUSES, session__starts_at__gt=now)
        .order_by("session__starts_at")
    )
    waiting = (
        WaitlistEntry.objects.select_related("session__group")
        .filter(user=user, status__in=ACTIVE_WAITLIST_STATUSES, session__starts_at__gt=now)
        .order_by("session__starts_at")
    )
    return render(
        request,
        "scheduling/my_places.html",
        {
            "places": [{"place": p, "when": session_when(p.session)} for p in held],
            "waiting": [{"entry": e, "when": session_when(e.session)} for e in waiting],
        },
    )


@login_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    user = acting_user(request)
    session = access_session(user, session_id)
    place = capacity.active_place(session, user)
    entry = WaitlistEntry.objects.filter(session=session, user=user, status__in=ACTIVE_WAITLIST_STATUSES).first()
    offer_open = (
        entry is not None
        and entry.status == WaitlistStatus.OFFERED
        and entry.offered_until is not None
        and entry.offered_until > timezone.now()
    )
    # Staff of a pool organisation the group is not open to may read about it, and are told
    # why they cannot join (issue 7, "an ineligible organisation's staff see why").
    why_not = ""
    if place is None and entry is None:
        try:
            eligibility.eligible_organisation(session, user)
            eligibility.check_cohort_member(session, user)
        except DomainError as error:
            why_not = error.message
    return render(
        request,
        "scheduling/session_detail.html",
        {
            "session": session,
            "group": session.group,
            "when": session_when(session),
            "place": place,
            # Only for people with a place: the session's own link, else the group's.
            "video_link": session_link(session) if place is not None else "",
            "entry": entry,
            "offer_open": offer_open,
            "why_not": why_not,
            "places_left": (left := capacity.bookable_places(session, timezone.now())),
            "full": left == 0,
            "waitlist_form": JoinWaitlistForm(),
        },
    )


@login_required
def session_ics(request: HttpRequest, session_id: int) -> HttpResponse:
    """The session as a calendar file, for the people with a place and the facilitator only:
    it holds where it meets or its link (docs/architecture.md, "Confidentiality"). The same UID
    and SEQUENCE as the person's feed and e-mails, so opening it updates the entry they have."""
    user = acting_user(request)
    session = (
        GroupSession.objects.filter(runs_group(user, via="group__"), pk=session_id).select_related("group").first()
    )
    if session is None:
        session = access_session(user, session_id)
        if capacity.active_place(session, user) is None:
            raise Http404("No such session.")
    response = HttpResponse(group_session_file(session, user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="group-session-{session.starts_at:%Y-%m-%d}.ics"'
    return response


def _act(request: HttpRequest, session_id: int, action, success: str) -> HttpResponse:
    session = access_session(acting_user(request), session_id, for_action=True)
    return _answer(request, session.pk, lambda: action(session), success)


def _answer(request: HttpRequest, session_id: int, do, success: str) -> HttpResponse:
    """Do it, say how it went on the session's page (a refusal says why)."""
    try:
        do()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("group_session", session_id)


@require_POST
@login_required
def session_book(request: HttpRequest, session_id: int) -> HttpResponse:
    # The service checks access itself, in the one read it makes before the lock (a 404 as
    # access_session's): every booking of the session queues on its row (docs/performance.md).
    return _answer(
        request,
        session_id,
        lambda: places.book_place_at(session_id, acting_user=acting_user(request)),
        "Your place is booked. We have sent you the details.",
    )


@login_required
def session_cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    """GET: what cancelling means, and a button to confirm it; POST: cancel the place.

    A destructive action asks first, on a page that says what follows (issue 18, "Forgiving").
    """
    user = acting_user(request)
    if request.method != "POST":
        session = access_session(user, session_id)
        place = capacity.active_place(session, user)
        if place is None or place.status != PlaceStatus.BOOKED or session.starts_at <= timezone.now():
            # Nothing to cancel (already cancelled, marked, or under way): the session page says why.
            return redirect("group_session", session.pk)
        return render(
            request,
            "scheduling/place_cancel.html",
            {"session": session, "group": session.group, "when": session_when(session), "form": CancelPlaceForm()},
        )
    form = CancelPlaceForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""

    def cancel(session: GroupSession) -> None:
        place = capacity.active_place(session, user)
        if place is None:
            raise DomainError("You do not have a place in this session.")
        places.cancel_place(place, acting_user=user, reason=reason)

    return _act(request, session_id, cancel, "Your place is cancelled. Thank you for letting us know.")


@require_POST
@login_required
def waitlist_join(request: HttpRequest, session_id: int) -> HttpResponse:
    form = JoinWaitlistForm(request.POST)
    auto_accept = form.cleaned_data["auto_accept"] if form.is_valid() else False
    return _act(
        request,
        session_id,
        lambda session: waitlist.join_waitlist(session, acting_user=acting_user(request), auto_accept=auto_accept),
        "You are on the waitlist. We will let you know when a place frees.",
    )


def _own_entry(session: GroupSession, user: User) -> WaitlistEntry:
    entry = WaitlistEntry.objects.filter(session=session, user=user, status__in=ACTIVE_WAITLIST_STATUSES).first()
    if entry is None:
        raise DomainError("You are not on the waitlist for this session.")
    return entry


@require_POST
@login_required
def waitlist_accept(request: HttpRequest, session_id: int) -> HttpResponse:
    return _act(
        request,
        session_id,
        lambda session: waitlist.accept_offer(
            _own_entry(session, acting_user(request)), acting_user=acting_user(request)
        ),
        "The place is yours. We have sent you the details.",
    )


@require_POST
@login_required
def waitlist_leave(request: HttpRequest, session_id: int) -> HttpResponse:
    return _act(
        request,
        session_id,
        lambda session: waitlist.leave_waitlist(
            _own_entry(session, acting_user(request)), acting_user=acting_user(request)
        ),
        "You have left the waitlist.",
    )
