"""The facilitator's pages: the sessions they run, and each session's register.

The register shows first name and organisation only, and records attended or absent, nothing
about what was said (docs/architecture.md, "Confidentiality").
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from reflect.access import acting_user, privileged
from reflect.errors import DomainError
from reflect.models import User
from reflect.services.audit import record_view
from scheduling.groups.access import access_facilitated_session, access_register_place
from scheduling.groups.attendance import mark_place_attendance
from scheduling.groups.forms import CancelSomeonesPlaceForm, SessionLinkForm
from scheduling.groups.notices import session_when
from scheduling.groups.places import cancel_someones_place
from scheduling.groups.session_changes import set_session_link
from scheduling.models import GroupSession, Place, PlaceStatus, ReflectiveGroup, SessionStatus, runs_group
from scheduling.models.groups import ACTIVE_PLACE_STATUSES
from scheduling.video_links import save_link_form

MARKED = frozenset({PlaceStatus.ATTENDED, PlaceStatus.ABSENT})


def _facilitator_gate(user: User, kwargs: dict[str, Any]) -> GroupSession:
    return access_facilitated_session(user, kwargs["session_id"])


def _is_facilitator(user: User, kwargs: dict[str, Any]) -> bool:
    """Someone who facilitates no group sees an empty list without being asked for two-factor."""
    return ReflectiveGroup.objects.filter(runs_group(user)).exists()


# The facilitator's pages are privileged like a supervisor's (docs/security.md, "Two-factor"):
# the register names the people in the room.
@privileged(_is_facilitator)
@login_required
def facilitated_sessions(request: HttpRequest) -> HttpResponse:
    sessions = (
        GroupSession.objects.select_related("group")
        .filter(runs_group(acting_user(request), via="group__"), status=SessionStatus.SCHEDULED)
        .order_by("starts_at")
    )
    return render(
        request,
        "scheduling/facilitated_sessions.html",
        {"rows": [{"session": s, "when": session_when(s)} for s in sessions[:40]]},
    )


@privileged(_facilitator_gate)
@login_required
def register(request: HttpRequest, session_id: int) -> HttpResponse:
    """The register: first name and organisation only; marking attended or absent, nothing else."""
    user = acting_user(request)
    session = access_facilitated_session(user, session_id)
    if request.method == "POST":
        place_id = request.POST.get("place", "")
        if not (place_id.isascii() and place_id.isdigit()):
            raise Http404("No such place.")
        place = access_register_place(session, int(place_id))
        was = place.status
        try:
            marked = mark_place_attendance(place, request.POST.get("attended") == "yes", acting_user=user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            # Named as the register names them (first name), so a long register's banner says whose.
            how = "attended" if marked.status == PlaceStatus.ATTENDED else "absent"
            who = place.user.first_name or "The person"
            corrected = was in MARKED and marked.status != was
            messages.success(request, f"{who} changed to {how}." if corrected else f"{who} marked {how}.")
        return redirect("group_register", session.pk)
    record_view("group_register.viewed", actor=user, target=session)
    return _register_page(request, session)


def _register_page(
    request: HttpRequest, session: GroupSession, *, link_form: SessionLinkForm | None = None
) -> HttpResponse:
    """The register; with ``link_form``, the video link form as posted, with its errors."""
    rows = (
        Place.objects.select_related("user", "organisation")
        .filter(session=session, status__in=ACTIVE_PLACE_STATUSES)
        .order_by("user__first_name", "pk")
    )
    return render(
        request,
        "scheduling/register.html",
        {
            "session": session,
            "when": session_when(session),
            "rows": [{"place": p, "first_name": p.user.first_name, "organisation": p.organisation.name} for p in rows],
            "link_form": link_form or SessionLinkForm(initial={"online_link": session.online_link}),
            "cancellable": session.starts_at > timezone.now(),
        },
    )


@require_POST
@privileged(_facilitator_gate)
@login_required
def session_link(request: HttpRequest, session_id: int) -> HttpResponse:
    """The facilitator gives this session its own video link (or goes back to the group's)."""
    user = acting_user(request)
    session = access_facilitated_session(user, session_id)
    form = SessionLinkForm(request.POST)
    if not save_link_form(request, form, lambda link: set_session_link(session, link, acting_user=user)):
        return _register_page(request, session, link_form=form)
    return redirect("group_register", session.pk)


@privileged(_facilitator_gate)
@login_required
def register_cancel_place(request: HttpRequest, session_id: int, place_id: int) -> HttpResponse:
    """GET: what cancelling someone's place means, with a reason for them; POST: cancel it."""
    user = acting_user(request)
    session = access_facilitated_session(user, session_id)
    place = access_register_place(session, place_id)
    if place.status != PlaceStatus.BOOKED or session.starts_at <= timezone.now():
        return redirect("group_register", session.pk)  # the register says what the place is now
    form = CancelSomeonesPlaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cancel_someones_place(place, acting_user=user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{place.user.first_name}'s place is cancelled. We have told them.")
        return redirect("group_register", session.pk)
    return render(
        request,
        "scheduling/register_cancel_place.html",
        {"session": session, "when": session_when(session), "first_name": place.user.first_name, "form": form},
    )
