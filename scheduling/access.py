"""Who may see the scheduling pages. Anything else is a 404 (docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

from reflect.access import acting_user_or_none, gate_result, privileged
from reflect.models import Membership, User
from reflect.queries import current_member, is_current_lead
from reflect.statements import fetch_models
from scheduling.models import DateOverride, SupervisionBooking, WeeklyRule
from supervision.models import SupervisionAgreement, SupervisorProfile


def access_own_supervisor_profile(user: User) -> SupervisorProfile:
    profile = SupervisorProfile.objects.filter(user=user).first() if user.is_authenticated else None
    if profile is None:
        raise Http404("You are not a supervisor.")
    return profile


def _supervisor_gate(user: User, kwargs: dict[str, Any]) -> SupervisorProfile:
    return access_own_supervisor_profile(user)


def supervisor_area(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A supervisor's own pages: anyone who is not a supervisor gets the 404 a stranger gets
    (before being asked for two-factor set-up, which would tell them the page exists); a
    supervisor then needs two-factor authentication (reflect.access.privileged). The view
    receives their profile."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = acting_user_or_none(request)
        if user is None:
            return redirect_to_login(request.get_full_path())
        profile = gate_result(request)
        if not (isinstance(profile, SupervisorProfile) and profile.user_id == user.pk):
            profile = access_own_supervisor_profile(user)
        return view(request, profile, *args, **kwargs)

    return privileged(_supervisor_gate)(wrapped)


def access_weekly_rule(supervisor: SupervisorProfile, rule_id: int) -> WeeklyRule:
    return get_object_or_404(WeeklyRule.objects.select_related("supervisor"), pk=rule_id, supervisor=supervisor)


def access_date_override(supervisor: SupervisorProfile, override_id: int) -> DateOverride:
    return get_object_or_404(DateOverride.objects.select_related("supervisor"), pk=override_id, supervisor=supervisor)


def access_booking(user: User, booking_id: int) -> SupervisionBooking:
    """A supervision booking its attendees, its booker, its organisation's leads and its
    supervisor may see; anyone else gets the 404 a missing booking gets."""
    booking = get_object_or_404(
        SupervisionBooking.objects.select_related("supervisor__user", "organisation", "pool", "agreement"),
        pk=booking_id,
    )
    if booking.supervisor.user_id == user.pk:
        return booking
    if booking.attendees.filter(user=user).exists():
        return booking  # their own session, even after leaving the organisation
    # Someone who booked it for another sees it only while still staff there.
    if booking.booked_by_id == user.pk and current_member(user, booking.organisation_id) is not None:
        return booking
    if is_current_lead(user, booking.organisation_id):
        return booking
    raise Http404("No such session.")


def access_bookable_agreement(user: User, agreement_id: int) -> SupervisionAgreement:
    """An agreement of one of the person's organisations (any staff member may book under it)."""
    return access_agreement_to_book(user, agreement_id)[0]


def access_agreement_to_book(user: User, agreement_id: int) -> tuple[SupervisionAgreement, bool]:
    """``access_bookable_agreement``, with its supervisor, their person and availability settings,
    its organisation and its pool, and whether the person leads its organisation now (what
    ``bookable_attendees`` asks): one query, its SQL kept once per process
    (reflect/statements.py), as the booking page reads it on every booking. A booking builds
    its rows from them before it takes its locks (scheduling/services/bookings.py, ``_book``)."""
    found = fetch_models(
        ("scheduling", "agreement to book"), agreement_to_book, agreement_id=agreement_id, user_id=user.pk
    )
    if not found:
        raise Http404("No such agreement.")
    return found[0], found[0].booker_is_lead  # type: ignore[attr-defined]  # the query's annotation


def agreement_to_book(agreement_id: int, user_id: int) -> QuerySet[SupervisionAgreement]:
    """``access_agreement_to_book``'s query: the agreement if one of the person's current
    memberships is of its organisation (``memberships_of``), with ``booker_is_lead``
    (``is_current_lead``)."""
    current = Membership.objects.current().filter(user_id=user_id)
    return (
        SupervisionAgreement.objects.select_related(
            "supervisor__user", "supervisor__availability_settings", "organisation", "pool"
        )
        .filter(pk=agreement_id, organisation_id__in=current.values("organisation_id"))
        .annotate(booker_is_lead=Exists(current.filter(organisation_id=OuterRef("organisation_id"), is_lead=True)))
        .order_by()
    )


def access_own_session(supervisor: SupervisorProfile, booking_id: str) -> SupervisionBooking:
    """One of the supervisor's own booked sessions, from an id posted by a form."""
    if not booking_id.isdecimal() or len(booking_id) > 18:
        raise Http404("No such session.")
    return get_object_or_404(
        SupervisionBooking.objects.select_related("organisation"), pk=int(booking_id), supervisor=supervisor
    )
